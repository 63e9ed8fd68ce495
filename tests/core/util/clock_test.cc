#include "core/util/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace blockhealth {
namespace {

TEST(ManualClock, StartsWhereToldAndMovesOnlyWhenAdvanced) {
  ManualClock clock(1'000);
  EXPECT_EQ(clock.wall_ms(), 1'000);
  const std::int64_t mono = clock.monotonic_ns();
  EXPECT_EQ(clock.wall_ms(), 1'000);
  EXPECT_EQ(clock.monotonic_ns(), mono);
  clock.advance_ms(250);
  EXPECT_EQ(clock.wall_ms(), 1'250);
  EXPECT_EQ(clock.monotonic_ns(), mono + 250'000'000);
}

TEST(ManualClock, AdvancesAreNotLostAcrossThreads) {
  ManualClock clock(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) clock.advance_ms(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.wall_ms(), 4000);
}

TEST(SystemClock, IsNearTheSystemTimeAndMonotonicNeverGoesBack) {
  const SystemClock& clock = SystemClock::instance();
  EXPECT_EQ(&clock, &SystemClock::instance());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_LT(std::abs(clock.wall_ms() - now), 60'000);
  std::int64_t last = clock.monotonic_ns();
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t next = clock.monotonic_ns();
    EXPECT_GE(next, last);
    last = next;
  }
}

}  // namespace
}  // namespace blockhealth
