#include "core/actions/dispatcher_options.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

TEST(JudgeAttempt, TwoHundredsAreDelivered) {
  for (int s : {200, 201, 202, 204, 299}) EXPECT_EQ(judge_attempt(s), AttemptVerdict::kDelivered);
}

TEST(JudgeAttempt, ClientErrorsGiveUpExceptTimeoutAndTooManyRequests) {
  for (int s : {400, 401, 403, 404, 405, 413, 422, 499}) {
    EXPECT_EQ(judge_attempt(s), AttemptVerdict::kGiveUp) << s;
  }
  EXPECT_EQ(judge_attempt(408), AttemptVerdict::kRetry);
  EXPECT_EQ(judge_attempt(429), AttemptVerdict::kRetry);
}

TEST(JudgeAttempt, EverythingElseIsRetried) {
  for (int s : {0, 100, 301, 302, 500, 502, 503, 504, 599}) {
    EXPECT_EQ(judge_attempt(s), AttemptVerdict::kRetry) << s;
  }
}

TEST(BackoffDelay, DoublesFromTheBaseUpToTheCap) {
  DispatcherOptions o;  // 1s base, 5 min cap
  EXPECT_EQ(backoff_delay(o, 1), std::chrono::seconds(1));
  EXPECT_EQ(backoff_delay(o, 2), std::chrono::seconds(2));
  EXPECT_EQ(backoff_delay(o, 3), std::chrono::seconds(4));
  EXPECT_EQ(backoff_delay(o, 9), std::chrono::seconds(256));
  EXPECT_EQ(backoff_delay(o, 10), std::chrono::minutes(5));
  EXPECT_EQ(backoff_delay(o, 1000), std::chrono::minutes(5));  // no overflow
}

TEST(BackoffDelay, ACapBelowTheBaseWins) {
  DispatcherOptions o;
  o.backoff_base = std::chrono::milliseconds(500);
  o.backoff_cap = std::chrono::milliseconds(100);
  EXPECT_EQ(backoff_delay(o, 1), std::chrono::milliseconds(100));
}

TEST(DispatcherOptions, DefaultsAreTheDocumentedOnes) {
  const DispatcherOptions o;
  EXPECT_EQ(o.backoff_base, std::chrono::seconds(1));
  EXPECT_EQ(o.backoff_cap, std::chrono::minutes(5));
  EXPECT_EQ(o.max_attempts, 10);
  EXPECT_EQ(o.max_age, std::chrono::hours(24));
  EXPECT_EQ(o.max_pending, 10'000U);
  EXPECT_EQ(o.max_in_flight, 8U);
}

}  // namespace
}  // namespace blockhealth
