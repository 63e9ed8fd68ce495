// Engine::apply() of a second plan (a reload): what survives, what is
// reused, what is recreated.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>

#include "core/engine/engine.h"
#include "core/wire/block_bodies.h"
#include "core/wire/plugins_json.h"
#include "tests/core/engine/engine_harness.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string reload_config(const std::string& with = "", const std::string& extra_instance = "",
                          bool second_block = false) {
  std::string yaml = test_defaults_yaml() +
                     "blocks:\n"
                     "  - id: b\n"
                     "    instances:\n"
                     "      - id: i1\n" +
                     extra_instance +
                     "    policies:\n"
                     "      - use: test_echo\n"
                     "        id: echo\n" +
                     with;
  if (second_block) {
    yaml +=
        "  - id: b2\n"
        "    instances: [{id: x}]\n"
        "    policies: [{use: test_echo}]\n";
  }
  return yaml;
}

std::uint64_t evaluations(Engine& engine) {
  auto r = manage(engine, "b", "echo", "count");
  EXPECT_TRUE(r) << r.error().message;
  if (!r) return 0;
  return json::parse(*r).at("evaluations").to_number<std::uint64_t>();
}

const PolicyHandle* handle_of(Engine& engine, const std::string& block) {
  for (const PlannedBlock& b : engine.plan()->blocks) {
    if (b.config->id == block) return b.policies.at(0).handle.get();
  }
  return nullptr;
}

TEST(EngineReload, KeepsInstanceHistoryPushedInstancesAndTheirData) {
  EngineHarness h;
  h.apply(reload_config());
  ASSERT_TRUE(h.engine().register_instance("b", "p1"));
  h.push_status("b", "i1", 0);
  h.push_status("b", "p1", 2);
  h.evaluate("b");
  const auto before = h.view("b");
  ASSERT_EQ(wire::history_items(*before->history).size(), 2U);
  const std::vector<std::string> history = wire::history_items(*before->history);

  h.apply(reload_config("        with: {prefix: 'v2 '}\n", "      - id: i2\n"));
  const auto after = h.view("b");
  ASSERT_EQ(after->instances.size(), 3U);
  EXPECT_EQ(after->instances[0].id, "i1");
  EXPECT_EQ(after->instances[1].id, "i2");
  EXPECT_EQ(after->instances[2].id, "p1");
  EXPECT_TRUE(after->instances[2].pushed);
  EXPECT_TRUE(after->paused);  // the paused flag survives too
  EXPECT_EQ(wire::history_items(*after->history), history);
  // Trackers of surviving policy ids are kept: no new transition.
  EXPECT_EQ(h.instance("b", "i1").status, Status::kOk);
  EXPECT_EQ(h.instance("b", "p1").status, Status::kUnhealthy);
  EXPECT_EQ(h.listener().transitions().size(), 2U);

  // The pushed samples are still there for the new policy instance.
  h.evaluate("b");
  EXPECT_EQ(h.instance("b", "p1").reason, "echo: v2 test_status=2");
  EXPECT_EQ(h.instance("b", "i1").reason, "echo: v2 test_status=0");
  EXPECT_EQ(h.instance("b", "i2").reason, "no observations yet");
}

TEST(EngineReload, ReusesAnUnchangedPolicyInstanceAndRecreatesAChangedOne) {
  EngineHarness h;
  h.apply(reload_config());
  h.evaluate("b");
  h.evaluate("b");
  EXPECT_EQ(evaluations(h.engine()), 2U);
  const PolicyHandle* first = handle_of(h.engine(), "b");

  h.apply(reload_config());  // same file again
  EXPECT_EQ(handle_of(h.engine(), "b"), first);
  h.evaluate("b");
  EXPECT_EQ(evaluations(h.engine()), 3U);  // the same instance keeps counting

  h.apply(reload_config("        with: {prefix: 'p '}\n"));  // changed params
  EXPECT_NE(handle_of(h.engine(), "b"), first);
  EXPECT_EQ(evaluations(h.engine()), 0U);
  h.evaluate("b");
  EXPECT_EQ(evaluations(h.engine()), 1U);
}

