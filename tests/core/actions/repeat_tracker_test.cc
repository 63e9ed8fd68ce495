#include "core/actions/repeat_tracker.h"

#include <gtest/gtest.h>

#include "tests/core/actions/action_test_util.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using test::make_transition;

constexpr milliseconds kRepeat{1'000};

TEST(RepeatTracker, OffMeansEveryNotificationAndNoRepeat) {
  RepeatTracker r;
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  EXPECT_TRUE(r.admit(t, "webhook#0", milliseconds(0), 100));
  EXPECT_TRUE(r.admit(t, "webhook#0", milliseconds(0), 101));
  EXPECT_EQ(r.armed(), 0U);
  EXPECT_FALSE(r.next_due().has_value());
  EXPECT_TRUE(r.take_due(1'000'000).empty());
}

TEST(RepeatTracker, SameStatusWithinRepeatAfterIsSuppressed) {
  RepeatTracker r;
  EXPECT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  r.observe(make_transition(2, "i", Status::kUnhealthy, Status::kUnknown));
  EXPECT_FALSE(
      r.admit(make_transition(3, "i", Status::kUnknown, Status::kUnhealthy), "w", kRepeat, 999));
  // Other instances and other actions are not affected.
  EXPECT_TRUE(r.admit(make_transition(4, "j", Status::kOk, Status::kUnhealthy), "w", kRepeat, 999));
  EXPECT_TRUE(
      r.admit(make_transition(5, "i", Status::kUnknown, Status::kUnhealthy), "w2", kRepeat, 999));
  // Once repeat_after passed, it goes out again.
  EXPECT_TRUE(
      r.admit(make_transition(6, "i", Status::kUnknown, Status::kUnhealthy), "w", kRepeat, 1'000));
}

TEST(RepeatTracker, ADifferentStatusGoesOutAtOnce) {
  RepeatTracker r;
  EXPECT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  EXPECT_TRUE(r.admit(make_transition(2, "i", Status::kUnhealthy, Status::kOk), "w", kRepeat, 1));
}

TEST(RepeatTracker, RepeatsWhileTheStatusLasts) {
  RepeatTracker r;
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(r.admit(t, "w", kRepeat, 100));
  EXPECT_EQ(r.next_due(), 1'100);
  EXPECT_TRUE(r.take_due(1'099).empty());
  auto due = r.take_due(1'150);
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].action, "w");
  EXPECT_EQ(due[0].transition.seq, 1U);
  EXPECT_EQ(r.next_due(), 2'150);
  EXPECT_EQ(r.take_due(2'150).size(), 1U);
  // A repeat counts as the last notification for suppression.
  EXPECT_FALSE(r.admit(t, "w", kRepeat, 2'500));
}

TEST(RepeatTracker, AStatusChangeStopsTheRepeats) {
  RepeatTracker r;
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  ASSERT_TRUE(r.admit(make_transition(1, "j", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  r.observe(make_transition(2, "i", Status::kUnhealthy, Status::kOk));  // held or not
  EXPECT_EQ(r.armed(), 1U);
  auto due = r.take_due(5'000);
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].transition.instance_id, "j");
}

TEST(RepeatTracker, ObservingTheSameStatusKeepsTheRepeat) {
  RepeatTracker r;
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  r.observe(make_transition(2, "i", Status::kUnhealthy, Status::kUnhealthy));
  EXPECT_EQ(r.armed(), 1U);
}

TEST(RepeatTracker, ForgetsWhatCanNoLongerMatter) {
  RepeatTracker r;
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 0));
  r.observe(make_transition(2, "i", Status::kUnhealthy, Status::kOk));
  EXPECT_TRUE(r.take_due(500).empty());  // still suppressing until 1000
  EXPECT_EQ(r.tracked(), 1U);
  EXPECT_FALSE(
      r.admit(make_transition(3, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 600));
  r.observe(make_transition(4, "i", Status::kUnhealthy, Status::kOk));
  EXPECT_EQ(r.tracked(), 1U);
  EXPECT_TRUE(r.take_due(2'000).empty());
  EXPECT_EQ(r.tracked(), 0U);  // forgotten now
  EXPECT_TRUE(
      r.admit(make_transition(5, "i", Status::kOk, Status::kUnhealthy), "w", kRepeat, 2'001));
}

TEST(RepeatTracker, ApplyDropsWhatTheNewConfigNoLongerRepeats) {
  RepeatTracker r;
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy, "r", "b"),
                      "webhook#0", kRepeat, 0));
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy, "r", "gone"),
                      "webhook#0", kRepeat, 0));
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy, "r", "off"),
                      "webhook#0", kRepeat, 0));
  ASSERT_TRUE(r.admit(make_transition(1, "i", Status::kOk, Status::kUnhealthy, "r", "b"),
                      "webhook#1", kRepeat, 0));
  const Config config = test::load_test_config(R"(
blocks:
  - id: b
    instances: [{ id: i, health_url: "http://127.0.0.1:1/health" }]
    repeat_after: 2s
    on_transition:
      - webhook: http://127.0.0.1:1/a
      - webhook: http://127.0.0.1:1/b
        to: [ok]
  - id: off
    instances: [{ id: i, health_url: "http://127.0.0.1:1/health" }]
    on_transition:
      - webhook: http://127.0.0.1:1/a
)");
  r.apply(ActionPlan::build(config, nullptr));
  EXPECT_EQ(r.armed(), 1U);
  auto due = r.take_due(1'000);  // due at 0 + the old 1s
  ASSERT_EQ(due.size(), 1U);
  EXPECT_EQ(due[0].transition.block_id, "b");
  EXPECT_EQ(due[0].action, "webhook#0");
  EXPECT_EQ(r.next_due(), 3'000);  // re-armed with the new 2s
}

}  // namespace
}  // namespace blockhealth
