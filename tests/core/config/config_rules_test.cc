// Values of the right type that break a rule: ranges, ids, addresses,
// statuses, quorum, actions, and the rules across items.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/config/config_test_util.h"

namespace blockhealth {
namespace {

using test::config_problems;
using test::kValidBlock;
using test::with_block;
using ::testing::ElementsAre;

// Ranges.

TEST(ConfigRules, CountsOutOfRange) {
  EXPECT_THAT(config_problems("defaults:\n  unhealthy_after: 0\n  healthy_after: 101\n"
                              "  history_size: 0\n  log_lines: -1\nserver:\n  threads: 65\n"),
              ElementsAre("test.yaml:2:20: defaults: unhealthy_after: must be from 1 to 100, got 0",
                          "test.yaml:3:18: defaults: healthy_after: must be from 1 to 100, got 101",
                          "test.yaml:4:17: defaults: history_size: must be from 1 to 100000, got 0",
                          "test.yaml:5:14: defaults: log_lines: must be from 0 to 100000, got -1",
                          "test.yaml:7:12: server: threads: must be from 1 to 64, got 65"));
}

TEST(ConfigRules, DurationsOutOfRange) {
  EXPECT_THAT(config_problems("defaults:\n  interval: 10ms\n  stale_after: 8d\nserver:\n"
                              "  request_timeout: 0\nhistory_retention: 30s\n"),
              ElementsAre("test.yaml:2:13: defaults: interval: must be at least 100ms, got 10ms",
                          "test.yaml:3:16: defaults: stale_after: must be at most 7d, got 8d",
                          "test.yaml:5:20: server: request_timeout: must be at least 100ms, got 0",
                          "test.yaml:6:20: history_retention: must be at least 1m, got 30s"));
}

TEST(ConfigRules, SizesOutOfRange) {
  EXPECT_THAT(config_problems("server:\n  body_limit: 100\ndefaults:\n  scrape_body_limit: 2GiB\n"),
              ElementsAre("test.yaml:2:15: server: body_limit: must be from 1KiB to 1GiB, got 100",
                          "test.yaml:4:22: defaults: scrape_body_limit: must be from 1KiB to 1GiB, "
                          "got 2GiB"));
}

TEST(ConfigRules, TimeoutLongerThanIntervalIsReportedWhereItIsSet) {
  // In defaults: once, not again for the block that inherits it.
  EXPECT_THAT(
      config_problems("defaults:\n  timeout: 10s\n" + std::string(kValidBlock)),
      ElementsAre("test.yaml:2:12: defaults: timeout: timeout (10s) must not be longer than "
                  "interval (5s)"));
  // A block's interval below the inherited timeout: at the interval.
  EXPECT_THAT(config_problems(with_block("    interval: 1s\n")),
              ElementsAre("test.yaml:5:15: block 'b': interval: timeout (2s) must not be longer "
                          "than interval (1s)"));
  // A policy's own timeout.
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    policies:\n      - use: p\n        "
                              "timeout: 6s\n"),
              ElementsAre("test.yaml:5:18: policy 'p' in block 'b': timeout: timeout (6s) must not "
                          "be longer than interval (5s)"));
}

TEST(ConfigRules, StaleAfterShorterThanInterval) {
  EXPECT_THAT(config_problems(with_block("    interval: 1m\n    timeout: 5s\n")),
              ElementsAre("test.yaml:5:15: block 'b': interval: stale_after (30s) must not be "
                          "shorter than interval (1m), or every observation goes stale between two "
                          "evaluations"));
}

TEST(ConfigRules, AWrongValueIsNotComparedAgain) {
  EXPECT_THAT(config_problems("defaults:\n  interval: x\n  timeout: 10s\n"),
              ElementsAre("test.yaml:2:13: defaults: interval: expected a duration like 5s, 250ms "
                          "or 1m30s, got 'x'"));
}

// Ids.

TEST(ConfigRules, MissingAndInvalidIds) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - policies: [{use: p}]
  - id: "b 2"
    policies: [{use: p}]
  - id: b3
    instances:
      - health_url: http://x/
      - id: a/b
    policies:
      - id: p
      - use: q
        id: "#q"
)"),
      ElementsAre("test.yaml:2:5: block #1: missing 'id' (each block needs a unique id)",
                  "test.yaml:3:9: block #2: id: 'b 2' is not a valid id (use letters, "
                  "digits, '.', '_', '-'; at most 128)",
                  "test.yaml:7:9: instance #1 in block 'b3': missing 'id' (each instance "
                  "needs an id, unique in its block)",
                  "test.yaml:8:13: instance #2 in block 'b3': id: 'a/b' is not a valid id "
                  "(use letters, digits, '.', '_', '-'; at most 128)",
                  "test.yaml:10:9: policy 'p' in block 'b3': missing 'use' (the name of the "
                  "policy plugin to run, like gpu_temperature)",
                  "test.yaml:12:13: policy #2 in block 'b3': id: '#q' is not a valid id "
                  "(use letters, digits, '.', '_', '-'; at most 128)"));
}

