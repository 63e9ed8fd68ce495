// Parsing well-formed exposition text: the dcgm-exporter fixture and each
// syntax feature of format 0.0.4.
#include "core/prometheus/exposition_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "tests/support/test_paths.h"

namespace blockhealth::prometheus {
namespace {

const std::string* label(const MetricSample& sample, const std::string& name) {
  for (const Label& l : sample.labels) {
    if (l.name == name) return &l.value;
  }
  return nullptr;
}

ParsedExposition parse_ok(std::string_view text) {
  auto parsed = parse_exposition(text);
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message);
  return parsed ? std::move(*parsed) : ParsedExposition{};
}

// The sample named `name` whose label `label_name` is `label_value`.
const MetricSample* find(const ParsedExposition& p, const std::string& name,
                         const std::string& label_name, const std::string& label_value) {
  for (const MetricSample& s : p.samples) {
    const std::string* v = label(s, label_name);
    if (s.name == name && v != nullptr && *v == label_value) return &s;
  }
  return nullptr;
}

TEST(ExpositionParser, ParsesTheWholeDcgmExporterFixture) {
  const ParsedExposition p = parse_ok(test::read_fixture("dcgm-exporter-h100x2.prom"));
  ASSERT_EQ(p.samples.size(), 12U);
  ASSERT_EQ(p.sample_family.size(), 12U);
  ASSERT_EQ(p.families.size(), 6U);

  const MetricSample* temp = find(p, "DCGM_FI_DEV_GPU_TEMP", "gpu", "1");
  ASSERT_NE(temp, nullptr);
  EXPECT_EQ(temp->value, 86);
  EXPECT_EQ(temp->timestamp_ms, 0);
  ASSERT_NE(label(*temp, "UUID"), nullptr);
  EXPECT_EQ(*label(*temp, "UUID"), "GPU-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d");
  EXPECT_EQ(*label(*temp, "modelName"), "NVIDIA H100 80GB HBM3");
  ASSERT_EQ(temp->labels.size(), 9U);
  EXPECT_EQ(temp->labels.front(), (Label{"gpu", "1"}));  // source order
  EXPECT_EQ(temp->labels.back(), (Label{"pod", "in-vkkv"}));
  EXPECT_EQ(find(p, "DCGM_FI_DEV_GPU_TEMP", "gpu", "0")->value, 71);

  const MetricSample* mem = find(p, "DCGM_FI_DEV_MEMORY_TEMP", "gpu", "1");
  ASSERT_NE(mem, nullptr);
  EXPECT_EQ(mem->value, 9223372036854775794.0);  // DCGM's blank sentinel, as a double
  EXPECT_GT(mem->value, 9.2e18);

  EXPECT_DOUBLE_EQ(find(p, "DCGM_FI_DEV_POWER_USAGE", "gpu", "0")->value, 612.337);
  EXPECT_EQ(find(p, "DCGM_FI_DEV_THERMAL_VIOLATION", "gpu", "1")->value, 1834227);

  const MetricSample* xid = find(p, "DCGM_FI_DEV_XID_ERRORS", "gpu", "1");
  ASSERT_NE(xid, nullptr);
  ASSERT_NE(label(*xid, "err_msg"), nullptr);
  EXPECT_EQ(*label(*xid, "err_msg"), "No Error");
  EXPECT_EQ(*label(*xid, "err_code"), "0");
  EXPECT_EQ(xid->labels.size(), 11U);

  const MetricFamilyInfo* gpu_temp = p.find_family("DCGM_FI_DEV_GPU_TEMP");
  ASSERT_NE(gpu_temp, nullptr);
  EXPECT_EQ(gpu_temp->type, MetricType::kGauge);
  EXPECT_TRUE(gpu_temp->has_type);
  EXPECT_EQ(gpu_temp->help, "GPU temperature (in C).");
  EXPECT_EQ(gpu_temp->sample_count, 2U);
  EXPECT_EQ(p.find_family("DCGM_FI_DEV_THERMAL_VIOLATION")->type, MetricType::kCounter);
  EXPECT_EQ(p.families.front().name, "DCGM_FI_DEV_SM_CLOCK");
  EXPECT_EQ(p.find_family("DCGM_FI_DEV_NOPE"), nullptr);
  for (std::size_t i = 0; i < p.samples.size(); ++i) {
    EXPECT_EQ(p.family_of(i).name, p.samples[i].name);
  }
}

TEST(ExpositionParser, UnescapesLabelValuesAndHelp) {
  const ParsedExposition p = parse_ok(
      "# HELP m One\\\\two\\nthree \\q \xC3\xA9t\xC3\xA9\n"
      "m{a=\"x\\\\y\\\"z\\nw\",b=\"\",c=\"\xE2\x82\xAC \xF0\x9F\x94\xA5\"} 1\n");
  ASSERT_EQ(p.samples.size(), 1U);
  EXPECT_EQ(p.samples[0].labels[0].value, "x\\y\"z\nw");
  EXPECT_EQ(p.samples[0].labels[1].value, "");
  EXPECT_EQ(p.samples[0].labels[2].value, "\xE2\x82\xAC \xF0\x9F\x94\xA5");
  ASSERT_EQ(p.families.size(), 1U);
  EXPECT_TRUE(p.families[0].has_help);
  EXPECT_FALSE(p.families[0].has_type);
  EXPECT_EQ(p.families[0].type, MetricType::kUntyped);
  // Unknown escapes in HELP are kept as written, as Prometheus does.
  EXPECT_EQ(p.families[0].help, "One\\two\nthree \\q \xC3\xA9t\xC3\xA9");
}

TEST(ExpositionParser, ParsesSpecialAndExoticFloats) {
  const ParsedExposition p = parse_ok(
      "a NaN\nb +Inf\nc -Inf\nd Inf\ne -inf\nf 1e3\ng -1.5E-3\nh 0x1p4\ni .5\nj 5.\n"
      "k 9223372036854775807\nl -0\nm 1e-400\nn +Infinity\no nan\np +12\n");
  ASSERT_EQ(p.samples.size(), 16U);
  EXPECT_TRUE(std::isnan(p.samples[0].value));
  EXPECT_EQ(p.samples[1].value, HUGE_VAL);
  EXPECT_EQ(p.samples[2].value, -HUGE_VAL);
  EXPECT_EQ(p.samples[3].value, HUGE_VAL);
  EXPECT_EQ(p.samples[4].value, -HUGE_VAL);
  EXPECT_EQ(p.samples[5].value, 1000);
  EXPECT_EQ(p.samples[6].value, -0.0015);
  EXPECT_EQ(p.samples[7].value, 16);
  EXPECT_EQ(p.samples[8].value, 0.5);
  EXPECT_EQ(p.samples[9].value, 5);
  EXPECT_EQ(p.samples[10].value, 9223372036854775807.0);
  EXPECT_TRUE(std::signbit(p.samples[11].value));
  EXPECT_EQ(p.samples[12].value, 0);  // underflow rounds to 0, as in Go
  EXPECT_EQ(p.samples[13].value, HUGE_VAL);
  EXPECT_TRUE(std::isnan(p.samples[14].value));
  EXPECT_EQ(p.samples[15].value, 12);
}

TEST(ExpositionParser, ParsesTimestamps) {
  const ParsedExposition p = parse_ok(
      "m{a=\"1\"} 1 1700000000123\nm{a=\"2\"} 2 -5\nm{a=\"3\"} 3\n"
      "m{a=\"4\"} 4 9223372036854775807   \n");
  ASSERT_EQ(p.samples.size(), 4U);
  EXPECT_EQ(p.samples[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(p.samples[1].timestamp_ms, -5);
  EXPECT_EQ(p.samples[2].timestamp_ms, 0);
  EXPECT_EQ(p.samples[3].timestamp_ms, INT64_MAX);
}

TEST(ExpositionParser, AttributesHistogramSeriesToTheirFamily) {
  const ParsedExposition p = parse_ok(
      "# HELP rpc_seconds RPC latency.\n"
      "# TYPE rpc_seconds histogram\n"
      "rpc_seconds_bucket{le=\"0.1\"} 1\n"
      "rpc_seconds_bucket{le=\"1\"} 3\n"
      "rpc_seconds_bucket{le=\"+Inf\"} 4\n"
      "rpc_seconds_sum 2.5\n"
      "rpc_seconds_count 4\n"
      "other 7\n");
  ASSERT_EQ(p.samples.size(), 6U);
  ASSERT_EQ(p.families.size(), 2U);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(p.family_of(i).name, "rpc_seconds");
    EXPECT_EQ(p.family_of(i).type, MetricType::kHistogram);
  }
  EXPECT_EQ(p.families[0].sample_count, 5U);
  EXPECT_EQ(p.families[0].help, "RPC latency.");
  EXPECT_EQ(p.samples[2].labels[0], (Label{"le", "+Inf"}));
  EXPECT_EQ(p.samples[3].name, "rpc_seconds_sum");
  EXPECT_EQ(p.samples[3].value, 2.5);
  EXPECT_EQ(p.family_of(5).name, "other");
  EXPECT_EQ(p.family_of(5).type, MetricType::kUntyped);
}

TEST(ExpositionParser, AttributesSummarySeriesToTheirFamily) {
  const ParsedExposition p = parse_ok(
      "# TYPE gc_seconds summary\n"
      "gc_seconds{quantile=\"0.5\"} 0.01\n"
      "gc_seconds{quantile=\"0.99\"} 0.2\n"
      "gc_seconds_sum 12\n"
      "gc_seconds_count 300\n"
      "gc_seconds_bucket 1\n");  // not a summary series: a family of its own
  ASSERT_EQ(p.samples.size(), 5U);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(p.family_of(i).name, "gc_seconds");
  EXPECT_EQ(p.family_of(0).type, MetricType::kSummary);
  EXPECT_EQ(p.family_of(4).name, "gc_seconds_bucket");
  EXPECT_EQ(p.family_of(4).type, MetricType::kUntyped);
}

TEST(ExpositionParser, SuffixedSamplesWithoutTypedBaseAreTheirOwnFamily) {
  const ParsedExposition p = parse_ok("# TYPE x gauge\nx 1\nx_sum 2\ny_count 3\n");
  ASSERT_EQ(p.families.size(), 3U);
  EXPECT_EQ(p.family_of(1).name, "x_sum");
  EXPECT_EQ(p.family_of(2).name, "y_count");
}

TEST(ExpositionParser, AcceptsCrlfLineEndings) {
  const ParsedExposition p =
      parse_ok("# HELP m Help.\r\n# TYPE m gauge\r\nm{a=\"b\"} 1 5\r\n\r\nn 2\r\n");
  ASSERT_EQ(p.samples.size(), 2U);
  EXPECT_EQ(p.samples[0].labels[0].value, "b");
  EXPECT_EQ(p.samples[0].timestamp_ms, 5);
  EXPECT_EQ(p.samples[1].value, 2);
  EXPECT_EQ(p.families[0].help, "Help.");
  EXPECT_EQ(p.families[0].type, MetricType::kGauge);
}

TEST(ExpositionParser, AcceptsTrailingCommaEmptyLabelsAndBlanks) {
  const ParsedExposition p = parse_ok(
      "m{a=\"b\",} 1\n"
      "m{} 2\n"
      "  m { a = \"c\" ,\tb=\"d\" , } \t 3  17 \n"
      "m{a=\"e\"}4\n");
  ASSERT_EQ(p.samples.size(), 4U);
  EXPECT_EQ(p.samples[0].labels, (std::vector<Label>{{"a", "b"}}));
  EXPECT_TRUE(p.samples[1].labels.empty());
  EXPECT_EQ(p.samples[2].labels, (std::vector<Label>{{"a", "c"}, {"b", "d"}}));
  EXPECT_EQ(p.samples[2].value, 3);
  EXPECT_EQ(p.samples[2].timestamp_ms, 17);
  EXPECT_EQ(p.samples[3].value, 4);
}

TEST(ExpositionParser, SkipsCommentsAndBlankLinesAndToleratesNoFinalNewline) {
  const ParsedExposition p = parse_ok(
      "\n# just a comment\n#\n   \n# HELP\n# TYPEx m counter\n#HELP m Tight.\n"
      "m:sub_total 1");
  ASSERT_EQ(p.samples.size(), 1U);
  EXPECT_EQ(p.samples[0].name, "m:sub_total");
  EXPECT_EQ(p.find_family("m")->help, "Tight.");  // "#HELP" without blank counts
}

TEST(ExpositionParser, EmptyInputGivesNothing) {
  const ParsedExposition p = parse_ok("");
  EXPECT_TRUE(p.samples.empty());
  EXPECT_TRUE(p.families.empty());
}

TEST(ExpositionParser, TypeIsCaseInsensitiveAndHelpMayComeLate) {
  const ParsedExposition p =
      parse_ok("# TYPE m COUNTER\n# HELP m Later help.\nm 1\nlate 2\n# HELP late After samples.\n");
  EXPECT_EQ(p.find_family("m")->type, MetricType::kCounter);
  EXPECT_EQ(p.find_family("m")->help, "Later help.");
  EXPECT_EQ(p.find_family("late")->help, "After samples.");
}

}  // namespace
}  // namespace blockhealth::prometheus
