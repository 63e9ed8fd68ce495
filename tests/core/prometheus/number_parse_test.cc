#include "core/prometheus/number_parse.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace blockhealth::prometheus {
namespace {

TEST(NumberParse, FloatsAsGoParseFloatAcceptsThem) {
  EXPECT_EQ(parse_float("42"), 42.0);
  EXPECT_EQ(parse_float("-0.25"), -0.25);
  EXPECT_EQ(parse_float("1E+2"), 100.0);
  EXPECT_EQ(parse_float("0x1.8p1"), 3.0);
  EXPECT_EQ(parse_float("-0X1P-1"), -0.5);
  EXPECT_EQ(parse_float("INFINITY"), HUGE_VAL);
  EXPECT_EQ(parse_float("-inf"), -HUGE_VAL);
  EXPECT_TRUE(std::isnan(*parse_float("NaN")));
  EXPECT_TRUE(std::isnan(*parse_float("nAn")));
  EXPECT_EQ(parse_float("0.000001e-400"), 0.0);  // underflow: 0, as Go
  EXPECT_EQ(parse_float("1000000e-400"), 0.0);
  EXPECT_EQ(parse_float("-1e-400"), -0.0);
  EXPECT_FALSE(parse_float("0.0001e400").has_value());  // overflow: an error, as Go
}

TEST(NumberParse, RejectsWhatGoRejects) {
  for (const char* bad : {"",     "+",     "-",   ".",   "e5",     "1e",    "1e+",    "0x",
                          "0x1",  "0x1.8", "1_0", "++1", "+-1",    "-NaN",  "+nan",   "infinit",
                          "nanx", " 1",    "1 ",  "1,5", "0x+1p0", "1e400", "-1e400", "1.5.5"}) {
    EXPECT_FALSE(parse_float(bad).has_value()) << bad;
  }
}

TEST(NumberParse, Int64) {
  EXPECT_EQ(parse_int64("0"), 0);
  EXPECT_EQ(parse_int64("+12"), 12);
  EXPECT_EQ(parse_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_int64("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "-", "+", "9223372036854775808", "-9223372036854775809", "1.0", "1e3",
                          " 1", "0x10", "12a"}) {
    EXPECT_FALSE(parse_int64(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace blockhealth::prometheus
