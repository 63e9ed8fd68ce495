// last_request_age through the real host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plugins/policy_harness.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

constexpr double kNowSeconds = kNowMs / 1000.0;

MetricSample last_request_at(double unix_seconds) {
  return sample("last_request_timestamp_seconds", {}, unix_seconds);
}
MetricSample queue(double length) {
  return sample("queue_length", {}, length);
}
MetricSample served(double count) {
  return sample("end_to_end_count", {{"model", "gemma3"}}, count);
}

class LastRequestAgeTest : public ::testing::Test {
 protected:
  PolicyHarness harness_{"last_request_age"};
};

TEST_F(LastRequestAgeTest, FreshTimestampIsOk) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v =
      evaluate_one(*policy, instance("i", {last_request_at(kNowSeconds - 12), queue(3)}));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "last request 12s ago (max_age 120s)");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, "last_request_timestamp_seconds");
  EXPECT_EQ(v.evidence->observed, 12);
  EXPECT_EQ(v.evidence->limit, 120);
}

TEST_F(LastRequestAgeTest, OldTimestampWithWorkQueuedIsCritical) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v =
      evaluate_one(*policy, instance("i", {last_request_at(kNowSeconds - 310), queue(4)}));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "last request 310s ago > max_age 120s (queue_length 4)");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 310);
  EXPECT_EQ(v.evidence->limit, 120);
}

TEST_F(LastRequestAgeTest, MaxAgeFromParams) {
  auto policy = harness_.make("{max_age: 10m}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v =
      evaluate_one(*policy, instance("i", {last_request_at(kNowSeconds - 310), queue(4)}));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "last request 310s ago (max_age 600s)");

  auto seconds = harness_.make("{max_age: 300}");
  ASSERT_NE(seconds, nullptr);
  EXPECT_EQ(
      evaluate_one(*seconds, instance("i", {last_request_at(kNowSeconds - 310), queue(4)})).reason,
      "last request 310s ago > max_age 300s (queue_length 4)");
}

TEST_F(LastRequestAgeTest, IdleInstanceTakesTheWhenIdleStatus) {
  const InstanceObservations idle = instance("i", {last_request_at(kNowSeconds - 310), queue(0)});
  const std::vector<std::pair<std::string, Status>> cases = {
      {"", Status::kOk},
      {"{when_idle: ok}", Status::kOk},
      {"{when_idle: warn}", Status::kDegraded},
      {"{when_idle: critical}", Status::kUnhealthy},
      {"{when_idle: degraded}", Status::kDegraded},
      {"{when_idle: unhealthy}", Status::kUnhealthy}};
  for (const auto& [params, status] : cases) {
    auto policy = harness_.make(params);
    ASSERT_NE(policy, nullptr) << params;
    const PolicyVerdict v = evaluate_one(*policy, idle);
    EXPECT_EQ(v.status, status) << params;
    EXPECT_EQ(v.reason, "idle (queue_length 0), last request 310s ago") << params;
    ASSERT_TRUE(v.evidence.has_value());
    EXPECT_EQ(v.evidence->observed, 310);
  }
}

TEST_F(LastRequestAgeTest, OtherIdleMetricIsHonoured) {
  auto policy = harness_.make("{idle_metric: vllm_num_requests_waiting}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(
      *policy, instance("i", {last_request_at(kNowSeconds - 310),
                              sample("vllm_num_requests_waiting", {{"model", "a"}}, 0),
                              sample("vllm_num_requests_waiting", {{"model", "b"}}, 0)}));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "idle (vllm_num_requests_waiting 0), last request 310s ago");
}

TEST_F(LastRequestAgeTest, MissingIdleMetricIsJudgedAsBusy) {
  auto policy = harness_.make("{when_idle: ok}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v =
      evaluate_one(*policy, instance("i", {last_request_at(kNowSeconds - 310)}));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "last request 310s ago > max_age 120s (queue length unknown)");
}

