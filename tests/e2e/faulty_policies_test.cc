// Policies that hang, fail or throw: their verdicts become UNKNOWN with the
// reason, they are quarantined (visible in /v1/plugins), and the daemon and
// the other blocks carry on.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// A block with the faulty policy `use` (and its `with`), next to a healthy
// block judged by test_echo; both evaluated often.
std::string config(const std::string& faulty_case, const std::string& faulty_policy) {
  return test_plugin_dirs_yaml({"test_echo", faulty_case}) + R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
blocks:
  - id: faulty
    instances:
      - id: node
    policies:
)" + faulty_policy +
         R"(
  - id: good
    instances:
      - id: node
    policies:
      - use: test_echo
)";
}

// The /v1/plugins entry of block `block`'s policy `policy` (null if none).
json::value plugins_policy(const std::string& address, const std::string& block,
                           const std::string& policy) {
  const json::value all = http_get(address, "/v1/plugins").json();
  for (const json::value& p : all.at("policies").as_array()) {
    if (str(p, "block_id") == block && str(p, "id") == policy) return p;
  }
  return nullptr;
}

// The good block keeps being evaluated (its calls counter grows) and its
// verdict follows pushed values.
void expect_good_block_keeps_working(const std::string& address) {
  const std::uint64_t calls = total_calls(block_view(address, "good"));
  wait_for_view(address, "good", [&](const json::value& v) { return total_calls(v) >= calls + 3; });
  ASSERT_EQ(push_status(address, "good", "node", 2).status, 200);
  wait_for_view(address, "good", [](const json::value& v) {
    return str(instance_of(v, "node"), "status") == "unhealthy" &&
           str(instance_of(v, "node"), "reason") == "test_echo: test_status=2";
  });
  ASSERT_EQ(push_status(address, "good", "node", 0).status, 200);
  wait_for_view(address, "good",
                [](const json::value& v) { return str(instance_of(v, "node"), "status") == "ok"; });
  EXPECT_EQ(http_get(address, "/healthz").status, 200);
}

TEST(FaultyPolicies, HangingPolicyTimesOutIsQuarantinedAndOtherBlocksCarryOn) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("test_hang", R"(
      - use: test_hang
        with: { hang_ms: 3000 })"));
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  ASSERT_EQ(push_status(address, "faulty", "node", 0).status, 200);
  ASSERT_EQ(push_status(address, "good", "node", 0).status, 200);

  json::value entry;
  ASSERT_TRUE(wait_until([&] {
    entry = plugins_policy(address, "faulty", "test_hang");
    return entry.is_object() && entry.at("quarantined").as_bool();
  })) << entry;
  EXPECT_EQ(str(entry, "use"), "test_hang");
  EXPECT_GE(entry.at("timeouts").to_number<int>(), 1) << entry;
  EXPECT_EQ(str(entry.at("quarantine"), "reason"), "policy test_hang timed out after 200ms")
      << entry;
  EXPECT_TRUE(entry.at("quarantine").at("until").is_string()) << entry;

  const json::value view = wait_for_view(address, "faulty", [](const json::value& v) {
    return str(instance_of(v, "node"), "status") == "unknown";
  });
  const json::value node = instance_of(view, "node");
  EXPECT_EQ(str(node, "policy"), "test_hang") << node;
  EXPECT_NE(str(node, "reason").find("policy test_hang timed out after 200ms"), std::string::npos)
      << node;
  const json::value state = policy_state_of(view, "test_hang");
  EXPECT_TRUE(state.at("quarantined").as_bool()) << state;
  EXPECT_NE(str(state.at("quarantine"), "reason").find("timed out"), std::string::npos) << state;

  const std::string metrics = http_get(address, "/metrics").body;
  EXPECT_NE(metrics.find(R"(blockhealth_policy_quarantined{block="faulty",policy="test_hang"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          R"(blockhealth_policy_calls_total{block="faulty",policy="test_hang",outcome="timeout"})"),
      std::string::npos)
      << metrics;

  expect_good_block_keeps_working(address);
  // The hung call does not keep the daemon from stopping.
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(), 0);
}

TEST(FaultyPolicies, FailingPolicyIsUnknownWithItsErrorIsQuarantinedAndOtherBlocksCarryOn) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("test_fail", R"(
      - use: test_fail)"));
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  ASSERT_EQ(push_status(address, "faulty", "node", 0).status, 200);
  ASSERT_EQ(push_status(address, "good", "node", 0).status, 200);

  const json::value view = wait_for_view(address, "faulty", [](const json::value& v) {
    return str(instance_of(v, "node"), "status") == "unknown" &&
           str(instance_of(v, "node"), "policy") == "test_fail";
  });
  EXPECT_NE(str(instance_of(view, "node"), "reason").find("deliberate failure"), std::string::npos)
      << view;

  json::value entry;
  ASSERT_TRUE(wait_until([&] {
    entry = plugins_policy(address, "faulty", "test_fail");
    return entry.is_object() && entry.at("quarantined").as_bool();
  })) << entry;
  EXPECT_GE(entry.at("errors").to_number<int>(), 3) << entry;
  EXPECT_EQ(str(entry.at("quarantine"), "reason"), "policy test_fail failed: deliberate failure")
      << entry;

  expect_good_block_keeps_working(address);
}

TEST(FaultyPolicies, ThrowingPolicyBecomesAnErrorVerdictAndTheDaemonLives) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config("test_throw", R"(
      - use: test_throw)"));
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  ASSERT_EQ(push_status(address, "faulty", "node", 0).status, 200);
  ASSERT_EQ(push_status(address, "good", "node", 0).status, 200);

  const json::value view = wait_for_view(address, "faulty", [](const json::value& v) {
    return str(instance_of(v, "node"), "policy") == "test_throw";
  });
  const json::value node = instance_of(view, "node");
  EXPECT_EQ(str(node, "status"), "unknown") << node;
  EXPECT_FALSE(node.at("healthy").as_bool()) << node;
  EXPECT_NE(str(node, "reason").find("boom from evaluate"), std::string::npos) << node;
  const json::value aios = http_get(address, "/block/health/faulty").json();
  EXPECT_FALSE(aios.at("healthy").as_bool()) << aios;
  EXPECT_NE(
      std::string(aios.at("instances").at(0).at("reason").as_string()).find("boom from evaluate"),
      std::string::npos)
      << aios;

  expect_good_block_keeps_working(address);
  EXPECT_EQ(http_get(address, "/readyz").status, 200);
}

TEST(FaultyPolicies, PolicyThrowingInCreateFailsStartupNamingIt) {
  TempDir dir;
  const std::string yaml = test_plugin_dirs_yaml({"test_throw"}) + R"(
blocks:
  - id: faulty
    policies:
      - use: test_throw
        with: { throw_in_create: true }
)";
  const auto file = dir.write("bad.yaml", yaml);
  const CommandResult result =
      run_blockhealthd({"--config", file.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("boom from create"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace blockhealth::test
