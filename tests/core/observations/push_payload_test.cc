#include "core/observations/push_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace blockhealth {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string error_of(std::string_view body) {
  auto r = parse_json_metrics(body);
  if (r) {
    ADD_FAILURE() << "accepted: " << body;
    return "";
  }
  return r.error().message;
}

std::string log_error_of(std::string_view body) {
  auto r = parse_json_log_lines(body);
  if (r) {
    ADD_FAILURE() << "accepted: " << body;
    return "";
  }
  return r.error().message;
}

TEST(ParseJsonMetrics, FlatObjectShape) {
  auto r = parse_json_metrics(R"({"gpu_temp": 71.5, "queue_depth": 3})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[0].name, "gpu_temp");
  EXPECT_EQ((*r)[0].value, 71.5);
  EXPECT_TRUE((*r)[0].labels.empty());
  EXPECT_EQ((*r)[0].timestamp_ms, 0);
  EXPECT_EQ((*r)[1].name, "queue_depth");
  EXPECT_EQ((*r)[1].value, 3);
}

TEST(ParseJsonMetrics, EmptyObjectAndListAreNoSamples) {
  auto obj = parse_json_metrics("{}");
  ASSERT_TRUE(obj);
  EXPECT_TRUE(obj->empty());
  auto list = parse_json_metrics("[]");
  ASSERT_TRUE(list);
  EXPECT_TRUE(list->empty());
}

TEST(ParseJsonMetrics, ListShapeWithLabelsAndTimestamps) {
  auto r = parse_json_metrics(
      R"([{"name": "DCGM_FI_DEV_GPU_TEMP", "labels": {"gpu": "1", "UUID": "GPU-8a"}, "value": 86,
           "timestamp": 1764238565000},
          {"name": "up", "value": 1, "labels": null, "timestamp": null}])");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  const MetricSample& s = (*r)[0];
  EXPECT_EQ(s.name, "DCGM_FI_DEV_GPU_TEMP");
  ASSERT_EQ(s.labels.size(), 2U);
  EXPECT_EQ(s.labels[0], (Label{"gpu", "1"}));
  EXPECT_EQ(s.labels[1], (Label{"UUID", "GPU-8a"}));
  EXPECT_EQ(s.value, 86);
  EXPECT_EQ(s.timestamp_ms, 1764238565000);
  EXPECT_TRUE((*r)[1].labels.empty());
  EXPECT_EQ((*r)[1].timestamp_ms, 0);
}

TEST(ParseJsonMetrics, SamplesWrapperShape) {
  auto r =
      parse_json_metrics(R"({"samples": [{"name": "a", "value": 1}, {"name": "b", "value": 2}]})");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2U);
  EXPECT_EQ((*r)[1].name, "b");
  EXPECT_EQ(error_of(R"({"samples": 5})"), "samples: expected an array, got a number");
}

TEST(ParseJsonMetrics, NonFiniteValuesAsStrings) {
  auto r = parse_json_metrics(
      R"([{"name": "a", "value": "NaN"}, {"name": "b", "value": "+Inf"},
          {"name": "c", "value": "-Inf"}, {"name": "d", "value": "Inf"}])");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(std::isnan((*r)[0].value));
  EXPECT_EQ((*r)[1].value, INFINITY);
  EXPECT_EQ((*r)[2].value, -INFINITY);
  EXPECT_EQ((*r)[3].value, INFINITY);
  auto flat = parse_json_metrics(R"({"a": "NaN", "b": "-Inf"})");
  ASSERT_TRUE(flat);
  EXPECT_TRUE(std::isnan((*flat)[0].value));
}

TEST(ParseJsonMetrics, OtherStringsAreNotNumbers) {
  EXPECT_EQ(error_of(R"({"a": "nan"})"),
            R"(a: expected a number (or "NaN", "+Inf", "-Inf"), got a string)");
  EXPECT_EQ(error_of(R"({"a": "12"})"),
            R"(a: expected a number (or "NaN", "+Inf", "-Inf"), got a string)");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": true}])"),
            R"(samples[0].value: expected a number (or "NaN", "+Inf", "-Inf"), got a boolean)");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": null}])"),
            R"(samples[0].value: expected a number (or "NaN", "+Inf", "-Inf"), got null)");
  EXPECT_EQ(error_of(R"({"a": [1]})"),
            R"(a: expected a number (or "NaN", "+Inf", "-Inf"), got an array)");
}

TEST(ParseJsonMetrics, BadNamesAreRefusedWithWhere) {
  EXPECT_EQ(error_of(R"({"bad-name": 1})"), "key: 'bad-name' is not a valid metric name");
  EXPECT_EQ(error_of(R"({"1abc": 1})"), "key: '1abc' is not a valid metric name");
  EXPECT_EQ(error_of(R"([{"name": "ok", "value": 1}, {"name": "x y", "value": 1}])"),
            "samples[1].name: 'x y' is not a valid metric name");
  EXPECT_EQ(error_of(R"([{"name": "", "value": 1}])"),
            "samples[0].name: '' is not a valid metric name");
  EXPECT_EQ(error_of(R"([{"name": "m", "value": 1, "labels": {"bad-label": "x"}}])"),
            "samples[0].labels.bad-label: 'bad-label' is not a valid label name");
  EXPECT_EQ(error_of(R"([{"name": "m", "value": 1, "labels": {"a:b": "x"}}])"),
            "samples[0].labels.a:b: 'a:b' is not a valid label name");
}

