// Unit tests of the SDK headers themselves: the C helpers (from a strict C99
// translation unit), policy.hpp's Json, text and duration helpers, and
// testing.hpp's Prometheus text reader.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <blockhealth/policy.hpp>
#include <blockhealth/testing.hpp>
#include <cmath>
#include <string>

#include "tests/sdk/c_helpers_check.h"
#include "tests/support/test_paths.h"

namespace {

using ::testing::HasSubstr;

std::string error_of(const auto& body) {
  try {
    body();
  } catch (const bh::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SdkCHelpers, PassInStrictC99) {
  EXPECT_EQ(bh_sdk_c_helpers_check(), 0) << "failing line";
}

TEST(SdkJson, ParsesWhatTheHostSends) {
  const bh::Json j = bh::Json::parse(
      R"( {"warn": 83, "name": "gpu \"0\" \u00e9 \ud83d\ude00", "on": true, "list": ["a", "b"],
           "nested": {"x": null}} )");
  EXPECT_EQ(j.number_or("warn", 0), 83);
  EXPECT_EQ(j.integer_or("warn", 0), 83);
  EXPECT_EQ(j.string_or("name", ""), "gpu \"0\" \xc3\xa9 \xf0\x9f\x98\x80");
  EXPECT_TRUE(j.bool_or("on", false));
  EXPECT_EQ(j.strings_or_empty("list"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(j.find("nested")->find("x")->is_null());
  EXPECT_EQ(j.number_or("absent", 7), 7);
}

TEST(SdkJson, LoneSurrogatesBecomeReplacementCharacters) {
  EXPECT_EQ(bh::Json::parse(R"("\ud800x")").as_string(), "\xef\xbf\xbdx");
  EXPECT_EQ(bh::Json::parse(R"("\ud800\u0041")").as_string(),
            "\xef\xbf\xbd"
            "A");
}

TEST(SdkJson, MalformedTextIsAClearError) {
  EXPECT_THAT(error_of([] { bh::Json::parse(R"({"a": })"); }),
              HasSubstr("malformed JSON at offset 6"));
  EXPECT_THAT(error_of([] { bh::Json::parse(R"({"a": 1} x)"); }), HasSubstr("trailing characters"));
  EXPECT_THAT(error_of([] { bh::Json::parse(R"("abc)"); }), HasSubstr("unterminated string"));
  EXPECT_THAT(error_of([] { bh::Json::parse(std::string(100, '[')); }),
              HasSubstr("nested too deeply"));
}

TEST(SdkJson, WrongParameterTypesNameTheKey) {
  const bh::Json j = bh::Json::parse(R"({"warn": "hot", "n": 1.5, "list": [1]})");
  EXPECT_EQ(error_of([&] { (void)j.number_or("warn", 0); }), "parameter 'warn' must be a number");
  EXPECT_EQ(error_of([&] { (void)j.integer_or("n", 0); }), "JSON number 1.5 is not an integer");
  EXPECT_EQ(error_of([&] { (void)j.strings_or_empty("list"); }),
            "parameter 'list' must be an array of strings");
}

TEST(SdkJson, BuildsAndDumpsAnswers) {
  const bh::Json answer = bh::Json::Object{
      {"warn", 83},      {"name", "a\"b\n\x01"}, {"ok", true},
      {"none", nullptr}, {"nan", std::nan("")},  {"list", bh::Json::Array{1.5, "x"}}};
  EXPECT_EQ(
      answer.dump(),
      R"({"list":[1.5,"x"],"name":"a\"b\n\u0001","nan":null,"none":null,"ok":true,"warn":83})");
  EXPECT_EQ(bh::Json::parse(answer.dump()).dump(), answer.dump());
  EXPECT_EQ(bh::Json::quote("q\\"), R"("q\\")");
}

TEST(SdkText, FormatAndNumbers) {
  EXPECT_EQ(bh::format("GPU %d at %g C >= %g C", 1, 86.0, 85.0), "GPU 1 at 86 C >= 85 C");
  EXPECT_EQ(bh::format("%s", std::string(1000, 'x').c_str()).size(), 1000u);
  EXPECT_EQ(bh::number_to_string(612.337), "612.337");
  EXPECT_EQ(bh::number_to_string(86), "86");
  EXPECT_EQ(bh::number_to_string(-INFINITY), "-Inf");
  EXPECT_EQ(bh::number_to_string(NAN), "NaN");
}

TEST(SdkDurations, ParseUnitsAndRejectTheRest) {
  EXPECT_EQ(bh::parse_duration_ms("250ms"), 250);
  EXPECT_EQ(bh::parse_duration_ms("1.5s"), 1500);
  EXPECT_EQ(bh::parse_duration_ms("2m"), 120'000);
  EXPECT_EQ(bh::parse_duration_ms("1h"), 3'600'000);
  EXPECT_EQ(bh::parse_duration_ms("30"), 30'000);
  EXPECT_THAT(error_of([] { bh::parse_duration_ms("5 minutes"); }),
              HasSubstr("bad duration '5 minutes': unit must be ms, s, m or h"));
  EXPECT_THAT(error_of([] { bh::parse_duration_ms("1.2.3s"); }), HasSubstr("bad duration"));
  EXPECT_THAT(error_of([] { bh::parse_duration_ms("-5s"); }), HasSubstr("bad duration"));
  EXPECT_THAT(error_of([] { bh::parse_duration_ms("99999999999999h"); }), HasSubstr("too long"));
  const bh::Json p = bh::Json::parse(R"({"a": "60s", "b": 2.5, "c": true, "d": -1})");
  EXPECT_EQ(bh::duration_ms_or(p, "a", 0), 60'000);
  EXPECT_EQ(bh::duration_ms_or(p, "b", 0), 2'500);
  EXPECT_EQ(bh::duration_ms_or(p, "missing", 42), 42);
  EXPECT_THAT(error_of([&] { bh::duration_ms_or(p, "c", 0); }),
              HasSubstr("parameter 'c' must be a duration"));
  EXPECT_THAT(error_of([&] { bh::duration_ms_or(p, "d", 0); }), HasSubstr("bad duration -1"));
}

TEST(SdkVerdicts, BuilderAndWorst) {
  const bh::Verdict v = bh::Verdict::critical("hot").with_evidence("temp", 90, 88);
  EXPECT_EQ(v.status, bh::Status::kCritical);
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, "temp");
  EXPECT_EQ(bh::worst(bh::Status::kWarn, bh::Status::kUnknown), bh::Status::kUnknown);
  EXPECT_EQ(bh::worst(bh::Status::kCritical, bh::Status::kUnknown), bh::Status::kCritical);
  EXPECT_EQ(bh::worst(bh::Status::kOk, bh::Status::kOk), bh::Status::kOk);
  EXPECT_STREQ(bh::to_string(bh::Status::kWarn), "warn");
}

TEST(SdkViews, InstanceSampleAndProbeViewsOverRawAbiStructs) {
  const bh_label gpu0[] = {{"gpu", "0"}, {"UUID", "GPU-a\"b\\c\nd"}};
  const bh_label gpu1[] = {{"gpu", "1"}};
  const bh_sample samples[] = {{"DCGM_FI_DEV_GPU_TEMP", gpu0, 2, 71, 1},
                               {"DCGM_FI_DEV_GPU_TEMP", gpu1, 1, 86, 2},
                               {"DCGM_FI_DEV_POWER_USAGE", nullptr, 0, 612.5, 3},
                               {"queue_length", nullptr, 0, 4, 4}};
  const char body[] = {'o', 'k', '\0', '!'};
  bh_probe probe{};
  probe.struct_size = sizeof probe;
  probe.outcome = BH_PROBE_RESPONSE;
  probe.http_status = 503;
  probe.url = "http://x/health";
  probe.error = "";
  probe.body = body;
  probe.body_size = sizeof body;
  bh_instance raw{};
  raw.struct_size = sizeof raw;
  raw.block_id = "b";
  raw.instance_id = "i";
  raw.samples = samples;
  raw.sample_count = 4;
  raw.probe = &probe;

  const bh::Instance in(raw);
  EXPECT_EQ(in.samples_with_prefix("DCGM_FI_DEV_").size(), 3u);
  EXPECT_EQ(in.samples_named("DCGM_FI_DEV_GPU_TEMP").size(), 2u);
  const auto hot = in.samples_where("DCGM_FI_DEV_GPU_TEMP", "gpu", "1");
  ASSERT_EQ(hot.size(), 1u);
  EXPECT_EQ(hot[0].value(), 86);
  EXPECT_EQ(hot[0].label_or("UUID", "none"), "none");
  EXPECT_EQ(in.sample("queue_length")->value(), 4);
  EXPECT_FALSE(in.sample("absent").has_value());

  const bh::Sample first = in.samples()[0];
  EXPECT_EQ(first.series(), R"(DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a\"b\\c\nd"})");
  EXPECT_EQ(first.series({"gpu"}), R"(DCGM_FI_DEV_GPU_TEMP{gpu="0"})");
  EXPECT_EQ(first.series({"pod"}), "DCGM_FI_DEV_GPU_TEMP");
  EXPECT_EQ(in.samples()[2].series(), "DCGM_FI_DEV_POWER_USAGE");

  ASSERT_TRUE(in.health_probe().has_value());
  EXPECT_TRUE(in.health_probe()->responded());
  EXPECT_EQ(in.health_probe()->http_status(), 503);
  EXPECT_EQ(in.health_probe()->body(), std::string_view(body, 4));  // NUL bytes kept
  raw.probe = nullptr;
  EXPECT_FALSE(in.health_probe().has_value());
}

TEST(SdkPrometheus, ReadsADcgmExporterScrape) {
  const std::vector<bh::testing::Sample> samples =
      bh::testing::parse_prometheus(blockhealth::test::read_fixture("dcgm-exporter-h100x2.prom"));
  ASSERT_FALSE(samples.empty());
  const bh::testing::Sample* hot = nullptr;
  const bh::testing::Sample* blank = nullptr;
  for (const auto& s : samples) {
    const bool gpu1 =
        !s.labels.empty() && s.labels[0] == std::pair<std::string, std::string>("gpu", "1");
    if (s.name == "DCGM_FI_DEV_GPU_TEMP" && gpu1) hot = &s;
    if (s.name == "DCGM_FI_DEV_MEMORY_TEMP" && gpu1) blank = &s;
  }
  ASSERT_NE(hot, nullptr);
  EXPECT_EQ(hot->value, 86);
  EXPECT_EQ(hot->labels.size(), 9u);
  ASSERT_NE(blank, nullptr);
  EXPECT_EQ(blank->value, 9223372036854775794.0);  // DCGM's blank sentinel, as a double
}

TEST(SdkPrometheus, ReadsEscapesSpecialValuesAndTimestamps) {
  const auto samples = bh::testing::parse_prometheus(
      "# comment\n\n  up 1\r\nq{a=\"x\\\"y\\\\z\\n\",b=\"\",} NaN 1700000000123\n"
      "r{} +Inf\ns -Inf\n");
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(samples[0].name, "up");
  EXPECT_EQ(samples[1].labels[0].second, "x\"y\\z\n");
  EXPECT_EQ(samples[1].labels[1].second, "");
  EXPECT_TRUE(std::isnan(samples[1].value));
  EXPECT_EQ(samples[1].timestamp_ms, 1'700'000'000'123);
  EXPECT_TRUE(std::isinf(samples[2].value) && samples[2].value > 0);
  EXPECT_TRUE(std::isinf(samples[3].value) && samples[3].value < 0);
}

TEST(SdkPrometheus, MalformedLinesNameTheLine) {
  const auto error = [](const char* text) {
    return error_of([&] { bh::testing::parse_prometheus(text); });
  };
  EXPECT_EQ(error("ok 1\n{a=\"b\"} 1\n"), "line 2: expected a metric name");
  EXPECT_EQ(error("q{a=\"b} 1"), "line 1: unterminated value of label a");
  EXPECT_EQ(error("q{a=b} 1"), "line 1: expected '\"' after a=");
  EXPECT_EQ(error("q{a=\"b\" c=\"d\"} 1"), "line 1: expected ',' or '}' after a label");
  EXPECT_EQ(error("q"), "line 1: expected a value after q");
  EXPECT_EQ(error("q abc"), "line 1: bad value 'abc'");
  EXPECT_EQ(error("q 1 12x"), "line 1: bad timestamp '12x'");
  EXPECT_EQ(error("q 1 12 extra"), "line 1: unexpected text after the timestamp");
  EXPECT_EQ(error("q{a=\"\\t\"} 1"), "line 1: bad escape \\t in label a");
}

}  // namespace