TEST(ConfigRules, DuplicateBlockId) {
  EXPECT_THAT(config_problems(with_block("  - id: b\n    policies: [{use: p}]\n")),
              ElementsAre("test.yaml:5:5: duplicate block id 'b' (first at 2:5)"));
}

TEST(ConfigRules, DuplicateInstanceId) {
  EXPECT_THAT(config_problems(with_block("    instances:\n      - id: i\n      - id: j\n"
                                         "      - id: i\n")),
              ElementsAre("test.yaml:8:9: block 'b': duplicate instance id 'i' (first at 6:9)"));
}

TEST(ConfigRules, DuplicatePolicyId) {
  EXPECT_THAT(config_problems(with_block("      - use: p\n      - use: q\n        id: x\n"
                                         "      - use: r\n        id: x\n")),
              ElementsAre("test.yaml:5:9: block 'b': duplicate policy id 'p' (first at 4:9); give "
                          "each policy that uses 'p' its own 'id:'",
                          "test.yaml:8:9: block 'b': duplicate policy id 'x' (first at 6:9)"));
}

// Addresses.

TEST(ConfigRules, BadUrls) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - id: b
    instances:
      - id: i
        health_url: ftp://10.0.0.5/health
        metrics_url: 10.0.0.6:9400/metrics
    policies: [{use: p}]
    on_transition:
      - webhook: http://user@h/x
      - failure_policy: http://fp/?a=b
        failure_policy_id: x
      - webhook: [http://h/]
)"),
      ElementsAre(
          "test.yaml:5:21: instance 'i' in block 'b': health_url: "
          "'ftp://10.0.0.5/health' is not a valid http:// or https:// URL: the scheme "
          "must be http or https, not 'ftp'",
          "test.yaml:6:22: instance 'i' in block 'b': metrics_url: "
          "'10.0.0.6:9400/metrics' is not a valid http:// or https:// URL: it must start "
          "with http:// or https://",
          "test.yaml:9:18: on_transition #1 in block 'b': webhook: "
          "'http://user@h/x' is not a valid http:// or https:// URL: user info (user@) is not "
          "allowed; use token_file or headers",
          "test.yaml:10:25: on_transition #2 in block 'b': failure_policy: the base "
          "URL must not have a query ('?...'); /executeFailurePolicy is added",
          "test.yaml:12:18: on_transition #3 in block 'b': webhook: expected an "
          "http:// URL, got a list"));
}

TEST(ConfigRules, BadListenAddress) {
  EXPECT_THAT(
      config_problems("server:\n  listen: ::1:30201\n"),
      ElementsAre("test.yaml:2:11: server: listen: expected host:port like "
                  "127.0.0.1:30201 or [::1]:30201, got '::1:30201' (an IPv6 address goes in "
                  "brackets, like [::1]:30201)"));
  EXPECT_THAT(config_problems("server:\n  listen: 127.0.0.1:99999\n"),
              ElementsAre("test.yaml:2:11: server: listen: expected host:port like "
                          "127.0.0.1:30201 or [::1]:30201, got '127.0.0.1:99999' (the port must be "
                          "a number from 0 to 65535, got '99999')"));
  EXPECT_THAT(config_problems("server:\n  listen: {host: a}\n"),
              ElementsAre("test.yaml:2:11: server: listen: expected host:port like "
                          "127.0.0.1:30201, got a map"));
}

// Statuses, quorum, flapping.

TEST(ConfigRules, BadToStatus) {
  EXPECT_THAT(
      config_problems(with_block("    on_transition:\n      - webhook: http://h/\n"
                                 "        to: [unhealthy, down, [ok]]\n"
                                 "      - webhook: http://h/\n        to: []\n"
                                 "      - webhook: http://h/\n        to: {a: b}\n")),
      ElementsAre("test.yaml:7:25: on_transition #1 in block 'b': to: expected ok, degraded, "
                  "unhealthy or unknown, got 'down'",
                  "test.yaml:7:31: on_transition #1 in block 'b': to: expected ok, degraded, "
                  "unhealthy or unknown, got a list",
                  "test.yaml:9:13: on_transition #2 in block 'b': to: is empty, so the "
                  "action would never run; remove 'to:' to run it on every transition",
                  "test.yaml:11:13: on_transition #3 in block 'b': to: expected a list of "
                  "statuses like [unhealthy, unknown], got a map"));
}

