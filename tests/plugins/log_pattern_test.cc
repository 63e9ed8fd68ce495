// log_pattern through the real host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "tests/plugins/policy_harness.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kOomLine =
    "2026-11-27T10:16:05.790Z ERROR [in-vkkv] task 7f1b failed: RuntimeError: CUDA out of memory. "
    "Tried to allocate 2.00 GiB (GPU 1; 79.10 GiB total capacity)";

// The lines of tests/fixtures/model-server.log, received one a second and
// the last one `age_ms` before kNowMs.
std::vector<LogLine> fixture_lines(std::int64_t age_ms = 1000) {
  std::vector<std::string> texts;
  std::istringstream in(read_fixture("model-server.log"));
  for (std::string line; std::getline(in, line);) texts.push_back(line);
  std::vector<LogLine> lines;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto from_end = static_cast<std::int64_t>(texts.size() - 1 - i);
    lines.push_back(LogLine{texts[i], kNowMs - age_ms - from_end * 1000});
  }
  return lines;
}

InstanceObservations with_logs(std::vector<LogLine> lines) {
  InstanceObservations in = instance("in-vkkv");
  in.logs = std::move(lines);
  return in;
}

class LogPatternTest : public ::testing::Test {
 protected:
  PolicyHarness harness_{"log_pattern"};
};

TEST_F(LogPatternTest, FixtureWithCudaErrorAndOomIsCritical) {
  auto policy = harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, with_logs(fixture_lines()));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, std::string("2 lines match critical patterns in the last 60s; latest: \"") +
                          kOomLine + "\"");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, "log_lines_matching");
  EXPECT_EQ(v.evidence->observed, 2);
  EXPECT_EQ(v.evidence->limit, 1);
}

TEST_F(LogPatternTest, WarnOnlyMatchIsWarn) {
  auto policy = harness_.make(
      "{critical: [\"segfault\"], warn: [\"queue length \\\\d+ above\"], window: 60}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, with_logs(fixture_lines()));
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_EQ(
      v.reason,
      "1 line matches warn patterns in the last 60s; latest: \"2026-11-27T10:16:03.004Z WARN  "
      "[in-vkkv] queue length 48 above soft limit 32\"");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 1);
}

