// GET /block/health/<id> answers exactly the shape AIOS clients parse
// (tests/fixtures/aios-block-health-response.json): field names, nesting
// and JSON types, against the real daemon; what "healthy", "reason" and
// "lastMetrics" mean.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>

#include "tests/e2e/e2e_client.h"
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

// A block judged by test_echo, evaluated only on request (interval 1h; the
// test pauses it so the jittered first tick cannot interfere).
std::string echo_config() {
  return on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: gemma3-27b-block
    instances:
      - id: executor
      - id: in-vkkv
    policies:
      - use: test_echo
)";
}

constexpr const char* kBlockId = "gemma3-27b-block";
constexpr const char* kAiosPath = "/block/health/gemma3-27b-block";

class AiosEcho : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), echo_config());
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), kBlockId, "pause").status, 200);
  }
  const std::string& address() const { return daemon_->address(); }
  // Pushes test_status for both instances and evaluates once.
  void judge(int executor, int vkkv) {
    ASSERT_EQ(push_status(address(), kBlockId, "executor", executor).status, 200);
    ASSERT_EQ(push_status(address(), kBlockId, "in-vkkv", vkkv).status, 200);
    const std::string want_e = "test_status=" + std::to_string(executor);
    const std::string want_v = "test_status=" + std::to_string(vkkv);
    evaluate_and_wait(address(), kBlockId, [&](const json::value& view) {
      return str(policy_result_of(instance_of(view, "executor"), "test_echo"), "reason") ==
                 want_e &&
             str(policy_result_of(instance_of(view, "in-vkkv"), "test_echo"), "reason") == want_v;
    });
  }
  json::value aios() const { return http_get(address(), kAiosPath).json(); }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(AiosEcho, HealthyBlockMatchesTheFixtureKeyByKeyAndValueTypes) {
  judge(0, 0);
  const HttpReply reply = http_get(address(), kAiosPath);
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type"), "application/json");
  const json::value body = reply.json();
  const json::value fixture = json::parse(read_fixture("aios-block-health-response.json"));
  ASSERT_EQ(keys_of(body.as_object()), keys_of(fixture.as_object()));
  for (const auto& kv : fixture.as_object()) {
    EXPECT_EQ(body.at(kv.key()).kind(), kv.value().kind()) << kv.key();
  }
  EXPECT_EQ(body.at("block_id"), fixture.at("block_id"));
  EXPECT_EQ(body.at("healthy"), fixture.at("healthy"));
  EXPECT_EQ(body.at("success"), fixture.at("success"));
  // Every instance key is one the fixture uses, with the fixture's JSON type.
  std::map<std::string, json::kind> fixture_kinds;
  for (const json::value& in : fixture.at("instances").as_array()) {
    for (const auto& kv : in.as_object()) fixture_kinds[kv.key()] = kv.value().kind();
  }
  const json::array& instances = body.at("instances").as_array();
  ASSERT_EQ(instances.size(), 2u);
  EXPECT_EQ(instances[0].at("instanceId").as_string(), "executor");
  EXPECT_EQ(instances[1].at("instanceId").as_string(), "in-vkkv");
  for (const json::value& in : instances) {
    for (const auto& kv : in.as_object()) {
      ASSERT_TRUE(fixture_kinds.contains(kv.key())) << "key not in the AIOS shape: " << kv.key();
      EXPECT_EQ(kv.value().kind(), fixture_kinds[kv.key()]) << kv.key();
    }
    // An ok instance: healthy, lastMetrics, no reason (as in-vkkv in the fixture).
    EXPECT_TRUE(in.at("healthy").as_bool()) << in;
    EXPECT_TRUE(in.as_object().contains("lastMetrics")) << in;
    EXPECT_FALSE(in.as_object().contains("reason")) << in;
  }
}

