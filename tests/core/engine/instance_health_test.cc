#include "core/engine/instance_health.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;
constexpr std::int64_t kStale = 30'000;

Thresholds immediate() {
  Thresholds t;
  t.unhealthy_after = 1;
  t.healthy_after = 1;
  t.degraded_after = 1;
  return t;
}

PolicyVerdict verdict(Status s, std::string reason, std::optional<Evidence> e = {}) {
  return PolicyVerdict{s, std::move(reason), std::move(e)};
}

class InstanceHealthTest : public ::testing::Test {
 protected:
  void with_policies(const std::vector<std::string>& ids) {
    health_.set_policies(ids, std::vector<Thresholds>(ids.size(), immediate()));
  }
  std::optional<Transition> update(std::int64_t now, std::int64_t last_seen) {
    return health_.update("blk", "inst", now, last_seen, kStale, seq_).transition;
  }

  InstanceHealth health_{4};
  std::uint64_t seq_ = 0;
};

TEST_F(InstanceHealthTest, StartsUnknownWithNoObservations) {
  EXPECT_EQ(health_.verdict().status, Status::kUnknown);
  EXPECT_EQ(health_.verdict().reason, "no observations yet");
  EXPECT_EQ(health_.verdict().policy, "");
  EXPECT_EQ(health_.since_ms(), 0);
  EXPECT_TRUE(health_.history().empty());
}

TEST_F(InstanceHealthTest, NeverSeenIsUnknownByTheStalenessCheckWithoutATransition) {
  with_policies({"p"});
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  EXPECT_FALSE(update(kT0, 0).has_value());
  EXPECT_EQ(health_.verdict().status, Status::kUnknown);
  EXPECT_EQ(health_.verdict().policy, "staleness");
  EXPECT_EQ(health_.verdict().reason, "no observations yet");
  EXPECT_EQ(health_.since_ms(), kT0);
  EXPECT_EQ(seq_, 0U);
}

TEST_F(InstanceHealthTest, WorstOfPoliciesBySeverity) {
  with_policies({"a", "b"});
  const struct {
    Status a, b, expected;
    const char* decider;
  } cases[] = {
      {Status::kOk, Status::kOk, Status::kOk, "a"},
      {Status::kOk, Status::kDegraded, Status::kDegraded, "b"},
      {Status::kDegraded, Status::kUnknown, Status::kUnknown, "b"},
      {Status::kUnhealthy, Status::kUnknown, Status::kUnhealthy, "a"},
      {Status::kUnknown, Status::kUnhealthy, Status::kUnhealthy, "b"},
      {Status::kDegraded, Status::kOk, Status::kDegraded, "a"},
  };
  std::int64_t now = kT0;
  for (const auto& c : cases) {
    health_.tracker(0).observe(verdict(c.a, "ra"), now);
    health_.tracker(1).observe(verdict(c.b, "rb"), now);
    update(now, now);
    EXPECT_EQ(health_.verdict().status, c.expected) << to_string(c.a) << " + " << to_string(c.b);
    EXPECT_EQ(health_.verdict().policy, c.decider) << to_string(c.a) << " + " << to_string(c.b);
    ++now;
  }
}

