// GET /block/health/{block} and POST /block/{block}/health-checker/mgmt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/wire/block_bodies.h"
#include "tests/server/route_harness.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::server::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string aios_config() {
  return blockhealth::test::test_defaults_yaml() +
         "blocks:\n"
         "  - id: gemma3-27b-block\n"
         "    instances: [{id: executor}, {id: in-vkkv}]\n"
         "    policies:\n"
         "      - use: test_echo\n"
         "        id: echo\n"
         "  - id: f\n"
         "    instances: [{id: x}]\n"
         "    policies: [{use: test_fail, id: failing}]\n";
}

class RoutesAiosTest : public ::testing::Test {
 protected:
  void SetUp() override { h_.engine().apply(aios_config()); }
  Response mgmt(const std::string& body) {
    return h_.post_json("/block/gemma3-27b-block/health-checker/mgmt", body);
  }
  RouteHarness h_;
};

TEST_F(RoutesAiosTest, BlockHealthIsTheAiosShape) {
  h_.engine().push_status("gemma3-27b-block", "executor", 0);
  h_.engine().push_status("gemma3-27b-block", "in-vkkv", 2);
  h_.engine().evaluate("gemma3-27b-block");
  h_.engine().clock().advance_ms(840);

  const Response res = h_.get("/block/health/gemma3-27b-block");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res.body(), R"({"block_id":"gemma3-27b-block","healthy":false,"instances":[)"
                        R"({"healthy":true,"instanceId":"executor","lastMetrics":"0.84s ago"},)"
                        R"({"healthy":false,"instanceId":"in-vkkv","lastMetrics":"0.84s ago",)"
                        R"("reason":"echo: test_status=2"}],"success":true})");
  // The same keys as the answer AIOS clients parse today.
  const json::value fixture =
      json::parse(blockhealth::test::read_fixture("aios-block-health-response.json"));
  const json::value got = RouteHarness::json_of(res);
  std::vector<std::string> ours;
  std::vector<std::string> theirs;
  for (const auto& [k, v] : got.as_object()) ours.emplace_back(k);
  for (const auto& [k, v] : fixture.as_object()) theirs.emplace_back(k);
  EXPECT_EQ(ours, theirs);
}