TEST(ParseJsonMetrics, ALongBadNameIsQuotedShort) {
  const std::string name(500, '-');
  const std::string message = error_of("{\"" + name + "\": 1}");
  EXPECT_THAT(message, HasSubstr("is not a valid metric name"));
  EXPECT_LT(message.size(), 200U);
}

TEST(ParseJsonMetrics, BadTypesAreRefusedWithWhere) {
  EXPECT_EQ(error_of("5"),
            R"(expected a JSON object {"name": value} or a list of samples, got a number)");
  EXPECT_EQ(error_of(R"("text")"),
            R"(expected a JSON object {"name": value} or a list of samples, got a string)");
  EXPECT_EQ(error_of(R"([1])"), "samples[0]: expected an object, got a number");
  EXPECT_EQ(error_of(R"([{"value": 1}])"), "samples[0].name: expected a string, got nothing");
  EXPECT_EQ(error_of(R"([{"name": 7, "value": 1}])"),
            "samples[0].name: expected a string, got a number");
  EXPECT_EQ(error_of(R"([{"name": "a"}])"), "samples[0].value: missing");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": 1, "labels": ["x"]}])"),
            "samples[0].labels: expected an object, got an array");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": 1, "labels": {"gpu": 0}}])"),
            "samples[0].labels.gpu: expected a string, got a number");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": 1, "timestamp": 1.5}])"),
            "samples[0].timestamp: expected Unix milliseconds as an integer, got a number");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": 1, "timestamp": "now"}])"),
            "samples[0].timestamp: expected Unix milliseconds as an integer, got a string");
  EXPECT_EQ(error_of(R"([{"name": "a", "value": 1, "unit": "C"}])"),
            "samples[0]: unknown field 'unit' (expected name, labels, value, timestamp)");
  EXPECT_EQ(error_of(R"({"samples": [{"name": "a", "value": 1}, 3]})"),
            "samples[1]: expected an object, got a number");
}

// A timestamp beyond int64 milliseconds cannot be a Unix time; it must be
// refused, not wrapped into a negative number.
TEST(ParseJsonMetrics, ATimestampBeyondInt64IsRefused) {
  auto r = parse_json_metrics(R"([{"name": "a", "value": 1, "timestamp": 18446744073709551615}])");
  if (r) {
    ASSERT_EQ(r->size(), 1U);
    ADD_FAILURE() << "accepted, timestamp became " << (*r)[0].timestamp_ms;
  } else {
    EXPECT_THAT(r.error().message, StartsWith("samples[0].timestamp: "));
  }
}

TEST(ParseJsonMetrics, InvalidJsonNamesTheByteOffset) {
  EXPECT_THAT(error_of(R"({"a": })"), StartsWith("invalid JSON at byte 6: "));
  EXPECT_THAT(error_of(R"({"a":1,})"), StartsWith("invalid JSON at byte 7: "));
  EXPECT_THAT(error_of(R"({"a":1} x)"), StartsWith("invalid JSON at byte 8: "));
  EXPECT_THAT(error_of(""), StartsWith("invalid JSON at byte 0: "));
  EXPECT_THAT(error_of("[1,2"), StartsWith("invalid JSON at byte 4: "));
}

TEST(ParseJsonMetrics, NestingDeeperThanTheLimitIsRefused) {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  EXPECT_THAT(error_of(deep), StartsWith("invalid JSON at byte 32: "));
  const std::string ok = std::string(30, '[') + std::string(30, ']');
  EXPECT_THAT(error_of(ok), StartsWith("samples[0]: expected an object, got an array"));
}

TEST(ParseJsonLogLines, ListAndObjectShapes) {
  auto list = parse_json_log_lines(R"(["first", "second"])");
  ASSERT_TRUE(list);
  EXPECT_EQ(*list, (std::vector<std::string>{"first", "second"}));
  auto obj = parse_json_log_lines(R"({"lines": ["one"]})");
  ASSERT_TRUE(obj);
  EXPECT_EQ(*obj, (std::vector<std::string>{"one"}));
  auto empty = parse_json_log_lines("[]");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ParseJsonLogLines, KeepsEscapedContentAsIs) {
  auto r = parse_json_log_lines(R"(["tab\there \"quoted\" \u00e9"])");
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[0], "tab\there \"quoted\" \xC3\xA9");
}

TEST(ParseJsonLogLines, RefusesOtherShapesWithWhere) {
  EXPECT_EQ(log_error_of(R"(["a", 1])"), "lines[1]: expected a string, got a number");
  EXPECT_EQ(log_error_of(R"({"lines": "a"})"), "lines: expected an array of strings, got a string");
  EXPECT_EQ(log_error_of(R"({"text": ["a"]})"),
            R"(expected {"lines": ["..."]} or a list of strings)");
  EXPECT_EQ(log_error_of("42"), "lines: expected an array of strings, got a number");
  EXPECT_THAT(log_error_of(R"(["a",)"), StartsWith("invalid JSON at byte 5: "));
}

TEST(SplitLogText, SplitsOnNewlinesAndDropsCarriageReturns) {
  EXPECT_EQ(split_log_text("a\nb\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_log_text("a\r\nb\r\n"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_log_text("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split_log_text("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(split_log_text("only"), (std::vector<std::string>{"only"}));
  EXPECT_TRUE(split_log_text("").empty());
  // Only the empty line after the final break is ignored.
  EXPECT_EQ(split_log_text("a\n\n"), (std::vector<std::string>{"a", ""}));
  // A lone "\r" inside a line is content.
  EXPECT_EQ(split_log_text("a\rb\n"), (std::vector<std::string>{"a\rb"}));
}

}  // namespace
}  // namespace blockhealth
