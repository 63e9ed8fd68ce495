#include "core/util/text.h"

#include <gtest/gtest.h>

#include <string>

namespace blockhealth {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

TEST(IsValidUtf8, AcceptsAsciiAndMultiByteCharacters) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9"));       // é, 2 bytes
  EXPECT_TRUE(is_valid_utf8("\xE2\x82\xAC"));      // €, 3 bytes
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x98\x80"));  // 😀, 4 bytes
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(IsValidUtf8, RefusesMalformedSequences) {
  EXPECT_FALSE(is_valid_utf8("\x80"));                  // lone continuation byte
  EXPECT_FALSE(is_valid_utf8("\xC3"));                  // truncated 2-byte sequence
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));              // truncated 3-byte sequence
  EXPECT_FALSE(is_valid_utf8("\xC3\x28"));              // bad continuation
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong, 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\xAF"));      // overlong, 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));          // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));          // surrogate U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // U+110000, past the range
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));  // 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(IsValidUtf8, RefusesNulBytes) {
  EXPECT_FALSE(is_valid_utf8(std::string_view("a\0b", 3)));
}

TEST(SanitizeUtf8, KeepsValidTextThatFits) {
  EXPECT_EQ(sanitize_utf8("hello", 100), "hello");
  EXPECT_EQ(sanitize_utf8("caf\xC3\xA9", 100), "caf\xC3\xA9");
  EXPECT_EQ(sanitize_utf8("", 100), "");
}

TEST(SanitizeUtf8, ReplacesEachInvalidByteAndNul) {
  EXPECT_EQ(sanitize_utf8("a\xFF"
                          "b",
                          100),
            "a" + std::string(kReplacement) + "b");
  EXPECT_EQ(sanitize_utf8(std::string_view("a\0b", 3), 100), "a" + std::string(kReplacement) + "b");
  // A truncated sequence: each byte of it becomes one U+FFFD.
  EXPECT_EQ(sanitize_utf8("x\xE2\x82", 100),
            "x" + std::string(kReplacement) + std::string(kReplacement));
  const std::string out = sanitize_utf8("\xED\xA0\x80", 100);
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_EQ(out.find('\xED'), std::string::npos);
}

TEST(SanitizeUtf8, TextOfExactlyMaxBytesIsKeptWhole) {
  EXPECT_EQ(sanitize_utf8("abcde", 5), "abcde");
  // 2 + 3 bytes: the last character ends exactly at the limit.
  EXPECT_EQ(sanitize_utf8("ab\xE2\x82\xAC", 5), "ab\xE2\x82\xAC");
}

TEST(SanitizeUtf8, LongTextIsCutAndEndsWithAnEllipsisWithinTheLimit) {
  const std::string out = sanitize_utf8("abcdefghij", 6);
  EXPECT_EQ(out, "abc" + std::string(kEllipsis));
  EXPECT_LE(out.size(), 6U);
}

TEST(SanitizeUtf8, CutsOnACharacterBoundary) {
  // Five 2-byte characters (10 bytes) into 7 bytes: 2 characters + "…".
  const std::string out = sanitize_utf8("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 7);
  EXPECT_EQ(out, "\xC3\xA9\xC3\xA9" + std::string(kEllipsis));
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_LE(out.size(), 7U);
}

TEST(SanitizeUtf8, ResultIsAlwaysValidAndBounded) {
  std::string in;
  for (int i = 0; i < 256; ++i) in += static_cast<char>(i);
  for (std::size_t max : {4U, 5U, 16U, 100U, 1000U}) {
    const std::string out = sanitize_utf8(in, max);
    EXPECT_TRUE(is_valid_utf8(out)) << "max " << max;
    EXPECT_LE(out.size(), max) << "max " << max;
  }
}

TEST(SanitizeUtf8, ReplacementsCountTowardsTheLimit) {
  // Four invalid bytes become 12 bytes of U+FFFD; only so many fit.
  const std::string out = sanitize_utf8("\xFF\xFF\xFF\xFF", 8);
  EXPECT_LE(out.size(), 8U);
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_EQ(out, std::string(kReplacement) + std::string(kEllipsis));
}

}  // namespace
}  // namespace blockhealth
