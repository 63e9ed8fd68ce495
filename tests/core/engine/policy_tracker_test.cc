#include "core/engine/policy_tracker.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

PolicyVerdict raw_verdict(Status s, std::string reason = "", std::optional<Evidence> e = {}) {
  return PolicyVerdict{s, std::move(reason), std::move(e)};
}

Thresholds thresholds(int unhealthy, int healthy, int degraded) {
  Thresholds t;
  t.unhealthy_after = unhealthy;
  t.healthy_after = healthy;
  t.degraded_after = degraded;
  return t;
}

TEST(ThresholdFor, EachStatusHasItsThreshold) {
  const Thresholds t = thresholds(3, 2, 4);
  EXPECT_EQ(threshold_for(t, Status::kOk), 2);
  EXPECT_EQ(threshold_for(t, Status::kDegraded), 4);
  EXPECT_EQ(threshold_for(t, Status::kUnhealthy), 3);
  EXPECT_EQ(threshold_for(t, Status::kUnknown), 3);
}

TEST(PolicyTracker, StartsUnknownNotEvaluated) {
  PolicyTracker t(thresholds(3, 2, 1));
  EXPECT_EQ(t.effective().status, Status::kUnknown);
  EXPECT_EQ(t.effective().reason, "not evaluated yet");
  EXPECT_EQ(t.latest_status(), Status::kUnknown);
  EXPECT_FALSE(t.evaluated());
  EXPECT_EQ(t.since_ms(), 0);
  EXPECT_EQ(t.evaluated_ms(), 0);
  EXPECT_EQ(t.streak(), 0);
}

TEST(PolicyTracker, OkNeedsHealthyAfterResultsInARow) {
  PolicyTracker t(thresholds(3, 2, 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kOk, "fine"), 100));
  EXPECT_EQ(t.effective().status, Status::kUnknown);
  EXPECT_EQ(t.latest_status(), Status::kOk);
  EXPECT_EQ(t.streak(), 1);
  EXPECT_TRUE(t.evaluated());
  EXPECT_EQ(t.evaluated_ms(), 100);
  EXPECT_TRUE(t.observe(raw_verdict(Status::kOk, "fine again"), 200));
  EXPECT_EQ(t.effective().status, Status::kOk);
  EXPECT_EQ(t.effective().reason, "fine again");
  EXPECT_EQ(t.since_ms(), 200);
  EXPECT_EQ(t.streak(), 2);
}

TEST(PolicyTracker, CriticalNeedsUnhealthyAfterAndAnInterruptedStreakStartsOver) {
  PolicyTracker t(thresholds(3, 1, 1));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kOk), 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "hot"), 2));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "hot"), 3));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kOk, "cool"), 4));  // breaks the streak
  EXPECT_EQ(t.effective().status, Status::kOk);
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "hot"), 5));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "hot"), 6));
  EXPECT_EQ(t.effective().status, Status::kOk);
  EXPECT_EQ(t.streak(), 2);
  EXPECT_TRUE(t.observe(raw_verdict(Status::kUnhealthy, "hot 3"), 7));
  EXPECT_EQ(t.effective().status, Status::kUnhealthy);
  EXPECT_EQ(t.effective().reason, "hot 3");
  EXPECT_EQ(t.since_ms(), 7);
}

TEST(PolicyTracker, WarnUsesDegradedAfter) {
  PolicyTracker t(thresholds(3, 1, 2));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kOk), 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kDegraded, "warm"), 2));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kDegraded, "warm"), 3));
  EXPECT_EQ(t.effective().status, Status::kDegraded);
}

TEST(PolicyTracker, UnknownUsesUnhealthyAfter) {
  PolicyTracker t(thresholds(2, 1, 1));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kOk), 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnknown, "no data"), 2));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kUnknown, "no data"), 3));
  EXPECT_EQ(t.effective().status, Status::kUnknown);
  EXPECT_EQ(t.effective().reason, "no data");
}

TEST(PolicyTracker, AFirstUnknownResultIsTakenAtOnceAsTheStatusIsAlreadyUnknown) {
  PolicyTracker t(thresholds(3, 2, 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnknown, "no sample"), 50));
  EXPECT_EQ(t.effective().reason, "no sample");
  EXPECT_EQ(t.since_ms(), 50);
}

TEST(PolicyTracker, ThresholdOfOneSwitchesAtOnce) {
  PolicyTracker t(thresholds(1, 1, 1));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kUnhealthy), 1));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kOk), 2));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kDegraded), 3));
  EXPECT_TRUE(t.observe(raw_verdict(Status::kUnknown), 4));
}

TEST(PolicyTracker, TheSameStatusRefreshesReasonAndEvidenceButNotSince) {
  PolicyTracker t(thresholds(1, 1, 1));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kUnhealthy, "91 C", Evidence{"temp", 91, 88}), 10));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "93 C", Evidence{"temp", 93, 88}), 20));
  EXPECT_EQ(t.effective().reason, "93 C");
  ASSERT_TRUE(t.effective().evidence.has_value());
  EXPECT_EQ(t.effective().evidence->observed, 93);
  EXPECT_EQ(t.since_ms(), 10);
  EXPECT_EQ(t.evaluated_ms(), 20);
}

TEST(PolicyTracker, WhileAnotherStatusIsCountedTheEffectiveReasonStays) {
  PolicyTracker t(thresholds(3, 1, 1));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kOk, "fine"), 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy, "hot"), 2));
  EXPECT_EQ(t.effective().reason, "fine");
  EXPECT_EQ(t.latest_status(), Status::kUnhealthy);
  EXPECT_TRUE(t.pending());
}

TEST(PolicyTracker, NewThresholdsApplyToTheStreakKept) {
  PolicyTracker t(thresholds(5, 1, 1));
  ASSERT_TRUE(t.observe(raw_verdict(Status::kOk), 1));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy), 2));
  EXPECT_FALSE(t.observe(raw_verdict(Status::kUnhealthy), 3));
  t.set_thresholds(thresholds(3, 1, 1));
  EXPECT_EQ(t.streak(), 2);
  EXPECT_TRUE(t.observe(raw_verdict(Status::kUnhealthy), 4));  // 3rd in a row
}

}  // namespace
}  // namespace blockhealth
