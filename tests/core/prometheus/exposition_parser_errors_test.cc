// Malformed exposition text: each kind of error is reported with its line
// and column, and no input makes the parser crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>

#include "core/prometheus/exposition_parser.h"
#include "tests/support/test_paths.h"

namespace blockhealth::prometheus {
namespace {

std::string error_of(std::string_view text, const ParseOptions& options = {}) {
  auto parsed = parse_exposition(text, options);
  EXPECT_FALSE(parsed.has_value()) << "parsed without error: " << text;
  return parsed ? "" : parsed.error().message;
}

TEST(ExpositionParserErrors, BadMetricName) {
  EXPECT_EQ(error_of("ok 1\n1abc 2\n"), "line 2, column 1: expected a metric name, got '1'");
  EXPECT_EQ(error_of("ok 1\n  {a=\"b\"} 2\n"), "line 2, column 3: expected a metric name, got '{'");
  EXPECT_EQ(error_of("m-x 1\n"),
            "line 1, column 2: expected '{' or a blank after the metric name, got '-'");
  EXPECT_EQ(error_of("# TYPE 9m gauge\n"),
            "line 1, column 8: expected a metric name after TYPE, got '9'");
  EXPECT_EQ(error_of("# HELP m\xC3\xA9 x\n"),
            "line 1, column 9: expected a blank after the metric name, got byte 0xC3");
}

TEST(ExpositionParserErrors, BadLabelSyntax) {
  EXPECT_EQ(error_of("m{1a=\"b\"} 1\n"), "line 1, column 3: expected a label name or '}', got '1'");
  EXPECT_EQ(error_of("m{,} 1\n"), "line 1, column 3: expected a label name or '}', got ','");
  EXPECT_EQ(error_of("m{a:b=\"c\"} 1\n"),
            "line 1, column 4: expected '=' after the label name, got ':'");
  EXPECT_EQ(error_of("m{a=b} 1\n"),
            "line 1, column 5: expected '\"' to start the label value, got 'b'");
  EXPECT_EQ(error_of("m{a=\"b\" c=\"d\"} 1\n"),
            "line 1, column 9: expected ',' or '}' after the label value, got 'c'");
  EXPECT_EQ(error_of("m{a=\"b\"\n"),
            "line 1, column 8: expected ',' or '}' after the label value, got end of line");
  EXPECT_EQ(error_of("m{__name__=\"x\"} 1\n"),
            "line 1, column 3: label name \"__name__\" is reserved");
}

TEST(ExpositionParserErrors, UnterminatedLabelValue) {
  EXPECT_EQ(error_of("m 1\nm{a=\"xyz\nm 2\n"),
            "line 2, column 9: expected '\"' to end the label value, got end of line");
  EXPECT_EQ(error_of("m{a=\"xyz\\\"} 1"),
            "line 1, column 14: expected '\"' to end the label value, got end of line");
}

TEST(ExpositionParserErrors, BadEscapeInLabelValue) {
  EXPECT_EQ(error_of("m{a=\"x\\q\"} 1\n"),
            "line 1, column 7: expected an escape sequence (\\\\, \\\" or \\n), got '\\' "
            "followed by 'q'");
  EXPECT_EQ(error_of("m{a=\"x\\"),
            "line 1, column 7: expected an escape sequence (\\\\, \\\" or \\n), got '\\' "
            "followed by end of line");
}

TEST(ExpositionParserErrors, MissingValue) {
  EXPECT_EQ(error_of("m{a=\"b\"}\n"), "line 1, column 9: expected a sample value, got end of line");
  EXPECT_EQ(error_of("m\n"), "line 1, column 2: expected a sample value, got end of line");
  EXPECT_EQ(error_of("m   \r\n"), "line 1, column 5: expected a sample value, got end of line");
}

TEST(ExpositionParserErrors, BadFloatValue) {
  EXPECT_EQ(error_of("m 12abc\n"),
            "line 1, column 3: expected a float sample value, got \"12abc\"");
  EXPECT_EQ(error_of("m{a=\"b\"} 1e400\n"),
            "line 1, column 10: expected a float sample value, got \"1e400\"");  // as Go: ErrRange
  EXPECT_EQ(error_of("m 1_000\n"),
            "line 1, column 3: expected a float sample value, got \"1_000\"");
  EXPECT_EQ(error_of("m +NaN\n"), "line 1, column 3: expected a float sample value, got \"+NaN\"");
  EXPECT_EQ(error_of("m 0x10\n"), "line 1, column 3: expected a float sample value, got \"0x10\"");
  EXPECT_EQ(error_of("m nan(1)\n"),
            "line 1, column 3: expected a float sample value, got \"nan(1)\"");
  EXPECT_EQ(error_of("m --1\n"), "line 1, column 3: expected a float sample value, got \"--1\"");
  EXPECT_EQ(error_of("m 5e\n"), "line 1, column 3: expected a float sample value, got \"5e\"");
}

TEST(ExpositionParserErrors, BadTimestamp) {
  EXPECT_EQ(error_of("m 1 12.5\n"),
            "line 1, column 5: expected an integer timestamp in milliseconds, got \"12.5\"");
  EXPECT_EQ(error_of("m 1 9223372036854775808\n"),
            "line 1, column 5: expected an integer timestamp in milliseconds, got "
            "\"9223372036854775808\"");
  EXPECT_EQ(error_of("m 1 2 3\n"),
            "line 1, column 7: expected end of line after the timestamp, got '3'");
}

TEST(ExpositionParserErrors, DuplicateTypeAndHelp) {
  EXPECT_EQ(error_of("# TYPE m gauge\n# TYPE m counter\nm 1\n"),
            "line 2, column 8: second TYPE line for metric family \"m\"");
  EXPECT_EQ(error_of("# HELP m a\n# HELP m b\n"),
            "line 2, column 8: second HELP line for metric family \"m\"");
}

TEST(ExpositionParserErrors, TypeAfterSamples) {
  EXPECT_EQ(error_of("m 1\n# TYPE m gauge\n"),
            "line 2, column 8: TYPE line for metric family \"m\" after its samples");
}

TEST(ExpositionParserErrors, BadType) {
  EXPECT_EQ(error_of("# TYPE m gauges\n"),
            "line 1, column 10: expected counter, gauge, histogram, summary or untyped, got "
            "\"gauges\"");
  EXPECT_EQ(error_of("# TYPE m\n"), "line 1, column 9: expected a metric type, got end of line");
  EXPECT_EQ(error_of("# TYPE m gauge extra\n"),
            "line 1, column 16: expected end of line after the metric type, got 'e'");
}

TEST(ExpositionParserErrors, DuplicateLabel) {
  EXPECT_EQ(error_of("m{a=\"1\",a=\"2\"} 1\n"), "line 1, column 9: duplicate label name \"a\"");
}

TEST(ExpositionParserErrors, HistogramAndSummaryNeedTheirLabels) {
  EXPECT_EQ(error_of("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n"),
            "line 2, column 1: expected a \"le\" label on histogram bucket \"h_bucket\", got none");
  EXPECT_EQ(error_of("# TYPE h histogram\nh_bucket{le=\"big\"} 1\n"),
            "line 2, column 14: expected a float in label \"le\", got \"big\"");
  EXPECT_EQ(error_of("# TYPE s summary\ns 1\n"),
            "line 2, column 1: expected a \"quantile\" label on summary quantile \"s\", got none");
}

TEST(ExpositionParserErrors, LineTooLong) {
  ParseOptions options;
  options.max_line_length = 16;
  const std::string ok(16, 'm');
  EXPECT_TRUE(parse_exposition(ok + " 1\n", {}).has_value());
  EXPECT_TRUE(parse_exposition("m 1\n" + std::string(12, 'm') + " 1.5\r\n", options).has_value());
  EXPECT_EQ(error_of("m 1\n" + std::string(12, 'm') + " 1.25\n", options),
            "line 2, column 17: line longer than 16 bytes");
  EXPECT_EQ(error_of(std::string(100, '#'), options),
            "line 1, column 17: line longer than 16 bytes");
}

TEST(ExpositionParserErrors, TooManySamplesLabelsFamiliesOrTooLongNames) {
  ParseOptions options;
  options.max_samples = 2;
  EXPECT_EQ(error_of("a 1\nb 2\n c 3\n", options), "line 3, column 2: more than 2 samples");

  options = {};
  options.max_labels_per_sample = 2;
  EXPECT_EQ(error_of("m{a=\"1\",b=\"2\",c=\"3\"} 1\n", options),
            "line 1, column 15: more than 2 labels in one sample");

  options = {};
  options.max_families = 2;
  EXPECT_EQ(error_of("a 1\nb 2\n# TYPE c gauge\n", options),
            "line 3, column 8: more than 2 metric families");

  options = {};
  options.max_name_length = 4;
  EXPECT_EQ(error_of("abcde 1\n", options), "line 1, column 1: metric name longer than 4 bytes");
  EXPECT_EQ(error_of("m{abcde=\"x\"} 1\n", options),
            "line 1, column 3: label name longer than 4 bytes");

  options = {};
  options.max_label_value_length = 3;
  EXPECT_TRUE(
      parse_exposition("m{a=\"\\\\\\\\\\\\\"} 1\n", options).has_value());  // 3 after unescape
  EXPECT_EQ(error_of("m{a=\"abcd\"} 1\n", options),
            "line 1, column 6: label value longer than 3 bytes");
}

TEST(ExpositionParserErrors, InvalidUtf8) {
  EXPECT_EQ(error_of("m{a=\"\xFF\"} 1\n"),
            "line 1, column 6: expected valid UTF-8 in the label value, got byte 0xFF");
  EXPECT_EQ(error_of("m{a=\"ok\xC0\x80\"} 1\n"),  // overlong NUL
            "line 1, column 8: expected valid UTF-8 in the label value, got byte 0xC0");
  EXPECT_EQ(error_of("m{a=\"\xED\xA0\x80\"} 1\n"),  // surrogate
            "line 1, column 6: expected valid UTF-8 in the label value, got byte 0xED");
  EXPECT_EQ(error_of("m{a=\"\xE2\x82\"} 1\n"),  // truncated sequence
            "line 1, column 6: expected valid UTF-8 in the label value, got byte 0xE2");
  EXPECT_EQ(error_of("m{a=\"\xF4\x90\x80\x80\"} 1\n"),  // above U+10FFFF
            "line 1, column 6: expected valid UTF-8 in the label value, got byte 0xF4");
  EXPECT_EQ(error_of("# HELP m bad \x80 byte\n"),
            "line 1, column 14: expected valid UTF-8 in the HELP text, got byte 0x80");
}

TEST(ExpositionParserErrors, NulBytes) {
  using namespace std::string_literals;
  EXPECT_EQ(error_of("m 1\nm{a=\"x\0y\"} 1\n"s), "line 2, column 7: unexpected NUL byte");
  EXPECT_EQ(error_of("# comment \0\n"s), "line 1, column 11: unexpected NUL byte");
  EXPECT_EQ(error_of("\0"s), "line 1, column 1: unexpected NUL byte");
}

TEST(ExpositionParserErrors, RandomBinaryGarbageIsAnError) {
  std::mt19937 rng(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 200; ++round) {
    std::string garbage(64 + round * 7, '\0');
    for (char& c : garbage) c = static_cast<char>(byte(rng));
    garbage[0] = static_cast<char>(0x80 | byte(rng));  // never a valid first token
    const std::string message = error_of(garbage);
    EXPECT_EQ(message.rfind("line ", 0), 0U) << message;
  }
}

// Random soup of the format's own characters: any outcome but a crash.
TEST(ExpositionParserErrors, RandomTokenSoupNeverCrashes) {
  const std::string alphabet = "ab_:{}=\",\\ \t\n\r#019.eE+-xpInfNa\xC3\xA9\xFF";
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::size_t ok = 0;
  for (int round = 0; round < 2000; ++round) {
    std::string soup(1 + round % 97, ' ');
    for (char& c : soup) c = alphabet[pick(rng)];
    auto parsed = parse_exposition(soup);
    if (parsed) {
      ++ok;
    } else {
      EXPECT_EQ(parsed.error().message.rfind("line ", 0), 0U) << parsed.error().message;
    }
  }
  EXPECT_LT(ok, 2000U);
}

// Every prefix and many one-byte mutations of the fixture parse to samples
// or to an error, never to a crash (the ASan/UBSan build checks memory).
TEST(ExpositionParserErrors, MutatedFixtureNeverCrashes) {
  const std::string fixture = test::read_fixture("dcgm-exporter-h100x2.prom");
  ASSERT_FALSE(fixture.empty());
  std::size_t ok = 0;
  std::size_t failed = 0;
  const auto check = [&](std::string_view text) {
    auto parsed = parse_exposition(text);
    if (parsed) {
      ++ok;
      EXPECT_EQ(parsed->samples.size(), parsed->sample_family.size());
      EXPECT_LE(parsed->samples.size(), 12U);
    } else {
      ++failed;
      EXPECT_EQ(parsed.error().message.rfind("line ", 0), 0U) << parsed.error().message;
    }
  };
  for (std::size_t i = 0; i <= fixture.size(); ++i) check(std::string_view(fixture).substr(0, i));
  const char replacements[] = {'\0', '\n', '"', '\\', '{', '}', ',', '=', ' ', 'e', '\xFF', '\xC3'};
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof replacements - 1);
  std::string mutated = fixture;
  for (std::size_t i = 0; i < fixture.size(); ++i) {
    mutated[i] = i % 2 == 0 ? replacements[pick(rng)] : static_cast<char>(fixture[i] ^ 0x80);
    check(mutated);
    mutated[i] = fixture[i];
  }
  EXPECT_GT(ok, 0U);
  EXPECT_GT(failed, 0U);
}

}  // namespace
}  // namespace blockhealth::prometheus
