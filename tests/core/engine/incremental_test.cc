// Incremental evaluation (ABI 1.1): a tick judges only the instances with
// news or whose verdict stopped holding; old plugins and verdicts that say
// nothing are judged every interval; time-driven rules (hysteresis counts,
// staleness) stay exact. Driven tick by tick with a manual clock.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/engine/engine.h"
#include "tests/core/engine/engine_harness.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// Block b: instances i1..i3, test_echo with `hold`, thresholds from
// test_defaults_yaml() unless `thresholds` overrides them.
std::string held_echo(const std::string& hold, const std::string& block_extra = "") {
  return test_defaults_yaml() +
         "blocks:\n"
         "  - id: b\n" +
         block_extra +
         "    instances:\n"
         "      - id: i1\n"
         "      - id: i2\n"
         "      - id: i3\n"
         "    policies:\n"
         "      - use: test_echo\n"
         "        id: echo\n"
         "        with: { hold: " +
         hold + " }\n";
}

// Instances test_echo has judged so far (its own count, via manage).
std::uint64_t judged(EngineHarness& h) {
  auto answer = manage(h.engine(), "b", "echo", "count");
  EXPECT_TRUE(answer) << answer.error().message;
  return answer ? json::parse(*answer).at("evaluations").to_number<std::uint64_t>() : 0;
}

class Incremental : public ::testing::Test {
 protected:
  void push_all(double value) {
    for (const char* id : {"i1", "i2", "i3"}) h_.push_status("b", id, value);
  }
  EngineHarness h_;
};

TEST_F(Incremental, AVerdictThatHoldsUntilNewDataIsNotJudgedAgainWithoutNews) {
  h_.apply(held_echo("new_data"));
  push_all(0);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 3U);
  EXPECT_EQ(h_.instance("b", "i2").status, Status::kOk);

  // Ticks without news call nothing.
  const std::size_t calls = h_.listener().call_count("b");
  for (int i = 0; i < 3; ++i) {
    h_.clock().advance_ms(1'000);
    h_.tick("b");
  }
  EXPECT_EQ(h_.listener().call_count("b"), calls);
  EXPECT_EQ(judged(h_), 3U);

  // News for one instance: that one alone is judged.
  h_.push_status("b", "i2", 2);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 4U);
  EXPECT_EQ(h_.instance("b", "i2").status, Status::kUnhealthy);
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
  const InstanceView i1 = h_.instance("b", "i1");
  ASSERT_EQ(i1.policies.size(), 1U);
  EXPECT_EQ(i1.policies[0].valid_until_ms, BH_VALID_UNTIL_NEW_DATA);
}

TEST_F(Incremental, AVerdictThatHoldsForATimeIsJudgedAgainWhenItRunsOut) {
  h_.apply(held_echo("5000"));
  push_all(0);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 3U);
  EXPECT_EQ(h_.instance("b", "i1").policies[0].valid_until_ms, h_.clock().wall_ms() + 5'000);
  h_.clock().advance_ms(4'999);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 3U);  // still holds
  h_.clock().advance_ms(1);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 6U);  // all three ran out together
}

TEST_F(Incremental, AVerdictThatSaysNothingIsJudgedEveryInterval) {
  h_.apply(held_echo("interval"));
  push_all(0);
  h_.tick("b");
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  EXPECT_EQ(judged(h_), 9U);
  EXPECT_EQ(h_.instance("b", "i3").policies[0].streak, 3);
}

TEST_F(Incremental, APluginOfAbi10IsGivenTheWholeBlockAtEveryTick) {
  h_.add_plugin_dir(test_plugin_dir() / "test_c_minimal");
  h_.apply(test_defaults_yaml() +
           "blocks:\n"
           "  - id: b\n"
           "    instances: [{id: i1}, {id: i2}]\n"
           "    policies:\n"
           "      - use: test_c_minimal\n"
           "        id: minimal\n");
  h_.push_status("b", "i1", 0);
  h_.push_status("b", "i2", 0);
  for (int i = 0; i < 3; ++i) {
    h_.tick("b");
    h_.clock().advance_ms(1'000);
  }
  EXPECT_EQ(h_.listener().outcome_count("b", "minimal", CallOutcome::kOk), 3U);
  const InstanceView i2 = h_.instance("b", "i2");
  EXPECT_EQ(i2.status, Status::kOk);
  EXPECT_EQ(i2.policies[0].streak, 3);
  EXPECT_EQ(i2.policies[0].valid_until_ms, 0);  // it never says
}

TEST_F(Incremental, APendingSwitchIsCountedEveryIntervalThoughTheVerdictHolds) {
  // unhealthy_after 3: the switch needs three results in a row.
  h_.apply(held_echo("new_data", "    unhealthy_after: 3\n"));
  push_all(0);
  h_.tick("b");
  h_.push_status("b", "i1", 2);
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
  EXPECT_EQ(h_.instance("b", "i1").policies[0].raw_status, Status::kUnhealthy);
  // No more news, but the switch is pending: each tick counts.
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").policies[0].streak, 2);
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kUnhealthy);
  // Settled: no more calls without news.
  const std::uint64_t after_switch = judged(h_);
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  EXPECT_EQ(judged(h_), after_switch);
}

