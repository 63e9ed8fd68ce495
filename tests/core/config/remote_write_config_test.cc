// The `remote_write:` section: what it reads, its defaults, and each
// mistake with its exact "file:line:col: message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/config/config_test_util.h"

namespace blockhealth {
namespace {

using test::config_problems;
using ::testing::ElementsAre;

TEST(RemoteWriteConfig, DefaultsAreOffWithBlockAndInstanceLabels) {
  const auto config = load_config_string("blocks: []\n", "test.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_FALSE(config->remote_write.enabled);
  EXPECT_EQ(config->remote_write.block_label, "block");
  EXPECT_EQ(config->remote_write.instance_label, "instance");
  EXPECT_TRUE(config->remote_write.drop_labels.empty());
  EXPECT_EQ(config->remote_write.max_decoded_bytes, 32u << 20);
}

TEST(RemoteWriteConfig, EveryKeyIsRead) {
  const auto config = load_config_string(R"(
remote_write:
  enabled: true
  block_label: bh_block
  instance_label: pod
  drop_labels: [job, instance]
  max_decoded_bytes: 4MiB
)",
                                         "test.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->remote_write.enabled);
  EXPECT_EQ(config->remote_write.block_label, "bh_block");
  EXPECT_EQ(config->remote_write.instance_label, "pod");
  EXPECT_THAT(config->remote_write.drop_labels, ElementsAre("job", "instance"));
  EXPECT_EQ(config->remote_write.max_decoded_bytes, 4u << 20);
}

TEST(RemoteWriteConfig, EachMistakeIsNamedWhereItIs) {
  EXPECT_THAT(config_problems("remote_write:\n  enabled: yes\n"),
              ElementsAre("test.yaml:2:12: remote_write: enabled: expected true or false, got "
                          "'yes'"));
  EXPECT_THAT(config_problems("remote_write:\n  block_label: a-b\n"),
              ElementsAre("test.yaml:2:16: remote_write: block_label: 'a-b' is not a label name "
                          "(use [a-zA-Z_][a-zA-Z0-9_]*)"));
  EXPECT_THAT(config_problems("remote_write:\n  instance_label: __name__\n"),
              ElementsAre("test.yaml:2:19: remote_write: instance_label: '__name__' is the metric "
                          "name, not a label that can be used here"));
  EXPECT_THAT(config_problems("remote_write:\n  instance_label: block\n"),
              ElementsAre("test.yaml:2:19: remote_write: instance_label: block_label and "
                          "instance_label are both 'block'; a block and its instance need two "
                          "different labels"));
  EXPECT_THAT(config_problems("remote_write:\n  drop_labels: [job, '9x']\n"),
              ElementsAre("test.yaml:2:22: remote_write: drop_labels[1]: '9x' is not a label "
                          "name (use [a-zA-Z_][a-zA-Z0-9_]*)"));
  EXPECT_THAT(config_problems("remote_write:\n  drop_labels: job\n"),
              ElementsAre("test.yaml:2:16: remote_write: drop_labels: expected a list, got "
                          "'job'"));
  EXPECT_THAT(config_problems("remote_write:\n  max_decoded_bytes: 10B\n"),
              ElementsAre("test.yaml:2:22: remote_write: max_decoded_bytes: must be from 1KiB "
                          "to 1GiB, got 10B"));
  EXPECT_THAT(config_problems("remote_write:\n  block_lable: b\n"),
              ElementsAre("test.yaml:2:3: unknown key 'block_lable' in remote_write; did you mean "
                          "'block_label'?"));
  EXPECT_THAT(config_problems("remote_write: on\n"),
              ElementsAre("test.yaml:1:15: remote_write: expected a map, got 'on'"));
}

}  // namespace
}  // namespace blockhealth
