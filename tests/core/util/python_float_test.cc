#include "core/util/python_float.h"

#include <gtest/gtest.h>

#include <limits>
#include <utility>

namespace blockhealth {
namespace {

std::string repr(double v) {
  std::string out;
  append_python_float_repr(out, v);
  return out;
}

// Expected strings are CPython 3.11's repr() of the same values.
TEST(PythonFloatRepr, MatchesCPython) {
  const std::pair<double, const char*> cases[] = {
      {5.0, "5.0"},
      {12.959992408752441, "12.959992408752441"},
      {0.001, "0.001"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {1e16, "1e+16"},
      {1234567890123456.0, "1234567890123456.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {123.456, "123.456"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e22, "1e+22"},
      {2.5e-7, "2.5e-07"},
      {-0.0, "-0.0"},
      {-3.25, "-3.25"},
      {0.0, "0.0"},
      {1.5e300, "1.5e+300"},
      {5e-324, "5e-324"},
      {60.0, "60.0"},
      {0.3, "0.3"},
  };
  for (const auto& [value, expected] : cases) EXPECT_EQ(repr(value), expected) << expected;
}

TEST(PythonFloatRepr, NonFiniteAsPythonWritesThem) {
  EXPECT_EQ(repr(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(repr(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(repr(std::numeric_limits<double>::quiet_NaN()), "nan");
}

TEST(PythonFloatRepr, Appends) {
  std::string out = "age ";
  append_python_float_repr(out, 2.5);
  EXPECT_EQ(out, "age 2.5");
}

}  // namespace
}  // namespace blockhealth
