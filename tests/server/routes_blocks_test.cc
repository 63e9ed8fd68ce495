// GET /v1/blocks, /v1/blocks/{block}, /v1/blocks/{block}/history, /v1/plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/wire/block_bodies.h"
#include "tests/server/route_harness.h"

namespace blockhealth::server::test {
namespace {

namespace json = boost::json;

std::string blocks_config() {
  return blockhealth::test::test_defaults_yaml() +
         "blocks:\n"
         "  - id: zeta\n"
         "    instances: [{id: z1}, {id: z2}]\n"
         "    policies: [{use: test_echo, id: echo}]\n"
         "  - id: alpha\n"
         "    instances: [{id: a1}]\n"
         "    policies: [{use: test_echo, id: echo}]\n";
}

class RoutesBlocksTest : public ::testing::Test {
 protected:
  void SetUp() override { h_.engine().apply(blocks_config()); }
  RouteHarness h_;
};

TEST_F(RoutesBlocksTest, BlocksListsSummariesInConfigOrder) {
  h_.engine().push_status("zeta", "z1", 0);
  h_.engine().evaluate("zeta");
  const Response res = h_.get("/v1/blocks");
  ASSERT_EQ(res.result(), http::status::ok);
  const json::value v = RouteHarness::json_of(res);
  const json::array& blocks = v.at("blocks").as_array();
  ASSERT_EQ(blocks.size(), 2U);
  EXPECT_EQ(blocks[0].at("block_id"), "zeta");
  EXPECT_EQ(blocks[0].at("instances"), 2);
  EXPECT_EQ(blocks[0].at("healthy_instances"), 1);
  EXPECT_EQ(blocks[0].at("paused"), true);
  EXPECT_EQ(blocks[1].at("block_id"), "alpha");
  EXPECT_EQ(blocks[1].at("status"), "unknown");
}

TEST_F(RoutesBlocksTest, BlockDetailIsThePublishedView) {
  const Response res = h_.get("/v1/blocks/alpha");
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), wire::bodies_of(*h_.engine().view("alpha")).detail());
  const json::value v = RouteHarness::json_of(res);
  EXPECT_EQ(v.at("instances").at(0).at("instance_id"), "a1");
  EXPECT_EQ(v.at("policies").at(0).at("use"), "test_echo");
}

TEST_F(RoutesBlocksTest, UnknownBlockIs404Everywhere) {
  for (const std::string target : {"/v1/blocks/nope", "/v1/blocks/nope/history"}) {
    const Response res = h_.get(target);
    EXPECT_EQ(res.result(), http::status::not_found) << target;
    EXPECT_EQ(RouteHarness::message_of(res), "block 'nope' is not configured");
  }
}

TEST_F(RoutesBlocksTest, HistoryIsNewestFirstAndLimited) {
  h_.engine().push_status("zeta", "z1", 0);
  h_.engine().evaluate("zeta");
  h_.engine().clock().advance_ms(1'000);
  h_.engine().push_status("zeta", "z1", 2);
  h_.engine().evaluate("zeta");

  json::value v = RouteHarness::json_of(h_.get("/v1/blocks/zeta/history"));
  EXPECT_EQ(v.at("block_id"), "zeta");
  const json::array& all = v.at("transitions").as_array();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].at("to"), "unhealthy");
  EXPECT_EQ(all[1].at("to"), "ok");
  EXPECT_GT(all[0].at("seq").to_number<std::uint64_t>(),
            all[1].at("seq").to_number<std::uint64_t>());

  v = RouteHarness::json_of(h_.get("/v1/blocks/zeta/history?limit=1"));
  ASSERT_EQ(v.at("transitions").as_array().size(), 1U);
  EXPECT_EQ(v.at("transitions").at(0).at("to"), "unhealthy");
  v = RouteHarness::json_of(h_.get("/v1/blocks/zeta/history?limit=10000"));
  EXPECT_EQ(v.at("transitions").as_array().size(), 2U);
  v = RouteHarness::json_of(h_.get("/v1/blocks/alpha/history"));
  EXPECT_TRUE(v.at("transitions").as_array().empty());
}

TEST_F(RoutesBlocksTest, ABadLimitIs400) {
  for (const std::string limit : {"0", "10001", "-1", "abc", "5x", "", "1.5"}) {
    const Response res = h_.get("/v1/blocks/zeta/history?limit=" + limit);
    EXPECT_EQ(res.result(), http::status::bad_request) << limit;
    EXPECT_EQ(RouteHarness::message_of(res),
              "limit: expected an integer from 1 to 10000, got '" + limit + "'");
  }
}

TEST_F(RoutesBlocksTest, PluginsIsTheEnginesList) {
  const Response res = h_.get("/v1/plugins");
  ASSERT_EQ(res.result(), http::status::ok);
  const json::value v = RouteHarness::json_of(res);
  EXPECT_EQ(v.at("plugins").as_array().size(), 3U);
  EXPECT_EQ(v.at("policies").as_array().size(), 2U);
}

TEST_F(RoutesBlocksTest, WritesToReadEndpointsAre405) {
  const Response res = h_.send(http::verb::post, "/v1/blocks");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD");
}

}  // namespace
}  // namespace blockhealth::server::test
