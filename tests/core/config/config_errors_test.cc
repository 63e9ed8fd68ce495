// Every kind of mistake in a config file, each with its exact
// "file:line:col: message". Wrong types, unknown and duplicate keys.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/config/config_test_util.h"

namespace blockhealth {
namespace {

using test::config_problems;
using test::kValidBlock;
using test::with_block;
using ::testing::ElementsAre;

// Wrong types.

TEST(ConfigErrors, WrongDuration) {
  EXPECT_THAT(config_problems("defaults:\n  interval: fast\n"),
              ElementsAre("test.yaml:2:13: defaults: interval: expected a duration like 5s, 250ms "
                          "or 1m30s, got 'fast'"));
}

TEST(ConfigErrors, DurationWithoutUnit) {
  EXPECT_THAT(config_problems("defaults:\n  stale_after: 30\n"),
              ElementsAre("test.yaml:2:16: defaults: stale_after: expected a duration like 5s, "
                          "250ms or 1m30s, got '30' (a number needs a unit: ms, s, m, h or d)"));
}

TEST(ConfigErrors, DurationGivenAsAList) {
  EXPECT_THAT(config_problems("history_retention: [7d]\n"),
              ElementsAre("test.yaml:1:20: history_retention: expected a duration like 5s, 250ms "
                          "or 1m30s, got a list"));
}

TEST(ConfigErrors, EmptyValueIsReportedAtItsKey) {
  EXPECT_THAT(config_problems("defaults:\n  timeout:\n  interval: 5s\n"),
              ElementsAre("test.yaml:2:3: defaults: timeout: expected a duration like 5s, 250ms or "
                          "1m30s, got nothing"));
}

TEST(ConfigErrors, WrongSize) {
  EXPECT_THAT(config_problems("server:\n  body_limit: big\n"),
              ElementsAre("test.yaml:2:15: server: body_limit: expected a size like 512, 64KiB or "
                          "10MB, got 'big'"));
  EXPECT_THAT(config_problems("defaults: {scrape_body_limit: 10mb}\n"),
              ElementsAre("test.yaml:1:31: defaults: scrape_body_limit: expected a size like 512, "
                          "64KiB or 10MB, got '10mb' (units are B, KiB, MiB, GiB, TiB (1024) and "
                          "KB, MB, GB, TB (1000))"));
}

TEST(ConfigErrors, WrongInteger) {
  EXPECT_THAT(config_problems("server: {threads: many}\n"),
              ElementsAre("test.yaml:1:19: server: threads: expected a whole number from 1 to 64, "
                          "got 'many'"));
  EXPECT_THAT(config_problems("defaults:\n  unhealthy_after: 2.5\n"),
              ElementsAre("test.yaml:2:20: defaults: unhealthy_after: expected a whole number from "
                          "1 to 100, got '2.5'"));
}

TEST(ConfigErrors, StringGotAMap) {
  EXPECT_THAT(config_problems("blocks:\n  - id: {name: b}\n    policies: [{use: p}]\n"),
              ElementsAre("test.yaml:2:9: block #1: id: expected a string, got a map"));
}

TEST(ConfigErrors, PathGotAList) {
  EXPECT_THAT(config_problems("state_dir: [a, b]\n"),
              ElementsAre("test.yaml:1:12: state_dir: expected a path, got a list"));
  EXPECT_THAT(config_problems("plugins:\n  dirs: [./plugins, {a: 1}]\n"),
              ElementsAre("test.yaml:2:21: plugins: dirs: item 2: expected a path, got a map"));
}

TEST(ConfigErrors, SectionsMustBeMapsAndListsMustBeLists) {
  EXPECT_THAT(
      config_problems("server: [a]\ndefaults: 5s\nplugins:\n  dirs: ./plugins\nblocks: b\n"),
      ElementsAre("test.yaml:1:9: server: expected a map, got a list",
                  "test.yaml:2:11: defaults: expected a map, got '5s'",
                  "test.yaml:4:9: plugins: dirs: expected a list, got './plugins'",
                  "test.yaml:5:9: blocks: expected a list, got 'b'"));
}

TEST(ConfigErrors, ListItemsMustBeMaps) {
  EXPECT_THAT(config_problems("blocks:\n  - just-a-name\n"),
              ElementsAre("test.yaml:2:5: blocks: item 1: expected a map with 'id:', got "
                          "'just-a-name'"));
  EXPECT_THAT(config_problems(with_block("    instances: [executor]\n    on_transition:\n      - "
                                         "[http://h/]\n")),
              ElementsAre("test.yaml:5:17: block 'b': instances: item 1: expected a map, got "
                          "'executor'",
                          "test.yaml:7:9: block 'b': on_transition: item 1: expected a map, got a "
                          "list"));
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    policies:\n      - gpu_temperature\n"),
              ElementsAre("test.yaml:4:9: block 'b': policies: item 1: expected a map, got "
                          "'gpu_temperature'"));
}

TEST(ConfigErrors, WithAndParametersMustBeMaps) {
  EXPECT_THAT(
      config_problems("blocks:\n  - id: b\n    policies:\n      - use: p\n        with: 5\n"),
      ElementsAre("test.yaml:5:15: policy 'p' in block 'b': with: expected a map, got "
                  "'5'"));
  EXPECT_THAT(
      config_problems(with_block("    on_transition:\n      - failure_policy: http://f/\n"
                                 "        failure_policy_id: x\n        parameters: [1]\n")),
      ElementsAre("test.yaml:8:21: on_transition #1 in block 'b': parameters: expected a "
                  "map, got a list"));
}

TEST(ConfigErrors, LabelsAndHeadersMustMapNamesToStrings) {
  EXPECT_THAT(
      config_problems(with_block("    instances:\n      - id: i\n        labels: {zone: [a], "
                                 "9lives: x, __name__: y}\n")),
      ElementsAre("test.yaml:7:24: instance 'i' in block 'b': labels: zone: expected a string, got "
                  "a list",
                  "test.yaml:7:29: instance 'i' in block 'b': labels: label name '9lives' must be "
                  "letters, digits and '_', not starting with a digit",
                  "test.yaml:7:40: instance 'i' in block 'b': labels: label name '__name__' must "
                  "not start with '__' (reserved)"));
  EXPECT_THAT(config_problems(with_block("    on_transition:\n      - webhook: http://h/\n"
                                         "        headers: {\"X Team\": gpu}\n")),
              ElementsAre("test.yaml:7:19: on_transition #1 in block 'b': headers: 'X Team' is not "
                          "a valid HTTP header name"));
}

TEST(ConfigErrors, IsolationMustBeInProcessOrProcess) {
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    policies:\n      - use: p\n        "
                              "isolation: thread\n"),
              ElementsAre("test.yaml:5:20: policy 'p' in block 'b': isolation: expected in_process "
                          "or process, got 'thread'"));
}

