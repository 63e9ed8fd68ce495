// PolicyInstance through the real test plugins: create, evaluate (statuses,
// reasons, evidence, failures, deadlines), manage, host services.
#include "core/plugins/policy_instance.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/util/clock.h"
#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::test_plugin;
using ::testing::HasSubstr;

InstanceObservationsConstSharedPtr instance_with(const std::string& id,
                                                 std::optional<double> test_status) {
  auto in = std::make_shared<InstanceObservations>();
  in->block_id = "block";
  in->instance_id = id;
  in->samples.push_back(MetricSample{"other_metric", {{"gpu", "0"}}, 5, 1});
  if (test_status) in->samples.push_back(MetricSample{"test_status", {}, *test_status, 1});
  in->logs.push_back(LogLine{"a log line", 1});
  return in;
}

PolicyInstanceSharedPtr create(const std::string& plugin_name, const std::string& params = "{}") {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin(plugin_name));
  if (plugin == nullptr) return nullptr;
  Result<PolicyInstanceSharedPtr> instance =
      PolicyInstance::create(plugin, params, "block/" + plugin_name, SystemClock::instance());
  if (!instance) {
    ADD_FAILURE() << instance.error().message;
    return nullptr;
  }
  return *instance;
}

CallLimits within_seconds(std::int64_t seconds) {
  CallLimits limits;
  limits.deadline_ns = SystemClock::instance().monotonic_ns() + seconds * 1'000'000'000;
  return limits;
}

TEST(PolicyInstanceTest, EchoVerdictsFollowInputOrder) {
  const PolicyInstanceSharedPtr echo = create("test_echo", R"({"prefix":"p/"})");
  ASSERT_NE(echo, nullptr);
  EXPECT_EQ(echo->label(), "block/test_echo");
  EXPECT_EQ(echo->plugin().name(), "test_echo");
  const std::vector<InstanceObservationsConstSharedPtr> inputs{
      instance_with("ok", 0), instance_with("warn", 1), instance_with("crit", 2),
      instance_with("odd", 7), instance_with("none", std::nullopt)};
  const EvaluateOutcome outcome = echo->evaluate(inputs, within_seconds(10));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.error, "");
  ASSERT_EQ(outcome.verdicts.size(), 5U);
  EXPECT_EQ(outcome.verdicts[0],
            (PolicyVerdict{Status::kOk, "p/test_status=0", Evidence{"test_status", 0, 0}}));
  EXPECT_EQ(outcome.verdicts[1],
            (PolicyVerdict{Status::kDegraded, "p/test_status=1", Evidence{"test_status", 1, 0}}));
  EXPECT_EQ(outcome.verdicts[2],
            (PolicyVerdict{Status::kUnhealthy, "p/test_status=2", Evidence{"test_status", 2, 0}}));
  EXPECT_EQ(outcome.verdicts[3],
            (PolicyVerdict{Status::kUnknown, "p/test_status=7", Evidence{"test_status", 7, 0}}));
  EXPECT_EQ(outcome.verdicts[4], (PolicyVerdict{Status::kUnknown, "p/no test_status sample", {}}));
}

TEST(PolicyInstanceTest, EmptyBatchGivesNoVerdicts) {
  const PolicyInstanceSharedPtr echo = create("test_echo");
  ASSERT_NE(echo, nullptr);
  const EvaluateOutcome outcome = echo->evaluate({}, within_seconds(10));
  EXPECT_TRUE(outcome.ok) << outcome.error;
  EXPECT_TRUE(outcome.verdicts.empty());
}

TEST(PolicyInstanceTest, CancelledCallLeavesVerdictsNotEvaluated) {
  const PolicyInstanceSharedPtr echo = create("test_echo");
  ASSERT_NE(echo, nullptr);
  const std::atomic<bool> cancel{true};
  CallLimits limits = within_seconds(10);
  limits.cancel = &cancel;
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0),
                                                               instance_with("b", 2)};
  const EvaluateOutcome outcome = echo->evaluate(inputs, limits);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(outcome.verdicts.size(), 2U);
  for (const PolicyVerdict& v : outcome.verdicts) {
    EXPECT_EQ(v, (PolicyVerdict{Status::kUnknown, "not evaluated", {}}));
  }
}

