// Issue 11: `blockhealthd test CASES.yaml`, the promtool test rules of
// policies: recorded cases run through the real host and the daemon's
// hysteresis; exit 0 when they pass, 1 with each mismatch at its line, 2
// with every problem of a bad file at file:line:col.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

TEST(PolicyCases, TheShippedExamplePasses) {
  const CommandResult r =
      run_blockhealthd({"test", (source_dir() / "examples/cases/vllm-queue.cases.yaml").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PASS the queue grows and drains"));
  EXPECT_THAT(r.output, HasSubstr("1 passed, 0 failed"));
}

TEST(PolicyCases, AMismatchIsShownAtItsLineAndExits1) {
  TempDir dir;
  const auto file = dir.write("q.cases.yaml",
                              "policy: metric_threshold\n"
                              "with: {rules: [{name: q, select: q, warn: '> 10'}]}\n"
                              "healthy_after: 1\n"
                              "tests:\n"
                              "  - name: grows\n"
                              "    series: {a: {q: '0+10x3'}}\n"
                              "    expect:\n"
                              "      - {at: 0s, instance: a, status: ok}\n"
                              "      - {at: 30s, instance: a, status: ok}\n");
  const CommandResult r = run_blockhealthd({"test", file.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_THAT(r.output, HasSubstr("FAIL grows"));
  EXPECT_THAT(r.output, HasSubstr(file.string() +
                                  ":9: at 30s a: expected ok, got degraded: q: q is 30 > 10"));
  EXPECT_THAT(r.output, HasSubstr("0 passed, 1 failed"));
}

TEST(PolicyCases, LogLinesAreObservationsToo) {
  TempDir dir;
  const auto file =
      dir.write("logs.cases.yaml",
                "policy: log_pattern\n"
                "with: {critical: ['CUDA error'], window: 60s}\n"
                "interval: 10s\n"
                "unhealthy_after: 1\n"
                "healthy_after: 1\n"
                "tests:\n"
                "  - name: a CUDA error, then quiet\n"
                "    logs:\n"
                "      a: [{at: 10s, line: 'RuntimeError: CUDA error: an illegal memory access'}]\n"
                "    expect:\n"
                "      - {at: 0s, instance: a, status: ok}\n"
                "      - {at: 10s, instance: a, status: critical, reason: 'CUDA error'}\n"
                "      - {at: 80s, instance: a, status: ok}\n");
  const CommandResult r = run_blockhealthd({"test", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(PolicyCases, ProbeAnswersReachThePolicy) {
  TempDir dir;
  const auto file = dir.write(
      "probe.cases.yaml",
      "policy: " + (test_plugin_dir() / "test_probe/test_probe.so").string() +
          "\n"
          "interval: 10s\n"
          "unhealthy_after: 1\n"
          "healthy_after: 1\n"
          "tests:\n"
          "  - name: up, down, wrong\n"
          "    probes:\n"
          "      a: [{at: 0s, status: 200}, {at: 10s, status: 0}, {at: 20s, status: 503}]\n"
          "      b: []\n"
          "    expect:\n"
          "      - {at: 0s, instance: a, status: ok, reason: 'probe 200'}\n"
          "      - {at: 10s, instance: a, status: unhealthy, reason: 'probe failed: connection "
          "refused'}\n"
          "      - {at: 20s, instance: a, status: unhealthy, reason: 'probe 503'}\n"
          "      - {at: 20s, instance: b, status: unknown, reason: 'no probe'}\n");
  const CommandResult r = run_blockhealthd({"test", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("PASS up, down, wrong"));
}

TEST(PolicyCases, BadFilesExit2NamingEachProblem) {
  TempDir dir;
  const auto check = [&](const std::string& text, const std::string& want) {
    const auto file = dir.write("bad.cases.yaml", text);
    const CommandResult r = run_blockhealthd({"test", file.string()});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_THAT(r.output, HasSubstr(want)) << text;
  };
  const std::string head =
      "policy: metric_threshold\nwith: {rules: [{name: q, select: q, "
      "warn: '> 1'}]}\n";
  check(head +
            "tests:\n  - name: t\n    series: {a: {q: '1 two'}}\n"
            "    expect: [{at: 0s, instance: a, status: ok}]\n",
        "bad.cases.yaml:5:21: tests[0]: series 'q': value 'two': expected a number");
  check(head + "tests:\n  - name: t\n    expct: []\n", "did you mean 'expect'");
  check(head +
            "tests:\n  - name: t\n    series: {a: {q: '1'}}\n"
            "    expect: [{at: 0s, instance: a, status: sick}]\n",
        "expected ok, degraded (warn), unhealthy (critical) or unknown, got 'sick'");
  check("policy: no_such_policy\ntests: []\n", "no built-in policy 'no_such_policy'");
  check("policy: metric_threshold\nwith: {rules: [{name: q}]}\ntests: []\n", "select");
  check("with: {}\ntests: []\n", "missing 'policy'");
}

}  // namespace
}  // namespace blockhealth::test
