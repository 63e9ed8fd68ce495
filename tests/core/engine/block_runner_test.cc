// What a block does with misbehaving policies (errors, overruns), its
// pushed instances, and the isolation of blocks from each other; driven
// through the Engine with real plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/engine/engine.h"
#include "core/wire/block_bodies.h"
#include "core/wire/plugins_json.h"
#include "tests/core/engine/engine_harness.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string failing_config() {
  return test_defaults_yaml() +
         "blocks:\n"
         "  - id: b\n"
         "    instances: [{id: i1}]\n"
         "    policies:\n"
         "      - use: test_echo\n"
         "        id: echo\n"
         "      - use: test_fail\n"
         "        id: failing\n";
}

// Block "slow" runs test_hang (hang_ms, timeout); block "fast" runs test_echo.
std::string hang_config(int hang_ms, const std::string& timeout) {
  return test_defaults_yaml() +
         "blocks:\n"
         "  - id: slow\n"
         "    instances: [{id: s1}]\n"
         "    policies:\n"
         "      - use: test_hang\n"
         "        id: hang\n"
         "        timeout: " +
         timeout +
         "\n"
         "        with: {hang_ms: " +
         std::to_string(hang_ms) +
         "}\n"
         "  - id: fast\n"
         "    instances: [{id: f1}]\n"
         "    policies:\n"
         "      - use: test_echo\n"
         "        id: echo\n";
}

TEST(BlockRunner, AFailingPolicyIsUnknownThenQuarantinedAfterThreeErrors) {
  EngineHarness h;
  h.apply(failing_config());
  h.push_status("b", "i1", 0);
  h.evaluate("b");
  InstanceView i1 = h.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnknown);
  EXPECT_EQ(i1.policy, "failing");
  EXPECT_EQ(i1.reason, "failing: policy test_fail failed: deliberate failure");
  EXPECT_FALSE(h.policy_state("b", "failing").quarantined);

  h.evaluate("b");
  h.evaluate("b");
  EXPECT_EQ(h.listener().outcome_count("b", "failing", CallOutcome::kError), 3U);
  PolicyStateView state = h.policy_state("b", "failing");
  EXPECT_EQ(state.errors, 3U);
  EXPECT_EQ(state.calls, 3U);
  EXPECT_TRUE(state.quarantined);
  EXPECT_EQ(state.quarantine_until_ms, EngineHarness::kStartMs + 60'000);
  EXPECT_EQ(state.quarantine_reason, "policy test_fail failed: deliberate failure");
  // The other policy of the block is not affected.
  EXPECT_FALSE(h.policy_state("b", "echo").quarantined);
  EXPECT_EQ(h.instance("b", "i1").policies[0].status, Status::kOk);

  // While quarantined the plugin is not called.
  h.evaluate("b");
  EXPECT_EQ(h.listener().outcome_count("b", "failing", CallOutcome::kQuarantined), 1U);
  EXPECT_EQ(h.policy_state("b", "failing").calls, 3U);
  i1 = h.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnknown);
  EXPECT_EQ(i1.reason,
            "failing: policy test_fail quarantined until 2027-01-15T08:01:00.000Z: policy "
            "test_fail failed: deliberate failure");

  const json::value plugins = json::parse(wire::plugins_body(h.engine().plugins_view()));
  bool listed = false;
  for (const json::value& p : plugins.at("policies").as_array()) {
    if (p.at("id") != "failing") continue;
    listed = true;
    EXPECT_EQ(p.at("block_id"), "b");
    EXPECT_EQ(p.at("use"), "test_fail");
    EXPECT_EQ(p.at("quarantined"), true);
    EXPECT_EQ(p.at("errors"), 3);
    EXPECT_EQ(p.at("quarantine").at("until"), "2027-01-15T08:01:00.000Z");
    EXPECT_EQ(p.at("quarantine").at("reason"), "policy test_fail failed: deliberate failure");
  }
  EXPECT_TRUE(listed);
  const json::value detail = json::parse(wire::bodies_of(*h.view("b")).detail());
  EXPECT_EQ(detail.at("policies").at(1).at("quarantine").at("until"), "2027-01-15T08:01:00.000Z");
}