TEST_F(LastRequestAgeTest, CounterThatStopsIncreasingTurnsCritical) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  // First sight sets the baseline: a request "now".
  const PolicyVerdict first = evaluate_one(*policy, instance("i", {served(10), queue(2)}), kNowMs);
  EXPECT_EQ(first.status, Status::kOk);
  EXPECT_EQ(first.reason, "last request 0s ago (max_age 120s)");

  const std::int64_t increased_at = kNowMs + 30'000;
  const PolicyVerdict second =
      evaluate_one(*policy, instance("i", {served(15), queue(2)}), increased_at);
  EXPECT_EQ(second.status, Status::kOk);
  EXPECT_EQ(second.reason, "last request 0s ago (max_age 120s)");

  const PolicyVerdict stalled =
      evaluate_one(*policy, instance("i", {served(15), queue(2)}), increased_at + 60'000);
  EXPECT_EQ(stalled.status, Status::kOk);
  EXPECT_EQ(stalled.reason, "last request 60s ago (max_age 120s)");

  const PolicyVerdict hung =
      evaluate_one(*policy, instance("i", {served(15), queue(2)}), increased_at + 121'000);
  EXPECT_EQ(hung.status, Status::kUnhealthy);
  EXPECT_EQ(hung.reason, "last request 121s ago > max_age 120s (queue_length 2)");
  ASSERT_TRUE(hung.evidence.has_value());
  EXPECT_EQ(hung.evidence->metric, "end_to_end_count");
  EXPECT_EQ(hung.evidence->observed, 121);
  EXPECT_EQ(hung.evidence->limit, 120);
}

TEST_F(LastRequestAgeTest, CounterResetCountsAsARequest) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  evaluate_one(*policy, instance("i", {served(100), queue(1)}), kNowMs);
  const PolicyVerdict stale =
      evaluate_one(*policy, instance("i", {served(100), queue(1)}), kNowMs + 200'000);
  EXPECT_EQ(stale.status, Status::kUnhealthy);

  // The instance restarted: its counter starts again from a small value.
  const PolicyVerdict reset =
      evaluate_one(*policy, instance("i", {served(3), queue(1)}), kNowMs + 210'000);
  EXPECT_EQ(reset.status, Status::kOk);
  EXPECT_EQ(reset.reason, "last request 0s ago (max_age 120s)");
}

TEST_F(LastRequestAgeTest, CounterStateIsKeptPerInstance) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  evaluate(*policy, {instance("a", {served(1), queue(1)}), instance("b", {served(1), queue(1)})},
           kNowMs);
  const auto later = evaluate(
      *policy, {instance("a", {served(1), queue(1)}), instance("b", {served(2), queue(1)})},
      kNowMs + 150'000);
  ASSERT_EQ(later.size(), 2U);
  EXPECT_EQ(later[0].status, Status::kUnhealthy);
  EXPECT_EQ(later[0].reason, "last request 150s ago > max_age 120s (queue_length 1)");
  EXPECT_EQ(later[1].status, Status::kOk);
}

TEST_F(LastRequestAgeTest, ForgetsInstancesNotSeenForALongTime) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  evaluate_one(*policy, instance("gone", {served(5), queue(1)}), kNowMs);
  // Two hours later (state is kept for max(1h, 10 x max_age)) another
  // instance's evaluation prunes "gone"; when it comes back its counter is a
  // first sight again, not a two-hour stall.
  const std::int64_t later = kNowMs + 2LL * 3'600'000;
  evaluate_one(*policy, instance("other", {served(1), queue(1)}), later);
  const PolicyVerdict back =
      evaluate_one(*policy, instance("gone", {served(5), queue(1)}), later + 1000);
  EXPECT_EQ(back.status, Status::kOk);
  EXPECT_EQ(back.reason, "last request 0s ago (max_age 120s)");
}

TEST_F(LastRequestAgeTest, PrometheusTotalSpellingOfTheCounterIsAccepted) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  evaluate_one(*policy, instance("i", {sample("end_to_end_count_total", {}, 7), queue(1)}), kNowMs);
  const PolicyVerdict v =
      evaluate_one(*policy, instance("i", {sample("end_to_end_count_total", {}, 7), queue(1)}),
                   kNowMs + 130'000);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, "end_to_end_count_total");
}

TEST_F(LastRequestAgeTest, NewestSourceWins) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations in = instance("i", {last_request_at(kNowSeconds - 500), queue(1)});
  in.last_request_ms = kNowMs - 5'000;
  const PolicyVerdict v = evaluate_one(*policy, in);
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "last request 5s ago (max_age 120s)");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, "last_request_ms");
}

TEST_F(LastRequestAgeTest, NoSourceIsUnknown) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, instance("i", {queue(4)}));
  EXPECT_EQ(v.status, Status::kUnknown);
  EXPECT_EQ(v.reason, "no request time reported");
  EXPECT_FALSE(v.evidence.has_value());

  // A timestamp of 0 means "no request yet", not 1970.
  EXPECT_EQ(evaluate_one(*policy, instance("i", {last_request_at(0), queue(4)})).status,
            Status::kUnknown);
}

TEST_F(LastRequestAgeTest, SchemaRejectsBadParams) {
  auto when_idle = harness_.validate("{when_idle: maybe}");
  ASSERT_FALSE(when_idle.has_value());
  EXPECT_THAT(when_idle.error().message, HasSubstr("with.when_idle"));

  auto max_age = harness_.validate("{max_age: soon}");
  ASSERT_FALSE(max_age.has_value());
  EXPECT_THAT(max_age.error().message, HasSubstr("with.max_age"));

  auto unknown = harness_.validate("{max_agee: 60s}");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown field 'max_agee'"));
}

TEST_F(LastRequestAgeTest, ZeroMaxAgeIsACreateError) {
  auto created = harness_.create("{max_age: 0s}");
  ASSERT_FALSE(created.has_value());
  EXPECT_THAT(created.error().message, HasSubstr("max_age must be longer than 0s"));
}

}  // namespace
}  // namespace blockhealth::test
