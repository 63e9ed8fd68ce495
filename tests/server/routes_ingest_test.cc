// Push ingestion: instance registration and metrics/log bodies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/server/route_harness.h"

namespace blockhealth::server::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ingest_config() {
  return blockhealth::test::test_defaults_yaml() +
         "blocks:\n"
         "  - id: b\n"
         "    log_lines: 3\n"
         "    instances: [{id: i1}]\n"
         "    policies: [{use: test_echo, id: echo}]\n";
}

class RoutesIngestTest : public ::testing::Test {
 protected:
  void SetUp() override { h_.engine().apply(ingest_config()); }
  InstanceObservationsConstSharedPtr snapshot(const std::string& instance) {
    auto record = h_.engine().engine().find_record("b", instance);
    EXPECT_TRUE(record) << record.error().message;
    return record ? (*record)->snapshot() : std::make_shared<InstanceObservations>();
  }
  Response push(const std::string& what, const std::string& body, const std::string& type,
                const std::string& instance = "i1") {
    return h_.send(http::verb::post, "/v1/blocks/b/instances/" + instance + "/" + what, body, type);
  }
  RouteHarness h_;
};

TEST_F(RoutesIngestTest, RegisterAndForgetAnInstance) {
  Response res = h_.send(http::verb::put, "/v1/blocks/b/instances/p-1.a_B");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"success":true})");
  EXPECT_EQ(h_.engine().view("b")->instances.size(), 2U);
  EXPECT_EQ(h_.send(http::verb::put, "/v1/blocks/b/instances/p-1.a_B").result(), http::status::ok);
  EXPECT_EQ(h_.engine().view("b")->instances.size(), 2U);

  res = h_.send(http::verb::delete_, "/v1/blocks/b/instances/p-1.a_B");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(h_.engine().view("b")->instances.size(), 1U);
}

TEST_F(RoutesIngestTest, RegistrationErrors) {
  Response res = h_.send(http::verb::put, "/v1/blocks/b/instances/bad%20id");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(RouteHarness::message_of(res),
            "instance id 'bad id' is invalid: use 1-128 of [A-Za-z0-9._-]");
  res = h_.send(http::verb::put, "/v1/blocks/b/instances/" + std::string(129, 'a'));
  EXPECT_EQ(res.result(), http::status::bad_request);

  res = h_.send(http::verb::put, "/v1/blocks/nope/instances/x");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(RouteHarness::message_of(res), "no block 'nope' in the configuration");

  res = h_.send(http::verb::delete_, "/v1/blocks/b/instances/i1");
  EXPECT_EQ(res.result(), http::status::conflict);
  EXPECT_EQ(RouteHarness::message_of(res),
            "instance 'i1' of block 'b' comes from the config file; remove it there and reload");
  res = h_.send(http::verb::delete_, "/v1/blocks/b/instances/zz");
  EXPECT_EQ(res.result(), http::status::not_found);
}

TEST_F(RoutesIngestTest, JsonMetricsAreMergedAndCounted) {
  Response res = push("metrics", R"({"test_status": 2, "other": 1.5})", "application/json");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"success":true,"samples":2})");
  res = push("metrics", R"([{"name":"test_status","value":0,"labels":null}])",
             "Application/JSON; charset=utf-8");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  const auto snap = snapshot("i1");
  ASSERT_EQ(snap->samples.size(), 2U);
  EXPECT_EQ(snap->samples[0].name, "test_status");
  EXPECT_EQ(snap->samples[0].value, 0);
  EXPECT_EQ(snap->samples[0].timestamp_ms, EngineHarness::kStartMs);
  EXPECT_EQ(snap->last_seen_ms, EngineHarness::kStartMs);
  EXPECT_THAT(h_.metrics_text(), HasSubstr("blockhealth_ingested_samples_total{block=\"b\"} 3"));

  h_.engine().evaluate("b");
  EXPECT_EQ(h_.engine().instance("b", "i1").status, Status::kOk);
}

TEST_F(RoutesIngestTest, PrometheusTextMetrics) {
  const Response res = push("metrics",
                            "# TYPE test_status gauge\n"
                            "test_status 1\n"
                            "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-1\"} 71 1764238565000\n",
                            "text/plain; version=0.0.4");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(RouteHarness::json_of(res).at("samples"), 2);
  const auto snap = snapshot("i1");
  ASSERT_EQ(snap->samples.size(), 2U);
  EXPECT_EQ(snap->samples[1].labels.size(), 2U);
  EXPECT_EQ(snap->samples[1].timestamp_ms, 1764238565000);
  h_.engine().evaluate("b");
  EXPECT_EQ(h_.engine().instance("b", "i1").status, Status::kDegraded);
}