TEST(PolicyInstanceTest, PastDeadlineLeavesVerdictsNotEvaluated) {
  const PolicyInstanceSharedPtr echo = create("test_echo");
  ASSERT_NE(echo, nullptr);
  CallLimits limits;
  limits.deadline_ns = SystemClock::instance().monotonic_ns() - 1;
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  const EvaluateOutcome outcome = echo->evaluate(inputs, limits);
  ASSERT_EQ(outcome.verdicts.size(), 1U);
  EXPECT_EQ(outcome.verdicts[0].reason, "not evaluated");
}

TEST(PolicyInstanceTest, FailingPolicyMakesEveryVerdictUnknownWithItsMessage) {
  const PolicyInstanceSharedPtr fail = create("test_fail");
  ASSERT_NE(fail, nullptr);
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0),
                                                               instance_with("b", 0)};
  const EvaluateOutcome outcome = fail->evaluate(inputs, within_seconds(10));
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "deliberate failure");
  ASSERT_EQ(outcome.verdicts.size(), 2U);
  for (const PolicyVerdict& v : outcome.verdicts) {
    EXPECT_EQ(v,
              (PolicyVerdict{Status::kUnknown, "policy test_fail failed: deliberate failure", {}}));
  }
}

TEST(PolicyInstanceTest, ThrowingEvaluateIsAnErrorNotACrash) {
  const PolicyInstanceSharedPtr thrower = create("test_throw");
  ASSERT_NE(thrower, nullptr);
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  const EvaluateOutcome outcome = thrower->evaluate(inputs, within_seconds(10));
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.error, "boom from evaluate");
  ASSERT_EQ(outcome.verdicts.size(), 1U);
  EXPECT_EQ(outcome.verdicts[0].status, Status::kUnknown);
  EXPECT_EQ(outcome.verdicts[0].reason, "policy test_throw failed: boom from evaluate");
}

TEST(PolicyInstanceTest, CreateFailureCarriesThePluginsMessage) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("test_throw"));
  ASSERT_NE(plugin, nullptr);
  Result<PolicyInstanceSharedPtr> instance = PolicyInstance::create(
      plugin, R"({"throw_in_create":true})", "block/test_throw", SystemClock::instance());
  ASSERT_FALSE(instance.has_value());
  EXPECT_EQ(instance.error().message,
            "policy test_throw failed to create an instance: boom from create");
}

TEST(PolicyInstanceTest, InvalidStatusBecomesUnknown) {
  const PolicyInstanceSharedPtr bad = create("test_bad_status");
  ASSERT_NE(bad, nullptr);
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  const EvaluateOutcome outcome = bad->evaluate(inputs, within_seconds(10));
  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(outcome.verdicts.size(), 1U);
  EXPECT_EQ(
      outcome.verdicts[0],
      (PolicyVerdict{Status::kUnknown, "policy test_bad_status returned invalid status 42", {}}));
}

TEST(PolicyInstanceTest, HangingPolicyReturnsAfterItsDeadlineWithShouldStopSet) {
  // The host cannot preempt in-process code: the call returns when the
  // plugin does. The engine is what stops waiting; here we check that the
  // verdicts come back and that should_stop() said "stop" by then.
  const PolicyInstanceSharedPtr hang = create("test_hang", R"({"hang_ms":300})");
  ASSERT_NE(hang, nullptr);
  CallLimits limits;
  limits.deadline_ns = SystemClock::instance().monotonic_ns() + 100'000'000;
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  const EvaluateOutcome outcome = hang->evaluate(inputs, limits);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(outcome.verdicts.size(), 1U);
  EXPECT_EQ(outcome.verdicts[0].status, Status::kOk);
  EXPECT_EQ(outcome.verdicts[0].reason, "woke up");
  ASSERT_TRUE(outcome.verdicts[0].evidence.has_value());
  EXPECT_EQ(outcome.verdicts[0].evidence->metric, "should_stop");
  EXPECT_EQ(outcome.verdicts[0].evidence->observed, 1);
}