TEST_F(AiosEcho, KeysComeInTheOrderAiosClientsReceive) {
  judge(0, 1);
  const std::string raw = http_get(address(), kAiosPath).body;
  // Top level and instance keys are sorted, as in AIOS's answers.
  auto at = [&](const std::string& key, std::size_t from = 0) {
    return raw.find("\"" + key + "\":", from);
  };
  ASSERT_NE(at("block_id"), std::string::npos) << raw;
  EXPECT_LT(at("block_id"), at("healthy")) << raw;
  EXPECT_LT(at("healthy"), at("instances")) << raw;
  EXPECT_LT(at("instances"), at("success")) << raw;
  const std::size_t second = raw.find("\"in-vkkv\"");
  ASSERT_NE(second, std::string::npos) << raw;
  const std::size_t start = raw.rfind('{', second);
  EXPECT_LT(at("healthy", start), at("instanceId", start)) << raw;
  EXPECT_LT(at("instanceId", start), at("lastMetrics", start)) << raw;
  EXPECT_LT(at("lastMetrics", start), at("reason", start)) << raw;
}

// AIOS writes a reason on unhealthy rows only; /v1 has the degraded reason.
TEST_F(AiosEcho, DegradedInstanceIsHealthyWithoutAReason) {
  judge(0, 1);
  const json::value view = block_view(address(), kBlockId);
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "status"), "degraded") << view;
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "reason"), "test_echo: test_status=1") << view;
  const json::value body = aios();
  const json::object& vkkv = body.at("instances").at(1).as_object();
  EXPECT_EQ(vkkv.at("instanceId").as_string(), "in-vkkv");
  EXPECT_TRUE(vkkv.at("healthy").as_bool());
  EXPECT_FALSE(vkkv.contains("reason")) << body;
  // A degraded instance still serves: the block stays healthy.
  EXPECT_TRUE(body.at("healthy").as_bool()) << body;
}

TEST_F(AiosEcho, BlockIsHealthyOnlyWhenEveryInstanceIs) {
  judge(0, 0);
  EXPECT_TRUE(aios().at("healthy").as_bool());
  judge(0, 2);
  json::value body = aios();
  EXPECT_FALSE(body.at("healthy").as_bool()) << body;
  EXPECT_TRUE(body.at("instances").at(0).at("healthy").as_bool()) << body;
  EXPECT_FALSE(body.at("instances").at(1).at("healthy").as_bool()) << body;
  EXPECT_EQ(body.at("instances").at(1).at("reason").as_string(), "test_echo: test_status=2");
  // An unknown verdict (test_status 7) is not healthy either.
  judge(7, 0);
  body = aios();
  EXPECT_FALSE(body.at("healthy").as_bool()) << body;
  EXPECT_FALSE(body.at("instances").at(0).at("healthy").as_bool()) << body;
  EXPECT_EQ(body.at("instances").at(0).at("reason").as_string(), "test_echo: test_status=7");
  judge(0, 0);
  EXPECT_TRUE(aios().at("healthy").as_bool());
}

TEST_F(AiosEcho, LastMetricsGrowsBetweenTwoGets) {
  judge(0, 0);
  auto seconds_ago = [&](const json::value& body) {
    const std::string text(body.at("instances").at(1).at("lastMetrics").as_string());
    EXPECT_EQ(text.substr(text.size() - 5), "s ago") << text;
    return std::stod(text);
  };
  const double first = seconds_ago(aios());
  EXPECT_GE(first, 0.0);
  double later = first;
  // No new observation: the age is computed per request and keeps growing.
  EXPECT_TRUE(wait_until([&] {
    later = seconds_ago(aios());
    return later > first;
  })) << first
      << " then " << later;
  // A new push resets it below what it had reached.
  const double before_push = seconds_ago(aios());
  ASSERT_EQ(push_status(address(), kBlockId, "in-vkkv", 0).status, 200);
  EXPECT_LE(seconds_ago(aios()), before_push);
}

}  // namespace
}  // namespace blockhealth::test
