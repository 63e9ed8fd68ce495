// GET /healthz, /readyz, /metrics; POST /v1/reload.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/server/route_harness.h"

namespace blockhealth::server::test {
namespace {

using ::testing::HasSubstr;

TEST(RoutesOps, HealthzIsAlwaysOk) {
  RouteHarness h;
  const Response res = h.get("/healthz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"status":"ok"})");
}

TEST(RoutesOps, ReadyzWaitsForTheFirstConfiguration) {
  RouteHarness h;
  Response res = h.get("/readyz");
  EXPECT_EQ(res.result(), http::status::service_unavailable);
  EXPECT_EQ(res.body(), R"({"status":"starting"})");
  h.context().ready.store(true);
  res = h.get("/readyz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"status":"ready"})");
}

TEST(RoutesOps, MetricsIsPrometheusText) {
  RouteHarness h;
  const Response res = h.get("/metrics");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(res.body(), HasSubstr("# TYPE blockhealth_ingested_samples_total counter"));
}

TEST(RoutesOps, ReloadAnswersTheSummary) {
  RouteHarness h;
  int reloads = 0;
  h.set_reload([&] {
    ++reloads;
    return success(std::string(R"({"success":true,"blocks":2})"));
  });
  const Response res = h.send(http::verb::post, "/v1/reload");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), R"({"success":true,"blocks":2})");
  EXPECT_EQ(reloads, 1);
}

TEST(RoutesOps, ARejectedReloadIs422WithEveryProblem) {
  RouteHarness h;
  h.set_reload([]() -> Result<std::string> {
    return fail("conf.yaml:3:5: first problem\nconf.yaml:9:1: second problem");
  });
  const Response res = h.send(http::verb::post, "/v1/reload");
  EXPECT_EQ(res.result(), http::status::unprocessable_entity);
  EXPECT_EQ(RouteHarness::message_of(res),
            "reload rejected, the running configuration is unchanged:\n"
            "conf.yaml:3:5: first problem\nconf.yaml:9:1: second problem");
}

TEST(RoutesOps, ReloadNeedsTheTokenWhenOneIsSet) {
  RouteHarness h;
  int reloads = 0;
  h.set_reload([&] {
    ++reloads;
    return success(std::string("{}"));
  });
  h.auth().set_token("s3cret");
  const Response res = h.send(http::verb::post, "/v1/reload");
  EXPECT_EQ(res.result(), http::status::unauthorized);
  EXPECT_EQ(reloads, 0);
  EXPECT_EQ(h.get("/healthz").result(), http::status::ok);
}

TEST(RoutesOps, ReloadThroughTheEngineKeepsPushedInstances) {
  RouteHarness h;
  const std::string yaml = blockhealth::test::test_defaults_yaml() +
                           "blocks:\n"
                           "  - id: b\n"
                           "    instances: [{id: i1}]\n"
                           "    policies: [{use: test_echo}]\n";
  h.engine().apply(yaml);
  ASSERT_EQ(h.send(http::verb::put, "/v1/blocks/b/instances/p1").result(), http::status::ok);
  h.set_reload([&]() -> Result<std::string> {
    auto plan = h.engine().plan(yaml);
    if (!plan) return plan.error();
    h.engine().engine().apply(*plan);
    return success(std::string(R"({"success":true})"));
  });
  ASSERT_EQ(h.send(http::verb::post, "/v1/reload").result(), http::status::ok);
  const auto view = h.engine().view("b");
  ASSERT_EQ(view->instances.size(), 2U);
  EXPECT_EQ(view->instances[1].id, "p1");
}

}  // namespace
}  // namespace blockhealth::server::test
