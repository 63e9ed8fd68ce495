// The text helpers compiled into every built-in policy.
#include "plugins/common/text_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace blockhealth::policies {
namespace {

TEST(TextFormatTest, FormatsNumbersWithoutNoise) {
  EXPECT_EQ(format_number(86), "86");
  EXPECT_EQ(format_number(-2), "-2");
  EXPECT_EQ(format_number(86.5), "86.5");
  EXPECT_EQ(format_number(0.25), "0.25");
  EXPECT_EQ(format_number(std::nan("")), "NaN");
  EXPECT_EQ(format_number(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_number(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(TextFormatTest, FormatsDurationsForHumans) {
  EXPECT_EQ(format_duration_ms(250), "250ms");
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
  EXPECT_EQ(format_duration_ms(60'000), "60s");
  EXPECT_EQ(format_duration_ms(90'000), "90s");
  EXPECT_EQ(format_duration_ms(300'000), "5m");
  EXPECT_EQ(format_duration_ms(3'600'000), "60m");
  EXPECT_EQ(format_duration_ms(7'200'000), "2h");
  EXPECT_EQ(format_seconds(310'000), "310s");
  EXPECT_EQ(format_seconds(1'500), "1.5s");
}

TEST(TextFormatTest, QuotesShortTextWhole) {
  EXPECT_EQ(quote_text("plain", 160), "\"plain\"");
  EXPECT_EQ(quote_text("a\"b\\c\td\ne\x7F", 160), "\"a\\\"b\\\\c\\td\\ne\\x7F\"");
  EXPECT_EQ(quote_text("", 160), "\"\"");
}

TEST(TextFormatTest, TruncatesOnCharacterBoundaries) {
  // 10 bytes fit exactly: no ellipsis.
  EXPECT_EQ(quote_text("0123456789", 10), "\"0123456789\"");
  // One more byte: cut to 7 bytes plus "…" (3 bytes).
  EXPECT_EQ(quote_text("0123456789a", 10), "\"0123456\xE2\x80\xA6\"");
  // A 3-byte character that would straddle the cut is dropped whole.
  EXPECT_EQ(quote_text("012345\xE2\x82\xAC"
                       "789",
                       10),
            "\"012345\xE2\x80\xA6\"");
  // An escape is never split either.
  EXPECT_EQ(quote_text("012345\x01xyz", 10), "\"012345\xE2\x80\xA6\"");
}

}  // namespace
}  // namespace blockhealth::policies
