#include "core/engine/quarantine.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

constexpr std::int64_t kStart = 1'000'000;

TEST(Quarantine, StartsInactive) {
  Quarantine q;
  EXPECT_FALSE(q.active(kStart));
  EXPECT_EQ(q.level(), 0);
  EXPECT_EQ(q.total_quarantines(), 0U);
  EXPECT_EQ(q.reason(), "");
}

TEST(Quarantine, ErrorsQuarantineOnlyAfterTheStreak) {
  Quarantine q(QuarantinePolicy{3, 5'000, 300'000});
  q.record_error("boom 1", kStart);
  q.record_error("boom 2", kStart);
  EXPECT_FALSE(q.active(kStart));
  EXPECT_EQ(q.consecutive_errors(), 2);
  q.record_error("boom 3", kStart);
  EXPECT_TRUE(q.active(kStart));
  EXPECT_EQ(q.until_ms(), kStart + 5'000);
  EXPECT_EQ(q.reason(), "boom 3");
  EXPECT_EQ(q.level(), 1);
  EXPECT_EQ(q.total_quarantines(), 1U);
  EXPECT_TRUE(q.active(kStart + 4'999));
  EXPECT_FALSE(q.active(kStart + 5'000));
}

TEST(Quarantine, ASuccessBreaksTheErrorStreak) {
  Quarantine q(QuarantinePolicy{3, 5'000, 300'000});
  q.record_error("e", kStart);
  q.record_error("e", kStart);
  q.record_success();
  EXPECT_EQ(q.consecutive_errors(), 0);
  q.record_error("e", kStart);
  q.record_error("e", kStart);
  EXPECT_FALSE(q.active(kStart));
}

TEST(Quarantine, ATimeoutQuarantinesAtOnce) {
  Quarantine q(QuarantinePolicy{3, 5'000, 300'000});
  q.record_timeout("timed out after 2s", kStart);
  EXPECT_TRUE(q.active(kStart));
  EXPECT_EQ(q.reason(), "timed out after 2s");
  EXPECT_EQ(q.until_ms(), kStart + 5'000);
}

TEST(Quarantine, BackoffDoublesUpToTheCap) {
  Quarantine q(QuarantinePolicy{1, 1'000, 6'000});
  const std::int64_t expected[] = {1'000, 2'000, 4'000, 6'000, 6'000};
  std::int64_t now = kStart;
  for (std::int64_t backoff : expected) {
    q.record_timeout("t", now);
    EXPECT_EQ(q.until_ms() - now, backoff);
    now = q.until_ms();
  }
  EXPECT_EQ(q.level(), 5);
  EXPECT_EQ(q.total_quarantines(), 5U);
}

TEST(Quarantine, AnErrorRightAfterAQuarantineReentersWithALongerBackoff) {
  Quarantine q(QuarantinePolicy{2, 1'000, 60'000});
  q.record_error("e", kStart);
  q.record_error("e", kStart);
  ASSERT_EQ(q.until_ms(), kStart + 1'000);
  q.record_error("again", kStart + 1'000);
  EXPECT_TRUE(q.active(kStart + 1'000));
  EXPECT_EQ(q.until_ms(), kStart + 3'000);
  EXPECT_EQ(q.reason(), "again");
}

TEST(Quarantine, SuccessResetsTheBackoffLevel) {
  Quarantine q(QuarantinePolicy{1, 1'000, 60'000});
  q.record_timeout("t", kStart);
  q.record_timeout("t", kStart + 1'000);
  EXPECT_EQ(q.level(), 2);
  q.record_success();
  EXPECT_FALSE(q.active(kStart + 1'000));
  EXPECT_EQ(q.level(), 0);
  EXPECT_EQ(q.reason(), "");
  q.record_timeout("t", kStart + 5'000);
  EXPECT_EQ(q.until_ms(), kStart + 6'000);
  EXPECT_EQ(q.total_quarantines(), 3U);
}

TEST(Quarantine, AHugeLevelDoesNotOverflowTheBackoff) {
  Quarantine q(QuarantinePolicy{1, 5'000, 300'000});
  for (int i = 0; i < 200; ++i) q.record_timeout("t", kStart);
  EXPECT_EQ(q.until_ms(), kStart + 300'000);
}

}  // namespace
}  // namespace blockhealth