TEST_F(InstanceHealthTest, ReasonNamesThePolicyAndEvidenceIsCarried) {
  with_policies({"gpu_temperature"});
  health_.tracker(0).observe(verdict(Status::kUnhealthy, "core 91 C", Evidence{"temp", 91, 88}),
                             kT0);
  auto t = update(kT0, kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(health_.verdict().reason, "gpu_temperature: core 91 C");
  ASSERT_TRUE(health_.verdict().evidence.has_value());
  EXPECT_EQ(health_.verdict().evidence->limit, 88);
  EXPECT_EQ(t->reason, "gpu_temperature: core 91 C");
  ASSERT_TRUE(t->evidence.has_value());
  EXPECT_EQ(t->evidence->observed, 91);
}

TEST_F(InstanceHealthTest, APolicyNotEvaluatedYetIsUnknown) {
  with_policies({"p"});
  update(kT0, kT0);
  EXPECT_EQ(health_.verdict().status, Status::kUnknown);
  EXPECT_EQ(health_.verdict().reason, "p: not evaluated yet");
}

TEST_F(InstanceHealthTest, NoPoliciesButObservedIsOk) {
  auto t = update(kT0, kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(health_.verdict().status, Status::kOk);
  EXPECT_EQ(health_.verdict().reason, "observed, no policies configured");
}

TEST_F(InstanceHealthTest, StaleWhenSilentLongerThanStaleAfter) {
  with_policies({"p"});
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  ASSERT_TRUE(update(kT0, kT0).has_value());
  EXPECT_FALSE(update(kT0 + kStale, kT0).has_value());  // exactly at the limit: not yet
  EXPECT_EQ(health_.verdict().status, Status::kOk);
  auto t = update(kT0 + 45'000, kT0);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, Status::kUnknown);
  EXPECT_EQ(t->policy, "staleness");
  EXPECT_EQ(t->reason, "no observations for 45s (stale_after 30s)");
}

TEST_F(InstanceHealthTest, StaleReasonShowsTenthsOfSeconds) {
  with_policies({"p"});
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  update(kT0 + 45'500, kT0);
  EXPECT_EQ(health_.verdict().reason, "no observations for 45.5s (stale_after 30s)");
}

TEST_F(InstanceHealthTest, StaleAfterZeroDisablesStaleness) {
  with_policies({"p"});
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  health_.update("blk", "inst", kT0 + 10'000'000, kT0, 0, seq_);
  EXPECT_EQ(health_.verdict().status, Status::kOk);
}

TEST_F(InstanceHealthTest, TransitionsCarrySeqTimesAndStatuses) {
  with_policies({"p"});
  seq_ = 41;
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  auto first = update(kT0, kT0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->seq, 42U);
  EXPECT_EQ(first->time_ms, kT0);
  EXPECT_EQ(first->block_id, "blk");
  EXPECT_EQ(first->instance_id, "inst");
  EXPECT_EQ(first->from, Status::kUnknown);
  EXPECT_EQ(first->to, Status::kOk);
  EXPECT_EQ(first->policy, "p");
  EXPECT_EQ(health_.since_ms(), kT0);

  // No change: no transition and seq stays.
  EXPECT_FALSE(update(kT0 + 1, kT0 + 1).has_value());
  EXPECT_EQ(seq_, 42U);
  EXPECT_EQ(health_.since_ms(), kT0);

  health_.tracker(0).observe(verdict(Status::kUnhealthy, "bad"), kT0 + 2);
  auto second = update(kT0 + 2, kT0 + 2);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->seq, 43U);
  EXPECT_EQ(second->from, Status::kOk);
  EXPECT_EQ(second->to, Status::kUnhealthy);
  EXPECT_EQ(health_.since_ms(), kT0 + 2);
  ASSERT_EQ(health_.history().size(), 2U);
  EXPECT_EQ(health_.history().back().seq, 43U);
}

TEST_F(InstanceHealthTest, HistoryIsBoundedAndDropsTheOldest) {
  with_policies({"p"});
  std::int64_t now = kT0;
  for (int i = 0; i < 6; ++i) {
    health_.tracker(0).observe(verdict(i % 2 == 0 ? Status::kOk : Status::kUnhealthy, "r"), now);
    ASSERT_TRUE(update(now, now).has_value());
    ++now;
  }
  ASSERT_EQ(health_.history().size(), 4U);
  EXPECT_EQ(health_.history().front().seq, 3U);
  EXPECT_EQ(health_.history().back().seq, 6U);
  health_.set_history_size(2);
  ASSERT_EQ(health_.history().size(), 2U);
  EXPECT_EQ(health_.history().front().seq, 5U);
}

TEST_F(InstanceHealthTest, SetPoliciesKeepsTrackersOfSurvivingIds) {
  with_policies({"a", "b"});
  health_.tracker(0).observe(verdict(Status::kUnhealthy, "a is bad"), kT0);
  health_.tracker(1).observe(verdict(Status::kDegraded, "b is warm"), kT0);
  Thresholds slow;
  slow.healthy_after = 5;
  // "b" moves first, "a" is gone, "c" is new.
  health_.set_policies({"b", "c"}, {slow, slow});
  ASSERT_EQ(health_.policy_count(), 2U);
  EXPECT_EQ(health_.policy_id(0), "b");
  EXPECT_EQ(health_.tracker(0).effective().status, Status::kDegraded);
  EXPECT_EQ(health_.tracker(0).effective().reason, "b is warm");
  EXPECT_EQ(health_.policy_id(1), "c");
  EXPECT_FALSE(health_.tracker(1).evaluated());
  // The kept tracker got the new thresholds: one OK no longer switches it.
  EXPECT_FALSE(health_.tracker(0).observe(verdict(Status::kOk, "cool"), kT0 + 1));
  EXPECT_EQ(health_.tracker(0).effective().status, Status::kDegraded);
}

TEST_F(InstanceHealthTest, RestoreHistoryPutsOlderTransitionsFirstWithinTheBound) {
  with_policies({"p"});
  health_.tracker(0).observe(verdict(Status::kOk, "fine"), kT0);
  ASSERT_TRUE(update(kT0, kT0).has_value());
  std::vector<Transition> old;
  for (std::uint64_t s = 1; s <= 4; ++s) {
    Transition t;
    t.seq = s;
    t.time_ms = kT0 - 1000 + static_cast<std::int64_t>(s);
    old.push_back(t);
  }
  health_.restore_history(old);
  ASSERT_EQ(health_.history().size(), 4U);  // bounded to 4: the oldest restored one goes
  EXPECT_EQ(health_.history().front().seq, 2U);
  EXPECT_EQ(health_.history().back().time_ms, kT0);
}

}  // namespace
}  // namespace blockhealth