TEST_F(LogPatternTest, CriticalWinsOverWarnAndALineCountsOnce) {
  auto policy = harness_.make("{critical: [\"CUDA\"], warn: [\"ERROR\"], window: 5m}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, with_logs(fixture_lines()));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_THAT(v.reason, HasSubstr("2 lines match critical patterns in the last 5m"));
}

TEST_F(LogPatternTest, LinesOutsideTheWindowAreIgnored) {
  auto policy = harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, with_logs(fixture_lines(/*age_ms=*/60'000)));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "no matching log lines in the last 60s");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 0);

  // Lines are one second apart; a second later only the last line (no match)
  // is inside, two seconds later the OOM line is too.
  const PolicyVerdict partly = evaluate_one(*policy, with_logs(fixture_lines(59'000)));
  EXPECT_EQ(partly.status, Status::kOk);
  const PolicyVerdict oom = evaluate_one(*policy, with_logs(fixture_lines(58'000)));
  EXPECT_EQ(oom.status, Status::kUnhealthy);
  EXPECT_THAT(oom.reason, HasSubstr("1 line matches critical patterns"));
}

TEST_F(LogPatternTest, MinCountMustBeReached) {
  auto policy =
      harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s, min_count: 3}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, with_logs(fixture_lines()));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "2 lines match critical patterns in the last 60s, below min_count 3");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 2);
  EXPECT_EQ(v.evidence->limit, 3);

  auto two =
      harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s, min_count: 2}");
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(evaluate_one(*two, with_logs(fixture_lines())).status, Status::kUnhealthy);
}

TEST_F(LogPatternTest, PatternThatDoesNotCompileIsACreateErrorNamingIt) {
  auto created = harness_.create("{critical: [\"CUDA error\", \"(unclosed\"]}");
  ASSERT_FALSE(created.has_value());
  EXPECT_THAT(
      created.error().message,
      HasSubstr("pattern 2 of critical '(unclosed' does not compile: missing ): (unclosed"));

  auto warn = harness_.create("{warn: [\"a{2,1}\"]}");
  ASSERT_FALSE(warn.has_value());
  EXPECT_THAT(warn.error().message, HasSubstr("pattern 1 of warn 'a{2,1}' does not compile"));
}

TEST_F(LogPatternTest, CaseInsensitiveOnlyWhenAsked) {
  auto strict = harness_.make("{critical: [\"cuda ERROR\"], window: 60s}");
  ASSERT_NE(strict, nullptr);
  EXPECT_EQ(evaluate_one(*strict, with_logs(fixture_lines())).status, Status::kOk);

  auto relaxed = harness_.make("{critical: [\"cuda ERROR\"], window: 60s, case_insensitive: true}");
  ASSERT_NE(relaxed, nullptr);
  const PolicyVerdict v = evaluate_one(*relaxed, with_logs(fixture_lines()));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_THAT(v.reason, HasSubstr("CUDA error: an illegal memory access"));
}

// Lists of the same patterns share one compiled copy: each keeps working
// when the other goes, and a list is never confused with a look-alike.
TEST_F(LogPatternTest, PoliciesWithTheSamePatternsAreIndependent) {
  auto first = harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s}");
  auto second = harness_.make("{critical: [\"CUDA error\", \"out of memory\"], window: 60s}");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  first.reset();
  EXPECT_EQ(evaluate_one(*second, with_logs(fixture_lines())).status, Status::kUnhealthy);
  // One pattern "CUDA error\0out of memory" is not the two above.
  auto joined = harness_.make("{critical: [\"CUDA error\\0out of memory\"], window: 60s}");
  ASSERT_NE(joined, nullptr);
  EXPECT_EQ(evaluate_one(*joined, with_logs(fixture_lines())).status, Status::kOk);
  EXPECT_EQ(evaluate_one(*second, with_logs(fixture_lines())).status, Status::kUnhealthy);
}

TEST_F(LogPatternTest, QuoteIsTruncatedOnACharacterBoundaryAndEscaped) {
  auto policy = harness_.make("{critical: [\"boom\"]}");
  ASSERT_NE(policy, nullptr);
  std::string text = "boom\t\"quoted\"\x01 ";
  while (text.size() < 400) text += "\xC3\xA9";  // "é", two bytes each
  const PolicyVerdict v = evaluate_one(*policy, with_logs({LogLine{text, kNowMs - 10}}));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_THAT(v.reason, HasSubstr("latest: \"boom\\t\\\"quoted\\\"\\x01 \xC3\xA9"));
  // The quote ends with "…" after a whole "é" and stays short.
  EXPECT_THAT(v.reason, ::testing::EndsWith("\xC3\xA9\xE2\x80\xA6\""));
  const std::size_t quote = v.reason.find("latest: \"");
  ASSERT_NE(quote, std::string::npos);
  EXPECT_LE(v.reason.size() - quote - 9, 161U);  // body <= 160 bytes plus the closing quote
}

TEST_F(LogPatternTest, NoLinesIsOkUnlessLogsAreRequired) {
  auto optional_logs = harness_.make("{critical: [\"CUDA error\"]}");
  ASSERT_NE(optional_logs, nullptr);
  const PolicyVerdict ok = evaluate_one(*optional_logs, instance("in-vkkv"));
  EXPECT_EQ(ok.status, Status::kOk);
  EXPECT_EQ(ok.reason, "no matching log lines in the last 5m");

  auto required = harness_.make("{critical: [\"CUDA error\"], require_logs: true}");
  ASSERT_NE(required, nullptr);
  const PolicyVerdict unknown = evaluate_one(*required, instance("in-vkkv"));
  EXPECT_EQ(unknown.status, Status::kUnknown);
  EXPECT_EQ(unknown.reason, "no log lines ever received from this instance (require_logs)");

  // Once an instance has delivered lines, a quiet spell later is just quiet.
  EXPECT_EQ(evaluate_one(*required, with_logs({LogLine{"started", kNowMs - 1000}})).status,
            Status::kOk);
  EXPECT_EQ(evaluate_one(*required, instance("in-vkkv"), kNowMs + 60'000).status, Status::kOk);
  EXPECT_EQ(evaluate_one(*required, instance("other"), kNowMs + 60'000).status, Status::kUnknown);
}

TEST_F(LogPatternTest, RequireLogsForgetsInstancesNotSeenForADay) {
  auto required = harness_.make("{critical: [\"CUDA error\"], require_logs: true}");
  ASSERT_NE(required, nullptr);
  EXPECT_EQ(evaluate_one(*required, with_logs({LogLine{"started", kNowMs - 1000}})).status,
            Status::kOk);
  const std::int64_t next_day = kNowMs + 25 * 3'600'000LL;
  EXPECT_EQ(evaluate_one(*required, instance("in-vkkv"), next_day).status, Status::kUnknown);
}

TEST_F(LogPatternTest, SchemaRejectsBadParams) {
  auto bad_window = harness_.validate("{critical: [\"x\"], window: soon}");
  ASSERT_FALSE(bad_window.has_value());
  EXPECT_THAT(bad_window.error().message, HasSubstr("with.window"));
  EXPECT_THAT(bad_window.error().message, HasSubstr("soon"));

  auto negative = harness_.validate("{critical: [\"x\"], window: -5}");
  ASSERT_FALSE(negative.has_value());
  EXPECT_THAT(negative.error().message, HasSubstr("with.window"));

  auto zero = harness_.validate("{critical: [\"x\"], min_count: 0}");
  ASSERT_FALSE(zero.has_value());
  EXPECT_THAT(zero.error().message, HasSubstr("with.min_count"));

  auto not_a_list = harness_.validate("{critical: \"CUDA error\"}");
  ASSERT_FALSE(not_a_list.has_value());
  EXPECT_THAT(not_a_list.error().message, HasSubstr("with.critical"));

  auto unknown = harness_.validate("{critical: [\"x\"], windw: 60s}");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message, HasSubstr("unknown field 'windw'"));
}

TEST_F(LogPatternTest, NoPatternAtAllIsACreateError) {
  for (const char* params : {"{window: 60s}", "{critical: [], warn: []}"}) {
    auto created = harness_.create(params);
    ASSERT_FALSE(created.has_value()) << params;
    EXPECT_THAT(created.error().message,
                HasSubstr("no patterns: give at least one in critical or warn"));
  }
}

}  // namespace
}  // namespace blockhealth::test
