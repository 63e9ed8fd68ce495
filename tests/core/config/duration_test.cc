#include "core/config/duration.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

using std::chrono::milliseconds;

struct GoodDuration {
  const char* text;
  long long ms;
};

TEST(ParseDuration, ReadsEveryUnitAndCombination) {
  const GoodDuration table[] = {
      {"0", 0},
      {"0s", 0},
      {"250ms", 250},
      {"5s", 5'000},
      {"2m", 120'000},
      {"1h", 3'600'000},
      {"7d", 604'800'000},
      {"1m30s", 90'000},
      {"1h30m15s", 5'415'000},
      {"1d2h3m4s5ms", 93'784'005},
      {"1s500ms", 1'500},
      {"90s", 90'000},
      {"36500d", 36500LL * 86'400'000},
  };
  for (const auto& [text, ms] : table) {
    const auto d = parse_duration(text);
    ASSERT_TRUE(d.has_value()) << text << ": " << d.error().message;
    EXPECT_EQ(d->count(), ms) << text;
  }
}

struct BadDuration {
  const char* text;
  const char* message;
};

TEST(ParseDuration, RefusesWithAMessageSayingWhatWasExpected) {
  const BadDuration table[] = {
      {"", "expected a duration like 5s, 250ms or 1m30s, got ''"},
      {"fast", "expected a duration like 5s, 250ms or 1m30s, got 'fast'"},
      {"5",
       "expected a duration like 5s, 250ms or 1m30s, got '5' (a number needs a unit: ms, s, m, "
       "h or d)"},
      {"10sec",
       "expected a duration like 5s, 250ms or 1m30s, got '10sec' (unknown unit 'sec'; "
       "units are ms, s, m, h and d)"},
      {"5S",
       "expected a duration like 5s, 250ms or 1m30s, got '5S' (unknown unit 'S'; units are "
       "ms, s, m, h and d)"},
      {"30s1m",
       "expected a duration like 5s, 250ms or 1m30s, got '30s1m' (units must go from the "
       "largest to the smallest, each at most once)"},
      {"1s1s",
       "expected a duration like 5s, 250ms or 1m30s, got '1s1s' (units must go from the "
       "largest to the smallest, each at most once)"},
      {"1m30",
       "expected a duration like 5s, 250ms or 1m30s, got '1m30' (every number needs a "
       "unit: ms, s, m, h or d)"},
      {"-5s", "expected a duration like 5s, 250ms or 1m30s, got '-5s'"},
      {"1.5s",
       "expected a duration like 5s, 250ms or 1m30s, got '1.5s' (every number needs a "
       "unit: ms, s, m, h or d)"},
      {" 5s", "expected a duration like 5s, 250ms or 1m30s, got ' 5s'"},
      {"5 s",
       "expected a duration like 5s, 250ms or 1m30s, got '5 s' (every number needs a unit: "
       "ms, s, m, h or d)"},
      {"36501d", "duration '36501d' is too long (over 100 years)"},
      {"99999999999999999999s", "duration '99999999999999999999s' is too long (over 100 years)"},
  };
  for (const auto& [text, message] : table) {
    const auto d = parse_duration(text);
    ASSERT_FALSE(d.has_value()) << text;
    EXPECT_EQ(d.error().message, message) << text;
  }
}

TEST(FormatDuration, WritesTheShortestFormThatReadsBack) {
  const GoodDuration table[] = {
      {"0s", 0},         {"250ms", 250},      {"5s", 5'000},      {"1m30s", 90'000},
      {"1h", 3'600'000}, {"7d", 604'800'000}, {"1s500ms", 1'500}, {"1d2h3m4s5ms", 93'784'005}};
  for (const auto& [text, ms] : table) {
    EXPECT_EQ(format_duration(milliseconds{ms}), text);
    EXPECT_EQ(parse_duration(format_duration(milliseconds{ms}))->count(), ms);
  }
}

}  // namespace
}  // namespace blockhealth
