// Writing exposition text: numbers, escaping, and reading it back.
#include "core/prometheus/exposition_writer.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "core/prometheus/exposition_parser.h"
#include "core/prometheus/number_parse.h"

namespace blockhealth::prometheus {
namespace {

std::string format(double v) {
  std::string out;
  append_double(out, v);
  return out;
}

TEST(ExpositionWriter, FormatsNumbersAsPrometheusExpects) {
  EXPECT_EQ(format(NAN), "NaN");
  EXPECT_EQ(format(HUGE_VAL), "+Inf");
  EXPECT_EQ(format(-HUGE_VAL), "-Inf");
  EXPECT_EQ(format(0), "0");
  EXPECT_EQ(format(-0.0), "-0");
  EXPECT_EQ(format(86), "86");
  EXPECT_EQ(format(1834227), "1834227");
  EXPECT_EQ(format(612.337), "612.337");
  EXPECT_EQ(format(0.1), "0.1");
  EXPECT_EQ(format(1e21), "1e+21");
  EXPECT_EQ(format(-2.5e-7), "-2.5e-07");
}

TEST(ExpositionWriter, ShortestFormReadsBackExactly) {
  for (double v : {0.1, 1.0 / 3, 612.337, 9223372036854775794.0, DBL_MAX, DBL_MIN, 5e-324,
                   -123456.789e-300, 1e-7, 4503599627370497.0}) {
    const std::optional<double> back = parse_float(format(v));
    ASSERT_TRUE(back.has_value()) << format(v);
    EXPECT_EQ(*back, v) << format(v);
  }
}

TEST(ExpositionWriter, EscapesLabelValues) {
  std::string out;
  append_escaped_label_value(out, "a\\b\"c\nd \xE2\x82\xAC");
  EXPECT_EQ(out, "a\\\\b\\\"c\\nd \xE2\x82\xAC");
  out.clear();
  append_escaped_label_value(out, "bad\xFFtail\xE2\x82");  // invalid UTF-8 -> U+FFFD
  EXPECT_EQ(out, "bad\xEF\xBF\xBDtail\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ExpositionWriter, WritesHelpTypeAndSamples) {
  std::string out;
  write_help(out, "m_total", "Line one\nback\\slash \"quoted\"");
  write_type(out, "m_total", MetricType::kCounter);
  const std::vector<LabelView> labels = {{"block", "b1"}, {"reason", "say \"hi\"\n"}};
  write_sample(out, "m_total", labels, 3);
  write_sample(out, "m_total", {}, NAN, 1700000000000);
  EXPECT_EQ(out,
            "# HELP m_total Line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE m_total counter\n"
            "m_total{block=\"b1\",reason=\"say \\\"hi\\\"\\n\"} 3\n"
            "m_total NaN 1700000000000\n");
}

TEST(ExpositionWriter, SamplesRoundTripThroughTheParser) {
  std::vector<MetricSample> samples = {
      {"gpu_temp", {{"gpu", "1"}, {"msg", "tab\tquote\"back\\slash\nnewline \xC3\xA9"}}, 86, 0},
      {"sentinel", {}, 9223372036854775794.0, -17},
      {"inf", {{"le", "+Inf"}}, -HUGE_VAL, 1},
      {"tiny", {{"a", ""}}, 5e-324, INT64_MAX},
  };
  std::string text;
  for (const MetricSample& s : samples) write_sample(text, s);
  auto parsed = parse_exposition(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << text;
  ASSERT_EQ(parsed->samples.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(parsed->samples[i].name, samples[i].name);
    EXPECT_EQ(parsed->samples[i].labels, samples[i].labels);
    EXPECT_EQ(parsed->samples[i].value, samples[i].value);
    EXPECT_EQ(parsed->samples[i].timestamp_ms, samples[i].timestamp_ms);
  }
}

}  // namespace
}  // namespace blockhealth::prometheus