TEST_F(RoutesIngestTest, MalformedBodiesAre400AndChangeNothing) {
  Response res = push("metrics", R"({"test_status": })", "application/json");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_THAT(RouteHarness::message_of(res), StartsWith("invalid JSON at byte 16: "));
  res = push("metrics", R"({"bad-name": 1})", "application/json");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(RouteHarness::message_of(res), "key: 'bad-name' is not a valid metric name");
  res = push("metrics", "ok 1\nbroken{ 2\n", "text/plain");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_THAT(RouteHarness::message_of(res), StartsWith("Prometheus text: line 2, column "));
  EXPECT_TRUE(snapshot("i1")->samples.empty());
  EXPECT_EQ(snapshot("i1")->last_seen_ms, 0);
  EXPECT_THAT(h_.metrics_text(),
              HasSubstr("blockhealth_ingest_rejected_total{block=\"b\",kind=\"malformed\"} 3"));
}

TEST_F(RoutesIngestTest, OtherContentTypesAre415) {
  for (const std::string type : {"application/xml", "", "text/csv"}) {
    const Response res = push("metrics", R"({"a":1})", type);
    EXPECT_EQ(res.result(), http::status::unsupported_media_type) << type;
    EXPECT_EQ(RouteHarness::message_of(res),
              "Content-Type '" + type +
                  "' is not accepted; send application/json or text/plain (Prometheus exposition "
                  "format)");
  }
  const Response logs = push("logs", "line", "application/xml");
  EXPECT_EQ(logs.result(), http::status::unsupported_media_type);
  EXPECT_THAT(RouteHarness::message_of(logs), HasSubstr("send text/plain"));
  EXPECT_THAT(h_.metrics_text(),
              HasSubstr("blockhealth_ingest_rejected_total{block=\"b\",kind=\"media_type\"} 4"));
}

TEST_F(RoutesIngestTest, APushOverTheSeriesLimitIs422AndChangesNothing) {
  std::string body = "[";
  for (int i = 0; i < 10'001; ++i) {
    body += (i == 0 ? "" : ",");
    body += R"({"name":"m","labels":{"n":")" + std::to_string(i) + R"("},"value":1})";
  }
  body += "]";
  const Response res = push("metrics", body, "application/json");
  EXPECT_EQ(res.result(), http::status::unprocessable_entity);
  EXPECT_EQ(RouteHarness::message_of(res),
            "instance b/i1 would have 10001 series; at most 10000 are kept");
  EXPECT_TRUE(snapshot("i1")->samples.empty());
  EXPECT_THAT(h_.metrics_text(),
              HasSubstr("blockhealth_ingest_rejected_total{block=\"b\",kind=\"limit\"} 1"));
}

TEST_F(RoutesIngestTest, PushingToAnUnregisteredInstanceSaysHowToRegisterIt) {
  Response res = push("metrics", R"({"a":1})", "application/json", "ghost");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(RouteHarness::message_of(res),
            "block 'b' has no instance 'ghost'; register it first with PUT "
            "/v1/blocks/b/instances/ghost");
  res = h_.send(http::verb::post, "/v1/blocks/nope/instances/i1/logs", "x", "text/plain");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(RouteHarness::message_of(res), "no block 'nope' in the configuration");
}

TEST_F(RoutesIngestTest, LogsAsTextOrJsonGoToTheRing) {
  Response res = push("logs", "first\r\nsecond\n", "text/plain");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(res.body(), R"({"success":true,"lines":2})");
  res = push("logs", "third", "");  // no Content-Type: text
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  res = push("logs", R"({"lines":["fourth","bad \u0000 byte"]})", "application/json");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(RouteHarness::json_of(res).at("lines"), 2);
  const auto snap = snapshot("i1");
  ASSERT_EQ(snap->logs.size(), 3U);  // log_lines: 3
  EXPECT_EQ(snap->logs[0].text, "third");
  EXPECT_EQ(snap->logs[1].text, "fourth");
  EXPECT_EQ(snap->logs[2].text, "bad \xEF\xBF\xBD byte");
  EXPECT_THAT(h_.metrics_text(), HasSubstr("blockhealth_ingested_log_lines_total{block=\"b\"} 5"));

  res = push("logs", R"(["a", 1])", "application/json");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(RouteHarness::message_of(res), "lines[1]: expected a string, got a number");
}

TEST_F(RoutesIngestTest, WritesNeedTheTokenWhenOneIsSet) {
  h_.auth().set_token("s3cret");
  EXPECT_EQ(push("metrics", R"({"a":1})", "application/json").result(), http::status::unauthorized);
  EXPECT_EQ(h_.send(http::verb::put, "/v1/blocks/b/instances/p1").result(),
            http::status::unauthorized);
  EXPECT_EQ(h_.send(http::verb::delete_, "/v1/blocks/b/instances/p1").result(),
            http::status::unauthorized);
  EXPECT_TRUE(snapshot("i1")->samples.empty());
  const Response ok = h_.send(http::verb::post, "/v1/blocks/b/instances/i1/metrics", R"({"a":1})",
                              "application/json", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(ok.result(), http::status::ok) << ok.body();
}

}  // namespace
}  // namespace blockhealth::server::test
