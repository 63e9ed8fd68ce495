#include "core/wire/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

namespace blockhealth::wire {
namespace {

TEST(JsonWriter, NestsAndPlacesCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a").integer(-3);
  w.key("b").begin_array().boolean(true).null().begin_object().end_object().end_array();
  w.key("c").begin_object().key("d").string("x").end_object();
  w.key("e").unsigned_integer(18'446'744'073'709'551'615ULL);
  w.key("f").raw(R"({"g":1})");
  w.end_object();
  EXPECT_EQ(out,
            R"({"a":-3,"b":[true,null,{}],"c":{"d":"x"},"e":18446744073709551615,"f":{"g":1}})");
}

TEST(JsonWriter, NumbersAreShortestRoundTripAndNonFiniteIsNull) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  w.number(34).number(612.337).number(0.1).number(-1e-7).number(1e300);
  w.number(std::numeric_limits<double>::quiet_NaN()).number(INFINITY).number(-INFINITY);
  w.end_array();
  EXPECT_EQ(out, "[34,612.337,0.1,-1e-07,1e+300,null,null,null]");
  const boost::json::value v = boost::json::parse(out);
  EXPECT_EQ(v.at(1).as_double(), 612.337);
}

TEST(JsonWriter, StringsEscapeQuotesBackslashesAndControlCharacters) {
  std::string out;
  const std::string in = "a\"b\\c\n\t\r\b\f\x01\x1f/\xC3\xA9";
  append_json_string(out, in);
  EXPECT_EQ(out, R"("a\"b\\c\n\t\r\b\f\u0001\u001f/é")");
  // What Boost.JSON reads back is what went in.
  EXPECT_EQ(boost::json::parse(out).as_string(), in);
}

TEST(JsonWriter, EmbeddedNulIsEscapedNotCut) {
  std::string out;
  append_json_string(out, std::string_view("a\0b", 3));
  EXPECT_EQ(out, R"("a\u0000b")");
}

TEST(JsonWriter, TimesAreRfc3339OrNull) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().time_or_null(1'764'238'565'772).time_or_null(0).end_array();
  EXPECT_EQ(out, R"(["2025-11-27T10:16:05.772Z",null])");
}

}  // namespace
}  // namespace blockhealth::wire
