#include "core/util/time_text.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

TEST(TimeText, TimesAreUtcWithMilliseconds) {
  std::string out;
  append_time_ms(out, 1'767'225'600'123);
  EXPECT_EQ(out, "2026-01-01T00:00:00.123Z");
  out.clear();
  append_time_ms(out, 0);
  EXPECT_EQ(out, "1970-01-01T00:00:00.000Z");
  out.clear();
  append_time_ms(out, -1);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999Z");
  out.clear();
  append_time_ms(out, 951'782'400'000);  // a leap day
  EXPECT_EQ(out, "2000-02-29T00:00:00.000Z");
}

TEST(TimeText, FormatSaysNothingForAnUnsetTime) {
  EXPECT_EQ(format_time_ms(0), "");
  EXPECT_EQ(format_time_ms(1'764'238'565'772), "2025-11-27T10:16:05.772Z");
}

TEST(TimeText, FormatAndParseRoundTrip) {
  for (std::int64_t ms : {1'764'238'565'772LL, 4'102'444'799'999LL, 86'400'000LL}) {
    auto parsed = parse_time_ms(format_time_ms(ms));
    ASSERT_TRUE(parsed) << ms;
    EXPECT_EQ(*parsed, ms);
  }
}

}  // namespace
}  // namespace blockhealth
