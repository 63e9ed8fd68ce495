// FlapDetector: the weighted share of state changes over a window, with
// separate start and stop thresholds.
#include "core/engine/flap_detector.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

FlappingConfig config(int window, int start, int stop) {
  FlappingConfig c;
  c.window = window;
  c.start_percent = start;
  c.stop_percent = stop;
  return c;
}

TEST(FlapDetector, NoFlappingUntilTheWindowIsFull) {
  FlapDetector d(config(5, 50, 25));
  const Status seq[] = {Status::kOk, Status::kUnhealthy, Status::kOk, Status::kUnhealthy};
  for (const Status s : seq) {
    EXPECT_FALSE(d.record(s));
    EXPECT_FALSE(d.flapping());
  }
  EXPECT_DOUBLE_EQ(d.percent(), 100.0);  // every pair changed
  EXPECT_TRUE(d.record(Status::kOk));    // window full: starts
  EXPECT_TRUE(d.flapping());
}

TEST(FlapDetector, SteadyStatusNeverFlaps) {
  FlapDetector d(config(3, 50, 25));
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(d.record(Status::kUnhealthy));
  EXPECT_FALSE(d.flapping());
  EXPECT_DOUBLE_EQ(d.percent(), 0.0);
}

TEST(FlapDetector, RecentChangesWeighMore) {
  // Window 5 = 4 pairs, weights 0.8, 0.933.., 1.066.., 1.2.
  FlapDetector oldest(config(5, 90, 10));
  for (const Status s : {Status::kOk, Status::kUnhealthy, Status::kUnhealthy, Status::kUnhealthy,
                         Status::kUnhealthy}) {
    oldest.record(s);
  }
  EXPECT_DOUBLE_EQ(oldest.percent(), 0.8 * 100.0 / 4);
  FlapDetector newest(config(5, 90, 10));
  for (const Status s : {Status::kOk, Status::kOk, Status::kOk, Status::kOk, Status::kUnhealthy}) {
    newest.record(s);
  }
  EXPECT_DOUBLE_EQ(newest.percent(), 1.2 * 100.0 / 4);
}

TEST(FlapDetector, StopsOnlyBelowTheStopThreshold) {
  FlapDetector d(config(5, 50, 25));
  for (const Status s :
       {Status::kOk, Status::kUnhealthy, Status::kOk, Status::kUnhealthy, Status::kOk}) {
    d.record(s);
  }
  ASSERT_TRUE(d.flapping());
  // Window U O U O O: 0.8 + 0.933 + 1.067 = 2.8 of 4 pairs, 70%.
  EXPECT_FALSE(d.record(Status::kOk));
  EXPECT_NEAR(d.percent(), 70.0, 1e-9);
  // O U O O O: 0.8 + 0.933 = 43.3%, between the thresholds: still flapping.
  EXPECT_FALSE(d.record(Status::kOk));
  EXPECT_TRUE(d.flapping());
  EXPECT_GT(d.percent(), 25.0);
  // U O O O O: 0.8 / 4 = 20% < 25%: stops.
  EXPECT_TRUE(d.record(Status::kOk));
  EXPECT_FALSE(d.flapping());
  EXPECT_NEAR(d.percent(), 20.0, 1e-9);
}

TEST(FlapDetector, StartsOnlyAtTheStartThreshold) {
  // Above stop but below start: a detector that was not flapping stays so.
  FlapDetector d(config(5, 60, 20));
  for (const Status s : {Status::kOk, Status::kOk, Status::kOk, Status::kUnhealthy, Status::kOk}) {
    d.record(s);
  }
  // Two newest pairs changed: (1.066 + 1.2) / 4 = 56.6% < 60.
  EXPECT_FALSE(d.flapping());
  EXPECT_NEAR(d.percent(), (0.8 + 0.4 * 2.0 / 3.0 + 1.2) * 100.0 / 4, 1e-9);
}

TEST(FlapDetector, SmallerWindowKeepsTheNewestResults) {
  FlapDetector d(config(6, 50, 25));
  for (const Status s : {Status::kOk, Status::kUnhealthy, Status::kOk, Status::kUnhealthy,
                         Status::kUnhealthy, Status::kUnhealthy}) {
    d.record(s);
  }
  d.set_config(config(3, 50, 25));  // keeps U, U, U
  EXPECT_DOUBLE_EQ(d.percent(), 0.0);
}

}  // namespace
}  // namespace blockhealth