TEST(ConfigRules, BadRetrySettings) {
  EXPECT_THAT(
      config_problems(with_block("    on_transition:\n      - webhook: http://h/\n"
                                 "        max_attempts: 0\n        backoff: 10ms\n"
                                 "      - webhook: http://h/\n        backoff: 2s\n"
                                 "        max_backoff: 1s\n")),
      ElementsAre(
          "test.yaml:7:23: on_transition #1 in block 'b': max_attempts: must be from 1 to 100, "
          "got 0",
          "test.yaml:8:18: on_transition #1 in block 'b': backoff: must be at least 100ms, got "
          "10ms",
          "test.yaml:11:22: on_transition #2 in block 'b': max_backoff: must not be shorter than "
          "backoff"));
}

TEST(ConfigRules, BadMinHealthy) {
  EXPECT_THAT(config_problems(with_block("    min_healthy: most\n")),
              ElementsAre("test.yaml:5:18: block 'b': min_healthy: expected a count like 2 or a "
                          "percentage like 50%, got 'most'"));
  EXPECT_THAT(config_problems(with_block("    min_healthy: 150%\n")),
              ElementsAre("test.yaml:5:18: block 'b': min_healthy: a percentage must be from 0% to "
                          "100%, got 150%"));
  EXPECT_THAT(config_problems(with_block("    min_healthy: -1\n")),
              ElementsAre("test.yaml:5:18: block 'b': min_healthy: a count must be from 0 to "
                          "100000, got -1"));
  EXPECT_THAT(config_problems(with_block("    min_healthy: 33.3%\n")),
              ElementsAre("test.yaml:5:18: block 'b': min_healthy: expected a count like 2 or a "
                          "percentage like 50%, got '33.3%'"));
  EXPECT_THAT(config_problems(with_block("    min_healthy: [1]\n")),
              ElementsAre("test.yaml:5:18: block 'b': min_healthy: expected a count like 2 or a "
                          "percentage like 50%, got a list"));
}

TEST(ConfigRules, BadFlapping) {
  EXPECT_THAT(config_problems(with_block("    flapping: {window: 1, start_percent: 30, "
                                         "stop_percent: 30}\n")),
              ElementsAre("test.yaml:5:24: flapping in block 'b': window: must be from 2 to 1000, "
                          "got 1",
                          "test.yaml:5:60: flapping in block 'b': stop_percent (30) must be lower "
                          "than start_percent (30)"));
}

// Actions.

TEST(ConfigRules, ActionKinds) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - id: b
    policies: [{use: p}]
    on_transition:
      - to: [unhealthy]
      - webhook: http://h/
        failure_policy: http://fp/
      - failure_policy: http://fp/
      - webhook: http://h/
        failure_policy_id: x
        parameters: {a: 1}
        timeout: 10m
)"),
      ElementsAre("test.yaml:5:9: on_transition #1 in block 'b': missing 'webhook', "
                  "'failure_policy' or 'alertmanager' (the URL the action calls)",
                  "test.yaml:7:25: on_transition #2 in block 'b': failure_policy: an action "
                  "is one of 'webhook:', 'failure_policy:' or 'alertmanager:', not several; "
                  "write one action each",
                  "test.yaml:8:9: on_transition #3 in block 'b': missing 'failure_policy_id' "
                  "(which failure policy the service should execute)",
                  "test.yaml:10:9: on_transition #4 in block 'b': failure_policy_id: only a "
                  "'failure_policy:' action takes it",
                  "test.yaml:11:9: on_transition #4 in block 'b': parameters: only a "
                  "'failure_policy:' action takes it",
                  "test.yaml:12:18: on_transition #4 in block 'b': timeout: must be at most "
                  "5m, got 10m"));
}