// Unknown keys, at every level, with a suggestion when one is close.

TEST(ConfigErrors, UnknownTopLevelKey) {
  EXPECT_THAT(config_problems("blokcs: []\ncolour: blue\n"),
              ElementsAre("test.yaml:1:1: unknown key 'blokcs' at the top level; did you mean "
                          "'blocks'?",
                          "test.yaml:2:1: unknown key 'colour' at the top level"));
}

TEST(ConfigErrors, UnknownKeysInSections) {
  EXPECT_THAT(config_problems("server:\n  listne: 127.0.0.1:1\ndefaults:\n  intervl: 5s\n"
                              "plugins:\n  dir: [p]\n"),
              ElementsAre("test.yaml:2:3: unknown key 'listne' in server; did you mean 'listen'?",
                          "test.yaml:4:3: unknown key 'intervl' in defaults; did you mean "
                          "'interval'?",
                          "test.yaml:6:3: unknown key 'dir' in plugins; did you mean 'dirs'?"));
}

TEST(ConfigErrors, UnknownKeyInABlock) {
  EXPECT_THAT(config_problems(with_block("    intervl: 5s\n")),
              ElementsAre("test.yaml:5:5: unknown key 'intervl' in block 'b'; did you mean "
                          "'interval'?"));
}

TEST(ConfigErrors, UnknownKeysInBlockParts) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - id: b
    flapping: {windw: 5}
    instances:
      - id: i
        helth_url: http://i/health
    policies:
      - use: p
        wiht: {a: 1}
    on_transition:
      - webhok: http://h/
        webhook: http://h/
)"),
      ElementsAre("test.yaml:3:16: unknown key 'windw' in flapping in block 'b'; did you "
                  "mean 'window'?",
                  "test.yaml:6:9: unknown key 'helth_url' in instance 'i' in block 'b'; did "
                  "you mean 'health_url'?",
                  "test.yaml:9:9: unknown key 'wiht' in policy 'p' in block 'b'; did you "
                  "mean 'with'?",
                  "test.yaml:11:9: unknown key 'webhok' in on_transition #1 in block 'b'; "
                  "did you mean 'webhook'?"));
}

TEST(ConfigErrors, KeysThatAreNotWords) {
  EXPECT_THAT(config_problems("? [a, b]\n: 1\n"),
              ElementsAre("test.yaml:1:3: keys must be plain words at the top level, got a list"));
}

// Duplicate keys: yaml-cpp keeps both, the loader refuses the second.