TEST(EngineReload, RemovedBlocksAndInstancesAreForgotten) {
  EngineHarness h;
  h.apply(reload_config("", "      - id: i2\n", true));
  h.push_status("b", "i2", 0);
  h.push_status("b2", "x", 0);
  ASSERT_NE(h.view("b2"), nullptr);

  h.apply(reload_config());
  EXPECT_EQ(h.view("b2"), nullptr);
  EXPECT_EQ(h.engine().views()->ordered.size(), 1U);
  EXPECT_EQ(h.view("b")->instances.size(), 1U);
  EXPECT_EQ(h.engine().store().find({"b", "i2"}), nullptr);
  EXPECT_EQ(h.engine().store().find({"b2", "x"}), nullptr);
  EXPECT_EQ(h.engine().find_record("b2", "x").error().message,
            "no block 'b2' in the configuration");
  EXPECT_EQ(h.engine().evaluate_now("b2").error().code, ErrorCode::kNotFound);
}

TEST(EngineReload, AQuarantineOfAnUnchangedPolicySurvives) {
  EngineHarness h;
  const std::string yaml = test_defaults_yaml() +
                           "blocks:\n"
                           "  - id: b\n"
                           "    instances: [{id: i1}]\n"
                           "    policies: [{use: test_fail, id: failing}]\n";
  h.apply(yaml);
  for (int i = 0; i < 3; ++i) h.evaluate("b");
  ASSERT_TRUE(h.policy_state("b", "failing").quarantined);
  h.apply(yaml);
  const PolicyStateView state = h.policy_state("b", "failing");
  EXPECT_TRUE(state.quarantined);
  EXPECT_EQ(state.calls, 3U);
  EXPECT_EQ(state.errors, 3U);
  h.evaluate("b");
  EXPECT_EQ(h.listener().outcome_count("b", "failing", CallOutcome::kQuarantined), 1U);
}

TEST(EngineReload, NewThresholdsApplyToKeptTrackers) {
  EngineHarness h;
  h.apply(reload_config());
  h.push_status("b", "i1", 0);
  h.evaluate("b");
  ASSERT_EQ(h.instance("b", "i1").status, Status::kOk);
  h.apply(reload_config("        unhealthy_after: 2\n"));
  h.push_status("b", "i1", 2);
  h.evaluate("b");
  EXPECT_EQ(h.instance("b", "i1").status, Status::kOk);
  h.evaluate("b");
  EXPECT_EQ(h.instance("b", "i1").status, Status::kUnhealthy);
}

TEST(EngineReload, ACallStillRunningInAReusedPolicyMakesTheNewBlockSkipIt) {
  EngineHarness h;
  const std::string yaml = test_defaults_yaml() +
                           "blocks:\n"
                           "  - id: slow\n"
                           "    instances: [{id: s1}]\n"
                           "    policies:\n"
                           "      - use: test_hang\n"
                           "        id: hang\n"
                           "        with: {hang_ms: 1500}\n";
  h.apply(yaml);
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  h.apply(yaml);  // reuses the policy instance whose call is running
  ASSERT_TRUE(h.busy_now("slow", "hang"));
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  h.barrier();
  EXPECT_EQ(h.listener().outcome_count("slow", "hang", CallOutcome::kBusy), 1U);
  EXPECT_EQ(h.policy_state("slow", "hang").skipped_busy, 1U);
  EXPECT_EQ(h.instance("slow", "s1").policies[0].reason,
            "policy test_hang is still running a previous evaluation");
  // The old block's answer is dropped; once the plugin returns, the new
  // block can call it again.
  ASSERT_TRUE(wait_until([&] { return !h.busy_now("slow", "hang"); }));
  h.evaluate("slow");
  EXPECT_EQ(h.listener().outcome_count("slow", "hang", CallOutcome::kOk), 1U);
  EXPECT_EQ(h.instance("slow", "s1").policies[0].reason, "woke up");
}

}  // namespace
}  // namespace blockhealth::test
