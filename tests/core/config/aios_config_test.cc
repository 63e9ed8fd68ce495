// The `aios:` section and an instance's `role:`: what they read, their
// defaults, and each mistake with its exact "file:line:col: message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/config/config_test_util.h"

namespace blockhealth {
namespace {

using test::config_problems;
using ::testing::ElementsAre;

TEST(AiosConfig, DefaultsMatchTheTutorialsOutput) {
  const auto config = load_config_string(
      "blocks:\n  - id: b\n    instances:\n      - id: executor\n        role: executor\n",
      "test.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->aios.shape.last_metrics, AiosShape::LastMetrics::kString);
  EXPECT_EQ(config->aios.shape.membership, AiosShape::Membership::kConfigured);
  EXPECT_TRUE(config->aios.shape.executor_row);
  EXPECT_FALSE(config->aios.mgmt_listen.has_value());
  EXPECT_FALSE(config->aios.mgmt_block.has_value());
  EXPECT_EQ(config->blocks.at(0).aios, AiosShape{});
}

TEST(AiosConfig, EveryKeyIsReadAndCopiedIntoEachBlock) {
  const auto config = load_config_string(R"(
aios:
  last_metrics: number
  membership: aios
  executor_row: false
  mgmt_listen: 0.0.0.0:19001
  mgmt_block: b
blocks:
  - id: b
    instances:
      - id: executor
        role: executor
      - id: worker
        role: instance
        health_url: http://10.0.0.5:18001/health
      - id: plain
        health_url: http://10.0.0.6:18001/health
  - id: c
    instances:
      - id: e
        role: executor
)",
                                         "test.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const AiosShape& shape = config->aios.shape;
  EXPECT_EQ(shape.last_metrics, AiosShape::LastMetrics::kNumber);
  EXPECT_EQ(shape.membership, AiosShape::Membership::kAios);
  EXPECT_FALSE(shape.executor_row);
  ASSERT_TRUE(config->aios.mgmt_listen.has_value());
  EXPECT_EQ(config->aios.mgmt_listen->to_string(), "0.0.0.0:19001");
  EXPECT_EQ(config->aios.mgmt_block, "b");
  for (const BlockConfig& b : config->blocks) EXPECT_EQ(b.aios, shape) << b.id;
  const auto& ins = config->blocks.at(0).instances;
  EXPECT_TRUE(ins.at(0).executor);
  EXPECT_FALSE(ins.at(1).executor);
  EXPECT_FALSE(ins.at(2).executor);
}

TEST(AiosConfig, WrongValuesNameTheChoices) {
  EXPECT_THAT(config_problems("aios:\n  last_metrics: float\n  membership: all\n"
                              "  executor_row: yes\n"),
              ElementsAre("test.yaml:2:17: aios: last_metrics: expected string or number, got "
                          "'float'",
                          "test.yaml:3:15: aios: membership: expected configured or aios, got "
                          "'all'",
                          "test.yaml:4:17: aios: executor_row: expected true or false, got 'yes'"));
}

TEST(AiosConfig, MgmtListenerMistakes) {
  EXPECT_THAT(config_problems("aios:\n  mgmt_listen: [19001]\n"),
              ElementsAre("test.yaml:2:16: aios: mgmt_listen: expected host:port like "
                          "0.0.0.0:19001, got a list"));
  EXPECT_THAT(config_problems(
                  "aios:\n  mgmt_block: b\nblocks:\n  - id: b\n    policies:\n      - use: p\n"),
              ElementsAre("test.yaml:2:3: aios: missing 'mgmt_listen' (mgmt_block names the "
                          "block of the /mgmt listener)"));
  EXPECT_THAT(config_problems("aios:\n  mgmt_listen: 127.0.0.1:19001\n  mgmt_block: nope\n"
                              "blocks:\n  - id: b\n    policies:\n      - use: p\n"),
              ElementsAre("test.yaml:3:15: aios: mgmt_block: no block 'nope' in blocks:"));
}

TEST(AiosConfig, UnknownKeysGetASuggestion) {
  EXPECT_THAT(config_problems("aios:\n  last_metric: number\n"),
              ElementsAre("test.yaml:2:3: unknown key 'last_metric' in aios; did you mean "
                          "'last_metrics'?"));
}

TEST(AiosConfig, RoleIsInstanceOrExecutor) {
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    instances:\n      - id: e\n"
                              "        role: leader\n        health_url: http://h:1/health\n"),
              ElementsAre("test.yaml:5:15: instance 'e' in block 'b': role: expected instance or "
                          "executor, got 'leader'"));
}

}  // namespace
}  // namespace blockhealth