TEST_F(RoutesAiosTest, LastMetricsIsComputedAtRequestTime) {
  h_.engine().push_status("gemma3-27b-block", "executor", 0);
  h_.engine().evaluate("gemma3-27b-block");
  h_.engine().clock().advance_ms(2'000);
  json::value v = RouteHarness::json_of(h_.get("/block/health/gemma3-27b-block"));
  EXPECT_EQ(v.at("instances").at(0).at("lastMetrics"), "2.0s ago");
  h_.engine().clock().advance_ms(10'500);
  v = RouteHarness::json_of(h_.get("/block/health/gemma3-27b-block"));
  EXPECT_EQ(v.at("instances").at(0).at("lastMetrics"), "12.5s ago");
}

// docs/http-api.md: lastMetrics is "computed at the time of the request;
// absent until the instance has reported once". Once it has reported, it is
// there, whether or not an evaluation has run since.
TEST_F(RoutesAiosTest, LastMetricsAppearsAsSoonAsTheInstanceHasReported) {
  h_.engine().push_status("gemma3-27b-block", "executor", 0);
  h_.engine().clock().advance_ms(3'000);
  const json::value v = RouteHarness::json_of(h_.get("/block/health/gemma3-27b-block"));
  const json::object& executor = v.at("instances").at(0).as_object();
  ASSERT_TRUE(executor.contains("lastMetrics")) << json::serialize(executor);
  EXPECT_EQ(executor.at("lastMetrics"), "3.0s ago");
}

TEST_F(RoutesAiosTest, UnknownBlockIs404WithSuccessFalse) {
  const Response res = h_.get("/block/health/nope");
  EXPECT_EQ(res.result(), http::status::not_found);
  const json::value v = RouteHarness::json_of(res);
  EXPECT_EQ(v.at("success"), false);
  EXPECT_EQ(v.at("message"), "block 'nope' is not configured");
}

TEST_F(RoutesAiosTest, HeadGivesTheLengthWithoutTheBody) {
  const Response get = h_.get("/block/health/gemma3-27b-block");
  const Response head = h_.send(http::verb::head, "/block/health/gemma3-27b-block");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
}

TEST_F(RoutesAiosTest, GetStateAnswersTheDetailView) {
  const Response res = mgmt(R"({"mgmt_action":"get_state"})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  const json::value v = RouteHarness::json_of(res);
  EXPECT_EQ(v.at("success"), true);
  EXPECT_EQ(v.at("result"),
            json::parse(wire::bodies_of(*h_.engine().view("gemma3-27b-block")).detail()));
}

TEST_F(RoutesAiosTest, PauseResumeAndEvaluate) {
  Response res = mgmt(R"({"mgmt_action":"resume","mgmt_data":{}})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(
      RouteHarness::json_of(res),
      json::parse(R"({"success":true,"data":{"action":"resume","block_id":"gemma3-27b-block"},)"
                  R"("result":{"action":"resume","block_id":"gemma3-27b-block"}})"));
  EXPECT_FALSE(h_.engine().view("gemma3-27b-block")->paused);
  res = mgmt(R"({"mgmt_action":"pause","mgmt_data":null})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_TRUE(h_.engine().view("gemma3-27b-block")->paused);

  h_.engine().push_status("gemma3-27b-block", "executor", 0);
  const std::size_t before = h_.engine().listener().call_count("gemma3-27b-block");
  res = mgmt(R"({"mgmt_action":"evaluate"})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_TRUE(blockhealth::test::wait_until(
      [&] { return h_.engine().listener().call_count("gemma3-27b-block") == before + 1; }));
}

TEST_F(RoutesAiosTest, ReloadAnswersTheSummaryOr422) {
  h_.set_reload([] { return success(std::string(R"({"success":true,"blocks":1})")); });
  Response res = mgmt(R"({"mgmt_action":"reload"})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(RouteHarness::json_of(res).at("result").at("blocks"), 1);

  h_.set_reload([]() -> Result<std::string> { return fail("conf.yaml:3:1: bad"); });
  res = mgmt(R"({"mgmt_action":"reload"})");
  EXPECT_EQ(res.result(), http::status::unprocessable_entity);
  EXPECT_EQ(RouteHarness::message_of(res),
            "reload rejected, the running configuration is unchanged:\nconf.yaml:3:1: bad");
}

TEST_F(RoutesAiosTest, BadMgmtBodiesAre400WithAMessage) {
  const struct {
    const char* body;
    const char* message;
  } cases[] = {
      {R"({"mgmt_action":)", "invalid JSON at byte 15: "},
      {R"([1])", R"(expected a JSON object {"mgmt_action": ..., "mgmt_data": {...}})"},
      {R"({})", "mgmt_action: expected a non-empty string"},
      {R"({"mgmt_action":""})", "mgmt_action: expected a non-empty string"},
      {R"({"mgmt_action":5})", "mgmt_action: expected a non-empty string"},
      {R"({"mgmt_action":"pause","mgmt_data":[1]})", "mgmt_data: expected an object"},
      {R"({"mgmt_action":"echo","mgmt_data":{"policy":7}})", "mgmt_data.policy: expected a string"},
  };
  for (const auto& c : cases) {
    const Response res = mgmt(c.body);
    EXPECT_EQ(res.result(), http::status::bad_request) << c.body;
    EXPECT_THAT(RouteHarness::message_of(res), StartsWith(c.message)) << c.body;
  }
}

TEST_F(RoutesAiosTest, MgmtOnAnUnknownBlockIs404) {
  const Response res =
      h_.post_json("/block/nope/health-checker/mgmt", R"({"mgmt_action":"pause"})");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(RouteHarness::message_of(res), "block 'nope' is not configured");
}

TEST_F(RoutesAiosTest, PolicyActionsGoToThePolicysManage) {
  const Response res = mgmt(R"({"mgmt_action":"echo","mgmt_data":{"policy":"echo","n":[1,2]}})");
  ASSERT_EQ(res.result(), http::status::ok) << res.body();
  EXPECT_EQ(RouteHarness::json_of(res),
            json::parse(R"({"success":true,"data":{"echo":{"policy":"echo","n":[1,2]}},)"
                        R"("result":{"echo":{"policy":"echo","n":[1,2]}}})"));
}

TEST_F(RoutesAiosTest, PolicyActionErrorsMapToStatuses) {
  Response res = mgmt(R"({"mgmt_action":"nope","mgmt_data":{"policy":"echo"}})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(RouteHarness::message_of(res), "policy test_echo failed: unknown action nope");

  res = mgmt(R"({"mgmt_action":"x","mgmt_data":{"policy":"zz"}})");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(RouteHarness::message_of(res), "block 'gemma3-27b-block' has no policy 'zz'");

  res = h_.post_json("/block/f/health-checker/mgmt",
                     R"({"mgmt_action":"x","mgmt_data":{"policy":"failing"}})");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(RouteHarness::message_of(res),
            "policy 'failing' (test_fail) has no management actions");
}

TEST(RoutesAios, ABusyEngineIs503WithRetryAfter) {
  EngineOptions options = EngineHarness::default_options();
  options.eval_queue = 0;  // every call is refused: "too many evaluations queued"
  RouteHarness h(options);
  h.engine().apply(aios_config());
  const Response res = h.post_json("/block/gemma3-27b-block/health-checker/mgmt",
                                   R"({"mgmt_action":"echo","mgmt_data":{"policy":"echo"}})");
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_EQ(res[http::field::retry_after], "1");
  EXPECT_EQ(RouteHarness::message_of(res), "too many evaluations queued; try again");
}

TEST_F(RoutesAiosTest, MgmtNeedsTheTokenWhenOneIsSet) {
  h_.auth().set_token("s3cret");
  Response res = mgmt(R"({"mgmt_action":"pause"})");
  EXPECT_EQ(res.result(), http::status::unauthorized);
  res = h_.send(http::verb::post, "/block/gemma3-27b-block/health-checker/mgmt",
                R"({"mgmt_action":"pause"})", "application/json",
                {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(res.result(), http::status::ok) << res.body();
  // Reads never need it.
  EXPECT_EQ(h_.get("/block/health/gemma3-27b-block").result(), http::status::ok);
}

}  // namespace
}  // namespace blockhealth::server::test