TEST(PolicyInstanceTest, NoDeadlineMeansShouldStopStaysFalse) {
  const PolicyInstanceSharedPtr hang = create("test_hang", R"({"hang_ms":0})");
  ASSERT_NE(hang, nullptr);
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  const EvaluateOutcome outcome = hang->evaluate(inputs, CallLimits{});
  ASSERT_EQ(outcome.verdicts.size(), 1U);
  ASSERT_TRUE(outcome.verdicts[0].evidence.has_value());
  EXPECT_EQ(outcome.verdicts[0].evidence->observed, 0);
}

TEST(PolicyInstanceTest, ManageEchoCountAndUnknownAction) {
  const PolicyInstanceSharedPtr echo = create("test_echo");
  ASSERT_NE(echo, nullptr);
  Result<std::string> echoed = echo->manage("echo", R"({"a":[1,"two",null,true]})", CallLimits{});
  ASSERT_TRUE(echoed.has_value()) << echoed.error().message;
  EXPECT_EQ(*echoed, R"({"echo":{"a":[1,"two",null,true]}})");

  Result<std::string> empty_data = echo->manage("echo", "", CallLimits{});
  ASSERT_TRUE(empty_data.has_value()) << empty_data.error().message;
  EXPECT_EQ(*empty_data, R"({"echo":{}})");

  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0),
                                                               instance_with("b", 1)};
  ASSERT_TRUE(echo->evaluate(inputs, within_seconds(10)).ok);
  Result<std::string> count = echo->manage("count", "{}", CallLimits{});
  ASSERT_TRUE(count.has_value()) << count.error().message;
  EXPECT_EQ(*count, R"({"evaluations":2})");

  Result<std::string> unknown = echo->manage("frobnicate", "{}", CallLimits{});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message, "policy test_echo failed: unknown action frobnicate");
}

TEST(PolicyInstanceTest, HostWallClockIsTheClockGiven) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("test_echo"));
  ASSERT_NE(plugin, nullptr);
  ManualClock clock(1'700'000'000'000);
  Result<PolicyInstanceSharedPtr> echo = PolicyInstance::create(plugin, "{}", "b/echo", clock);
  ASSERT_TRUE(echo.has_value());
  clock.advance_ms(1500);
  Result<std::string> answer = (*echo)->manage("clock", "{}", CallLimits{});
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(*answer, R"({"wall_ms":1700000001500})");
}

TEST(PolicyInstanceTest, ManageWithoutManageFunction) {
  const PolicyInstanceSharedPtr minimal = create("test_c_minimal");
  ASSERT_NE(minimal, nullptr);
  Result<std::string> answer = minimal->manage("anything", "{}", CallLimits{});
  ASSERT_FALSE(answer.has_value());
  EXPECT_EQ(answer.error().message, "policy test_c_minimal has no management actions");
}

TEST(PolicyInstanceTest, PluginLogLinesAreTaggedWithTheLabel) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  {
    const PolicyInstanceSharedPtr minimal = create("test_c_minimal");
    EXPECT_NE(minimal, nullptr);
  }
  spdlog::set_default_logger(previous);
  EXPECT_THAT(captured.str(), HasSubstr("[block/test_c_minimal] test_c_minimal created"));
}

TEST(PolicyInstanceTest, SharedPluginOutlivesItsInstances) {
  // Many instances of one plugin, created and destroyed: each has its own
  // host table and state (test_echo counts per instance).
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("test_echo"));
  ASSERT_NE(plugin, nullptr);
  std::vector<PolicyInstanceSharedPtr> instances;
  for (int i = 0; i < 3; ++i) {
    Result<PolicyInstanceSharedPtr> instance =
        PolicyInstance::create(plugin, "{}", "b/" + std::to_string(i), SystemClock::instance());
    ASSERT_TRUE(instance.has_value());
    instances.push_back(*instance);
  }
  const std::vector<InstanceObservationsConstSharedPtr> inputs{instance_with("a", 0)};
  ASSERT_TRUE(instances[1]->evaluate(inputs, within_seconds(10)).ok);
  EXPECT_EQ(*instances[0]->manage("count", "{}", CallLimits{}), R"({"evaluations":0})");
  EXPECT_EQ(*instances[1]->manage("count", "{}", CallLimits{}), R"({"evaluations":1})");
}

}  // namespace
}  // namespace blockhealth
