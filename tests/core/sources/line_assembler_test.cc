#include "core/sources/line_assembler.h"

#include <gtest/gtest.h>

#include "core/util/text.h"

namespace blockhealth {
namespace {

using Lines = std::vector<std::string>;

TEST(LineAssembler, CompleteLinesComeOutWithoutTheirEndings) {
  LineAssembler a(64);
  Lines out;
  a.feed("one\ntwo\r\n\nthree\n", 0, out);
  EXPECT_EQ(out, (Lines{"one", "two", "", "three"}));
  EXPECT_FALSE(a.has_partial());
}

TEST(LineAssembler, APartialLineWaitsForItsNewline) {
  LineAssembler a(64);
  Lines out;
  a.feed("hello wo", 10, out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(a.has_partial());
  EXPECT_EQ(a.partial_since_ms(), 10);
  a.feed("rld\nnext", 20, out);
  EXPECT_EQ(out, (Lines{"hello world"}));
  EXPECT_EQ(a.partial_since_ms(), 20);
}

TEST(LineAssembler, CrLfSplitAcrossWrites) {
  LineAssembler a(64);
  Lines out;
  a.feed("abc\r", 0, out);
  a.feed("\n", 0, out);
  EXPECT_EQ(out, (Lines{"abc"}));
}

TEST(LineAssembler, APartialLineIsTakenAfterTheTimeout) {
  LineAssembler a(64);
  Lines out;
  a.feed("no newline", 100, out);
  EXPECT_FALSE(a.flush_if_older(150, 100, out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(a.flush_if_older(200, 100, out));
  EXPECT_EQ(out, (Lines{"no newline"}));
  EXPECT_FALSE(a.has_partial());
  EXPECT_FALSE(a.flush_if_older(10'000, 100, out));
}

TEST(LineAssembler, LongLinesAreCutAndTheRestDropped) {
  LineAssembler a(16);
  Lines out;
  a.feed(std::string(40, 'x') + "\nshort\n", 0, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_LE(out[0].size(), 16u);
  EXPECT_TRUE(out[0].ends_with("…"));
  EXPECT_TRUE(out[0].starts_with("xxxxxxxxxx"));
  EXPECT_EQ(out[1], "short");
}

TEST(LineAssembler, LongLineArrivingInPiecesIsCutOnceAndFollowingContinues) {
  LineAssembler a(16);
  Lines out;
  for (int i = 0; i < 10; ++i) a.feed("yyyyyyyy", 0, out);  // 80 bytes, no newline
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].ends_with("…"));
  a.feed("yyyy\nafter\n", 0, out);
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1], "after");
}

TEST(LineAssembler, LongPartialCompletedByItsNewlineIsCut) {
  LineAssembler a(16);
  Lines out;
  a.feed("0123456789", 0, out);
  a.feed("abcdefghij\n", 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(out[0].size(), 16u);
  EXPECT_TRUE(out[0].starts_with("0123456789"));
}

TEST(LineAssembler, BinaryGarbageBecomesValidUtf8) {
  LineAssembler a(64);
  Lines out;
  a.feed(std::string("\x00\xff\xfe ok \xc3\x28\n", 10), 0, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(is_valid_utf8(out[0]));
  EXPECT_NE(out[0].find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(out[0].find(" ok "), std::string::npos);
}

TEST(LineAssembler, FlushTakesThePartialLine) {
  LineAssembler a(64);
  Lines out;
  a.flush(out);
  EXPECT_TRUE(out.empty());
  a.feed("tail", 0, out);
  a.flush(out);
  EXPECT_EQ(out, (Lines{"tail"}));
}

}  // namespace
}  // namespace blockhealth