// Each wrong value of an `alertmanager:` action, at its line and column.
TEST(ConfigRules, BadAlertmanagerActions) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - id: b
    policies: [{use: p}]
    on_transition:
      - alertmanager: ftp://am:9093
      - alertmanager: http://am:9093/api/v2/alerts
      - alertmanager: http://am:9093/?x=1
      - alertmanager: [http://am:9093]
      - alertmanager: http://am:9093
        labels: { 0bad: x, __meta: y, alertname: z, "a-b": c }
      - alertmanager: http://am:9093
        labels: { team: gpu, severity: "" }
        resend_every: 100ms
      - alertmanager: http://am:9093
        resend_every: 2h
      - alertmanager: http://am:9093
        resend_every: often
      - alertmanager: http://am:9093
        to: [unhealthy, ok]
      - alertmanager: http://am:9093
        labels: [severity]
        failure_policy_id: x
        parameters: {a: 1}
      - webhook: http://h/
        labels: {a: b}
        resend_every: 1m
      - webhook: http://h/
        alertmanager: http://am:9093
)"),
      ElementsAre(
          "test.yaml:5:23: on_transition #1 in block 'b': alertmanager: 'ftp://am:9093' is not "
          "a valid http:// or https:// URL: the scheme must be http or https, not 'ftp'",
          "test.yaml:6:23: on_transition #2 in block 'b': alertmanager: write Alertmanager's "
          "base URL (like http://alertmanager:9093), without its API path: /api/v2/alerts is "
          "added",
          "test.yaml:7:23: on_transition #3 in block 'b': alertmanager: the base URL must not "
          "have a query ('?...'); /api/v2/alerts is added",
          "test.yaml:8:23: on_transition #4 in block 'b': alertmanager: expected an http:// URL, "
          "got a list",
          "test.yaml:10:19: on_transition #5 in block 'b': labels: label name '0bad' must be "
          "letters, digits and '_', not starting with a digit",
          "test.yaml:10:28: on_transition #5 in block 'b': labels: label name '__meta' must not "
          "start with '__' (reserved)",
          "test.yaml:10:39: on_transition #5 in block 'b': labels: label 'alertname' is set by "
          "the daemon on every alert (alertname, block, instance_id, policy, status); choose "
          "another name",
          "test.yaml:10:53: on_transition #5 in block 'b': labels: label name 'a-b' must be "
          "letters, digits and '_', not starting with a digit",
          "test.yaml:12:40: on_transition #6 in block 'b': labels: severity: is empty; "
          "Alertmanager reads an empty label as no label, so remove it or give it a value",
          "test.yaml:13:23: on_transition #6 in block 'b': resend_every: must be at least 1s, "
          "got 100ms",
          "test.yaml:15:23: on_transition #7 in block 'b': resend_every: must be at most 1h, "
          "got 2h",
          "test.yaml:17:23: on_transition #8 in block 'b': resend_every: expected a duration "
          "like 5s, 250ms or 1m30s, got 'often'",
          "test.yaml:19:25: on_transition #9 in block 'b': to: ok cannot fire an alert (a "
          "transition to ok, or to any status not in 'to:', resolves it); list degraded, "
          "unhealthy or unknown",
          "test.yaml:21:17: on_transition #10 in block 'b': labels: expected a map, got a list",
          "test.yaml:22:9: on_transition #10 in block 'b': failure_policy_id: only a "
          "'failure_policy:' action takes it",
          "test.yaml:23:9: on_transition #10 in block 'b': parameters: only a "
          "'failure_policy:' action takes it",
          "test.yaml:25:9: on_transition #11 in block 'b': labels: only an 'alertmanager:' "
          "action takes it",
          "test.yaml:26:9: on_transition #11 in block 'b': resend_every: only an "
          "'alertmanager:' action takes it",
          "test.yaml:28:23: on_transition #12 in block 'b': alertmanager: an action is one of "
          "'webhook:', 'failure_policy:' or 'alertmanager:', not several; write one action "
          "each"));
}

TEST(ConfigRules, HeaderValueWithALineBreak) {
  EXPECT_THAT(config_problems(with_block("    on_transition:\n      - webhook: http://h/\n"
                                         "        headers: {X-A: \"a\\r\\nX-B: b\"}\n")),
              ElementsAre("test.yaml:7:18: on_transition #1 in block 'b': headers: the value of "
                          "header 'X-A' has a line break"));
}

// A block must check something.

TEST(ConfigRules, BlockWithNothingToCheck) {
  EXPECT_THAT(config_problems("blocks:\n  - id: empty\n"),
              ElementsAre("test.yaml:2:5: block 'empty' checks nothing: it has no policies and no "
                          "instances; add a policy under 'policies:'"));
  EXPECT_THAT(
      config_problems("blocks:\n  - id: b\n    instances:\n      - id: probed\n"
                      "        health_url: http://p/health\n      - id: silent\n"),
      ElementsAre("test.yaml:6:9: block 'b' checks nothing for instance 'silent': it has no "
                  "health_url and the block has no policies"));
}

}  // namespace
}  // namespace blockhealth