TEST_F(Incremental, StalenessComesWithoutAnyCallWhenVerdictsHold) {
  h_.apply(held_echo("new_data", "    interval: 1s\n    timeout: 500ms\n    stale_after: 10s\n"));
  push_all(0);
  h_.tick("b");
  ASSERT_EQ(h_.instance("b", "i1").status, Status::kOk);
  const std::size_t calls = h_.listener().call_count("b");
  h_.clock().advance_ms(10'001);
  h_.tick("b");
  EXPECT_EQ(h_.listener().call_count("b"), calls);
  const InstanceView i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnknown);
  EXPECT_EQ(i1.policy, "staleness");
  EXPECT_EQ(i1.reason, "no observations for 10.0s (stale_after 10s)");
  // Its reason ages with each tick.
  h_.clock().advance_ms(5'000);
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").reason, "no observations for 15.0s (stale_after 10s)");
  // News brings it back.
  h_.push_status("b", "i1", 0);
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
}

TEST_F(Incremental, AReloadJudgesEveryInstanceAgainWithTheNewParameters) {
  h_.apply(held_echo("new_data"));
  push_all(0);
  h_.tick("b");
  ASSERT_EQ(h_.instance("b", "i1").reason, "echo: test_status=0");
  h_.apply(test_defaults_yaml() +
           "blocks:\n"
           "  - id: b\n"
           "    instances: [{id: i1}, {id: i2}, {id: i3}]\n"
           "    policies:\n"
           "      - use: test_echo\n"
           "        id: echo\n"
           "        with: { hold: new_data, prefix: 'v2 ' }\n");
  h_.tick("b");
  EXPECT_EQ(h_.instance("b", "i1").reason, "echo: v2 test_status=0");
  EXPECT_EQ(h_.instance("b", "i3").reason, "echo: v2 test_status=0");
}

TEST_F(Incremental, NothingChangedMovesNeitherVersionNorStateIndex) {
  h_.apply(held_echo("new_data"));
  push_all(1);
  h_.tick("b");
  const BlockViewConstSharedPtr before = h_.view("b");
  h_.clock().advance_ms(1'000);
  h_.tick("b");
  const BlockViewConstSharedPtr after = h_.view("b");
  // The engine looked ("evaluated_at" moved) but judged nothing new.
  EXPECT_GT(after->built_ms, before->built_ms);
  EXPECT_EQ(after->state_index, before->state_index);
  EXPECT_EQ(after->instances[0].policies[0].evaluated_ms,
            before->instances[0].policies[0].evaluated_ms);
  // A change that shows moves the state index once.
  h_.push_status("b", "i3", 2);
  h_.tick("b");
  EXPECT_EQ(h_.view("b")->state_index, before->state_index + 1);
}

}  // namespace
}  // namespace blockhealth::test

namespace blockhealth::test {
namespace {

// The built-in policies say what they read: a metrics push is no news to
// log_pattern, log lines are none to gpu_temperature.
TEST(IncrementalInputs, NewDataOfAKindAPolicyDoesNotReadDoesNotCallIt) {
  EngineHarness h;
  h.add_plugin_dir(plugin_dir());
  h.apply(test_defaults_yaml() +
          "blocks:\n"
          "  - id: b\n"
          "    instances: [{id: i1}]\n"
          "    policies:\n"
          "      - use: gpu_temperature\n"
          "      - use: log_pattern\n"
          "        with: { critical: ['CUDA error'] }\n");
  MetricSample temp;
  temp.name = "DCGM_FI_DEV_GPU_TEMP";
  temp.labels = {{"gpu", "0"}};
  temp.value = 50;
  h.push("b", "i1", {temp});
  h.tick("b");
  const auto calls = [&](const char* policy) {
    return h.listener().outcome_count("b", policy, CallOutcome::kOk);
  };
  EXPECT_EQ(calls("gpu_temperature"), 1U);
  EXPECT_EQ(calls("log_pattern"), 1U);

  // Samples: gpu_temperature again, log_pattern not.
  temp.value = 51;
  h.push("b", "i1", {temp});
  h.tick("b");
  EXPECT_EQ(calls("gpu_temperature"), 2U);
  EXPECT_EQ(calls("log_pattern"), 1U);

  // A log line: log_pattern again, gpu_temperature not.
  auto record = h.engine().find_record("b", "i1");
  ASSERT_TRUE(record);
  const std::vector<std::string> lines = {"CUDA error: an illegal memory access"};
  (*record)->append_logs(lines, h.clock().wall_ms());
  h.tick("b");
  EXPECT_EQ(calls("gpu_temperature"), 2U);
  EXPECT_EQ(calls("log_pattern"), 2U);
  EXPECT_EQ(h.instance("b", "i1").status, Status::kUnhealthy);
}

}  // namespace
}  // namespace blockhealth::test