TEST(ConfigErrors, DuplicateKeyAtTheTopLevel) {
  EXPECT_THAT(config_problems("state_dir: /a\nstate_dir: /b\n"),
              ElementsAre("test.yaml:2:1: duplicate key 'state_dir' at the top level (first at "
                          "1:1)"));
}

TEST(ConfigErrors, DuplicateKeyInABlockAndInAFlowMap) {
  EXPECT_THAT(config_problems(with_block("    interval: 5s\n    interval: 10s\n"
                                         "    flapping: {window: 5, window: 7}\n")),
              ElementsAre("test.yaml:6:5: duplicate key 'interval' in block 'b' (first at 5:5)",
                          "test.yaml:7:27: duplicate key 'window' in flapping in block 'b' (first "
                          "at 7:16)"));
}

TEST(ConfigErrors, DuplicateKeyInsideWithAtAnyDepth) {
  EXPECT_THAT(config_problems(R"(blocks:
  - id: b
    policies:
      - use: p
        with:
          limit: 1
          nested: {a: 1, a: 2}
          limit: 2
)"),
              ElementsAre("test.yaml:7:26: policy 'p' in block 'b': with: duplicate key 'a' (first "
                          "at 7:20)",
                          "test.yaml:8:11: policy 'p' in block 'b': with: duplicate key 'limit' "
                          "(first at 6:11)"));
}

TEST(ConfigErrors, DuplicateLabel) {
  EXPECT_THAT(config_problems(with_block("    instances:\n      - id: i\n        labels: {zone: "
                                         "a, zone: b}\n")),
              ElementsAre("test.yaml:7:27: instance 'i' in block 'b': labels: duplicate key 'zone' "
                          "(first at 7:18)"));
}

TEST(ConfigErrors, WithThatContainsItselfThroughAnAlias) {
  const auto problems = config_problems(
      "blocks:\n  - id: b\n    policies:\n      - use: p\n        with: &w {self: [*w]}\n");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], ::testing::EndsWith(
                               "policy 'p' in block 'b': with: nested more than 64 levels deep (or "
                               "an alias refers to its own anchor)"));
}

TEST(ConfigErrors, EveryProblemIsReportedInFileOrder) {
  EXPECT_THAT(
      config_problems(R"(blocks:
  - id: b
    timeout: soon
    policies:
      - use: Bad-Name
server:
  threads: 0
  listen: nowhere
  max_connections: 15
  max_watches: 0
)"),
      ElementsAre("test.yaml:3:14: block 'b': timeout: expected a duration like 5s, 250ms "
                  "or 1m30s, got 'soon'",
                  "test.yaml:5:14: policy 'Bad-Name' in block 'b': use: 'Bad-Name' is not a "
                  "policy name (lower-case letters, digits and '_')",
                  "test.yaml:7:12: server: threads: must be from 1 to 64, got 0",
                  "test.yaml:8:11: server: listen: expected host:port like "
                  "127.0.0.1:30201 or [::1]:30201, got 'nowhere' (the port is missing)",
                  "test.yaml:9:20: server: max_connections: must be from 16 to 1000000, got 15",
                  "test.yaml:10:16: server: max_watches: must be from 1 to 1000000, got 0"));
}

}  // namespace
}  // namespace blockhealth

namespace blockhealth {
namespace {

using ::testing::ElementsAre;

// Aliases of aliases: ten levels of ten make 10^10 values from a few
// hundred bytes; refused before any reader walks them (issue 13).
std::string billion_laughs(const std::string& where_used) {
  std::string yaml = "x0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    yaml += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) yaml += (k ? ", *a" : "*a") + std::to_string(i - 1);
    yaml += "]\n";
  }
  return yaml + where_used;
}

TEST(ConfigBounds, AliasExpansionIsBounded) {
  EXPECT_THAT(test::config_problems(
                  billion_laughs("blocks:\n  - id: b\n    on_transition:\n      - failure_policy: "
                                 "http://127.0.0.1:9/fp\n        parameters: *a9\n")),
              ElementsAre("test.yaml:1:1: the config expands to more than 1000000 values "
                          "(counting every use of an alias as a copy); refusing it (aliases of "
                          "aliases grow exponentially)"));
}

// Found by fuzz_config: yaml-cpp 0.7's parser never ends on these two
// bytes (it makes nodes until memory runs out); refused instead.
TEST(ConfigBounds, InputTheYamlParserCannotFinishIsRefused) {
  EXPECT_THAT(test::config_problems(",%"),
              ElementsAre("test.yaml:1:1: the config has more than 4000000 YAML values, or is "
                          "malformed in a way the YAML parser cannot finish reading; refusing it"));
}

}  // namespace
}  // namespace blockhealth
