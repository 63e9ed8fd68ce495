// GET /block/health/<id> answers exactly the shape AIOS clients parse
// (tests/fixtures/aios-block-health-response.json): field names, nesting
// and JSON types, against the real daemon.
#include <gtest/gtest.h>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kConfig = R"(
defaults:
  interval: 200ms
  timeout: 150ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 60s
blocks:
  - id: gemma3-27b-block
    instances:
      - id: executor
      - id: in-vkkv
    policies:
      - use: gpu_temperature
)";

// The set of keys of `o`, sorted.
std::vector<std::string> keys_of(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(AiosCompat, ShapeMatchesTheFixtureFieldByFieldAndTypeByType) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  ASSERT_TRUE(daemon.started());
  const std::string push = "/v1/blocks/gemma3-27b-block/instances/in-vkkv/metrics";
  ASSERT_EQ(http_post(daemon.address(), push, R"({"DCGM_FI_DEV_GPU_TEMP": 40})").status, 200);

  json::value reply;
  ASSERT_TRUE(wait_until([&] {
    reply = http_get(daemon.address(), "/block/health/gemma3-27b-block").json();
    return reply.at("instances").at(1).at("healthy").as_bool();
  })) << reply;

  const json::value fixture = json::parse(read_fixture("aios-block-health-response.json"));
  // Top level: the same keys with the same JSON types.
  ASSERT_EQ(keys_of(reply.as_object()), keys_of(fixture.as_object()));
  for (const auto& kv : fixture.as_object()) {
    EXPECT_EQ(reply.at(kv.key()).kind(), kv.value().kind()) << kv.key();
  }
  EXPECT_EQ(reply.at("block_id").as_string(), "gemma3-27b-block");
  EXPECT_TRUE(reply.at("success").as_bool());
  // "executor" never reported: not healthy, with a reason, no lastMetrics.
  const json::object& executor = reply.at("instances").at(0).as_object();
  EXPECT_EQ(executor.at("instanceId").as_string(), "executor");
  EXPECT_FALSE(executor.at("healthy").as_bool());
  EXPECT_EQ(executor.at("reason").as_string(), "no observations yet");
  EXPECT_FALSE(executor.contains("lastMetrics"));
  // "in-vkkv" reported: healthy, lastMetrics like "12.959992408752441s ago".
  const json::object& vkkv = reply.at("instances").at(1).as_object();
  const json::object& fixture_vkkv = fixture.at("instances").at(1).as_object();
  ASSERT_EQ(keys_of(vkkv), keys_of(fixture_vkkv));
  for (const auto& kv : fixture_vkkv) EXPECT_EQ(vkkv.at(kv.key()).kind(), kv.value().kind());
  const std::string last = std::string(vkkv.at("lastMetrics").as_string());
  ASSERT_GE(last.size(), 6u);
  EXPECT_EQ(last.substr(last.size() - 5), "s ago");
  EXPECT_GE(std::stod(last), 0.0);
  // The block is healthy only when every instance is.
  EXPECT_FALSE(reply.at("healthy").as_bool());
}

TEST(AiosCompat, UnknownBlockIs404WithSuccessFalseAndAMessage) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), kConfig);
  ASSERT_TRUE(daemon.started());
  const HttpReply reply = http_get(daemon.address(), "/block/health/no-such-block");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.header("Content-Type"), "application/json");
  const json::value body = reply.json();
  EXPECT_FALSE(body.at("success").as_bool());
  EXPECT_NE(std::string(body.at("message").as_string()).find("no-such-block"), std::string::npos);
}

}  // namespace
}  // namespace blockhealth::test
