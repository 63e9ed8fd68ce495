// The verdict rules end to end: hysteresis (unhealthy_after, healthy_after)
// over evaluations driven with mgmt "evaluate", and staleness (stale_after,
// never observed).
#include <gtest/gtest.h>

#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kBlock = "block";

class Hysteresis : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = test_plugin_dirs_yaml({"test_echo"}) + R"(
defaults:
  interval: 1h
  timeout: 2s
  stale_after: 1h
blocks:
  - id: block
    unhealthy_after: 3
    healthy_after: 2
    instances:
      - id: node
    policies:
      - use: test_echo
)";
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), kBlock, "pause").status, 200);
  }
  const std::string& address() const { return daemon_->address(); }

  // Sets test_status, evaluates once and waits until the policy's raw
  // result has that streak; the node's policy result afterwards.
  json::value evaluate_with(int test_status, const std::string& raw_status, int streak) {
    EXPECT_EQ(push_status(address(), kBlock, "node", test_status).status, 200);
    const json::value view = evaluate_and_wait(address(), kBlock, [&](const json::value& v) {
      const json::value p = policy_result_of(instance_of(v, "node"), "test_echo");
      return str(p, "raw_status") == raw_status && p.at("streak").to_number<int>() == streak;
    });
    return instance_of(view, "node");
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Hysteresis, UnhealthyOnlyAfterThreeCriticalEvaluationsInARow) {
  // healthy_after 2: the first good result is not enough to leave "unknown".
  json::value node = evaluate_with(0, "ok", 1);
  EXPECT_EQ(str(node, "status"), "unknown") << node;
  node = evaluate_with(0, "ok", 2);
  EXPECT_EQ(str(node, "status"), "ok") << node;

  node = evaluate_with(2, "unhealthy", 1);
  EXPECT_EQ(str(node, "status"), "ok") << node;
  node = evaluate_with(2, "unhealthy", 2);
  EXPECT_EQ(str(node, "status"), "ok") << node;
  json::value p = policy_result_of(node, "test_echo");
  EXPECT_EQ(str(p, "status"), "ok") << p;
  EXPECT_EQ(str(p, "raw_status"), "unhealthy") << p;
  EXPECT_EQ(p.at("streak").to_number<int>(), 2) << p;
  EXPECT_TRUE(http_get(address(), "/block/health/block").json().at("healthy").as_bool());

  node = evaluate_with(2, "unhealthy", 3);
  EXPECT_EQ(str(node, "status"), "unhealthy") << node;
  EXPECT_EQ(str(node, "reason"), "test_echo: test_status=2") << node;
  p = policy_result_of(node, "test_echo");
  EXPECT_EQ(str(p, "status"), "unhealthy") << p;

  // healthy_after 2 on the way back.
  node = evaluate_with(0, "ok", 1);
  EXPECT_EQ(str(node, "status"), "unhealthy") << node;
  node = evaluate_with(0, "ok", 2);
  EXPECT_EQ(str(node, "status"), "ok") << node;

  const json::value history = http_get(address(), "/v1/blocks/block/history").json();
  const json::array& t = history.at("transitions").as_array();
  ASSERT_EQ(t.size(), 3u) << history;
  EXPECT_EQ(str(t[0], "from") + ">" + str(t[0], "to"), "unhealthy>ok");
  EXPECT_EQ(str(t[1], "from") + ">" + str(t[1], "to"), "ok>unhealthy");
  EXPECT_EQ(str(t[2], "from") + ">" + str(t[2], "to"), "unknown>ok");
}

TEST_F(Hysteresis, AGoodResultBreaksTheCriticalStreak) {
  evaluate_with(0, "ok", 1);
  evaluate_with(0, "ok", 2);
  evaluate_with(2, "unhealthy", 1);
  evaluate_with(2, "unhealthy", 2);
  json::value node = evaluate_with(0, "ok", 1);
  EXPECT_EQ(str(node, "status"), "ok") << node;
  evaluate_with(2, "unhealthy", 1);
  node = evaluate_with(2, "unhealthy", 2);
  EXPECT_EQ(str(node, "status"), "ok") << node;
}

// Short intervals: staleness is driven by the clock, so the test polls for
// the eventual state.
TEST(Staleness, NeverObservedIsUnknownAndSilenceBecomesStale) {
  TempDir dir;
  const std::string config = test_plugin_dirs_yaml({"test_echo"}) + R"(
defaults:
  interval: 500ms
  timeout: 500ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1s
blocks:
  - id: block
    instances:
      - id: silent
      - id: talker
    policies:
      - use: test_echo
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  ASSERT_EQ(push_status(daemon.address(), kBlock, "talker", 0).status, 200);
  json::value view = wait_for_view(daemon.address(), kBlock, [](const json::value& v) {
    return str(instance_of(v, "talker"), "status") == "ok";
  });
  const json::value silent = instance_of(view, "silent");
  EXPECT_EQ(str(silent, "status"), "unknown") << silent;
  EXPECT_EQ(str(silent, "policy"), "staleness") << silent;
  EXPECT_EQ(str(silent, "reason"), "no observations yet") << silent;
  EXPECT_FALSE(silent.at("healthy").as_bool());
  // The policy ran on it too, but never observed is never OK.
  EXPECT_EQ(str(policy_result_of(silent, "test_echo"), "reason"), "no test_status sample");

  // No push for longer than stale_after: unknown with the reason.
  view = wait_for_view(daemon.address(), kBlock, [](const json::value& v) {
    return str(instance_of(v, "talker"), "status") == "unknown";
  });
  const json::value talker = instance_of(view, "talker");
  EXPECT_EQ(str(talker, "policy"), "staleness") << talker;
  const std::string reason = str(talker, "reason");
  EXPECT_EQ(reason.rfind("no observations for ", 0), 0u) << reason;
  EXPECT_NE(reason.find("(stale_after 1s)"), std::string::npos) << reason;
  const json::value aios = http_get(daemon.address(), "/block/health/block").json();
  EXPECT_FALSE(aios.at("instances").at(1).at("healthy").as_bool()) << aios;
  EXPECT_EQ(std::string(aios.at("instances").at(1).at("reason").as_string())
                .rfind("no observations for ", 0),
            0u)
      << aios;

  // A new observation brings it back.
  ASSERT_EQ(push_status(daemon.address(), kBlock, "talker", 0).status, 200);
  wait_for_view(daemon.address(), kBlock, [](const json::value& v) {
    return str(instance_of(v, "talker"), "status") == "ok";
  });
  const json::value history = http_get(daemon.address(), "/v1/blocks/block/history").json();
  bool saw_stale = false;
  for (const json::value& t : history.at("transitions").as_array()) {
    if (str(t, "instance_id") == "talker" && str(t, "from") == "ok" && str(t, "to") == "unknown") {
      saw_stale =
          str(t, "policy") == "staleness" && str(t, "reason").rfind("no observations for ", 0) == 0;
    }
  }
  EXPECT_TRUE(saw_stale) << history;
}

}  // namespace
}  // namespace blockhealth::test