TEST(BlockRunner, AfterTheBackoffThePolicyIsCalledAgainAndBacksOffLonger) {
  EngineHarness h;
  h.apply(failing_config());
  for (int i = 0; i < 3; ++i) h.evaluate("b");
  ASSERT_TRUE(h.policy_state("b", "failing").quarantined);
  h.clock().advance_ms(60'000);
  h.evaluate("b");
  EXPECT_EQ(h.listener().outcome_count("b", "failing", CallOutcome::kError), 4U);
  const PolicyStateView state = h.policy_state("b", "failing");
  EXPECT_TRUE(state.quarantined);
  EXPECT_EQ(state.quarantine_until_ms, h.clock().wall_ms() + 120'000);
}

TEST(BlockRunner, AnOverrunningCallIsAbandonedAtItsDeadlineAndQuarantined) {
  EngineHarness h;
  h.apply(hang_config(1'000, "100ms"));
  h.push_status("slow", "s1", 0);
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  ASSERT_TRUE(wait_until(
      [&] { return h.listener().outcome_count("slow", "hang", CallOutcome::kTimeout) == 1; }));
  h.barrier();
  const InstanceView s1 = h.instance("slow", "s1");
  EXPECT_EQ(s1.status, Status::kUnknown);
  EXPECT_EQ(s1.reason, "hang: policy test_hang timed out after 100ms");
  PolicyStateView state = h.policy_state("slow", "hang");
  EXPECT_EQ(state.timeouts, 1U);
  EXPECT_TRUE(state.quarantined);
  EXPECT_EQ(state.quarantine_reason, "policy test_hang timed out after 100ms");

  // The late answer ("woke up", OK) is dropped when it finally comes.
  ASSERT_TRUE(wait_until([&] { return !h.busy_now("slow", "hang"); }));
  h.barrier();
  EXPECT_EQ(h.listener().outcome_count("slow", "hang", CallOutcome::kOk), 0U);
  EXPECT_EQ(h.instance("slow", "s1").reason, "hang: policy test_hang timed out after 100ms");
}

TEST(BlockRunner, AHungPolicyDoesNotHoldUpAnotherBlock) {
  EngineHarness h;
  h.apply(hang_config(3'000, "2s"));
  h.push_status("fast", "f1", 0);
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  h.evaluate("fast");
  EXPECT_EQ(h.instance("fast", "f1").status, Status::kOk);
  // The slow call had neither answered nor timed out meanwhile.
  EXPECT_EQ(h.listener().call_count("slow"), 0U);
  EXPECT_TRUE(h.busy_now("slow", "hang"));
}

TEST(BlockRunner, CapacitySurvivesAnAbandonedCall) {
  EngineOptions options = EngineHarness::default_options();
  options.eval_workers = 1;
  EngineHarness h(options);
  h.apply(hang_config(3'000, "100ms"));
  h.push_status("fast", "f1", 0);
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  ASSERT_TRUE(wait_until(
      [&] { return h.listener().outcome_count("slow", "hang", CallOutcome::kTimeout) == 1; }));
  // The only worker is stuck in test_hang; its replacement runs this.
  h.evaluate("fast");
  EXPECT_EQ(h.instance("fast", "f1").status, Status::kOk);
  EXPECT_TRUE(h.busy_now("slow", "hang"));
}

TEST(BlockRunner, AFullQueueSkipsTheCallWithAReason) {
  EngineOptions options = EngineHarness::default_options();
  options.eval_queue = 0;
  EngineHarness h(options);
  h.apply(failing_config());
  h.push_status("b", "i1", 0);
  h.evaluate("b");
  EXPECT_EQ(h.listener().outcome_count("b", "echo", CallOutcome::kRejected), 1U);
  EXPECT_EQ(h.instance("b", "i1").policies[0].reason,
            "policy test_echo not evaluated: too many evaluations queued");
  EXPECT_FALSE(h.policy_state("b", "echo").busy);
  EXPECT_EQ(h.policy_state("b", "echo").calls, 0U);
}

TEST(BlockRunner, PushedInstancesAreRegisteredAndRemoved) {
  EngineHarness h;
  h.apply(failing_config());
  ASSERT_TRUE(h.engine().register_instance("b", "p1"));
  ASSERT_TRUE(h.engine().register_instance("b", "p1"));  // idempotent
  auto view = h.view("b");
  ASSERT_EQ(view->instances.size(), 2U);
  EXPECT_TRUE(view->instances[1].pushed);
  EXPECT_EQ(view->instances[1].reason, "no observations yet");
  EXPECT_EQ(json::parse(wire::bodies_of(*view).detail()).at("instances").at(1).at("source"),
            "pushed");

  h.push_status("b", "p1", 2);
  ASSERT_TRUE(h.engine().register_instance("b", "p1"));  // keeps the data
  h.evaluate("b");
  EXPECT_EQ(h.instance("b", "p1").policies[0].status, Status::kUnhealthy);

  ASSERT_TRUE(h.engine().unregister_instance("b", "p1"));
  EXPECT_EQ(h.view("b")->instances.size(), 1U);
  EXPECT_EQ(h.engine().find_record("b", "p1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(h.engine().store().find({"b", "p1"}), nullptr);
}

TEST(BlockRunner, UnregisterRefusesConfiguredAndUnknownInstances) {
  EngineHarness h;
  h.apply(failing_config());
  auto configured = h.engine().unregister_instance("b", "i1");
  ASSERT_FALSE(configured);
  EXPECT_EQ(configured.error().code, ErrorCode::kConflict);
  EXPECT_EQ(configured.error().message,
            "instance 'i1' of block 'b' comes from the config file; remove it there and reload");
  auto unknown = h.engine().unregister_instance("b", "zz");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().message, "block 'b' has no instance 'zz'");
  auto no_block = h.engine().unregister_instance("nope", "i1");
  ASSERT_FALSE(no_block);
  EXPECT_EQ(no_block.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(h.view("b")->instances.size(), 1U);
}

}  // namespace
}  // namespace blockhealth::test
