#include "core/engine/engine_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config/config_loader.h"
#include "tests/core/engine/engine_harness.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

class EnginePlanTest : public ::testing::Test {
 protected:
  Result<EnginePlanConstSharedPtr> build(const std::string& yaml,
                                         const EnginePlan* previous = nullptr) {
    auto config = load_config_string(yaml, "plan.yaml");
    EXPECT_TRUE(config) << config.error().message;
    if (!config) return config.error();
    return build_engine_plan(std::move(*config), catalog_, previous, clock_);
  }

  ManualClock clock_;
  std::shared_ptr<const PluginCatalog> catalog_ =
      std::make_shared<const PluginCatalog>(PluginCatalog::scan(test_plugin_dirs()));
};

const std::string kTwoBlocks = test_defaults_yaml() +
                               "blocks:\n"
                               "  - id: a\n"
                               "    instances: [{id: i}]\n"
                               "    policies:\n"
                               "      - use: test_echo\n"
                               "        id: first\n"
                               "      - use: test_echo\n"
                               "        id: second\n"
                               "        with: {prefix: 'x '}\n"
                               "  - id: b\n"
                               "    instances: [{id: i}]\n"
                               "    policies:\n"
                               "      - use: test_echo\n"
                               "        id: first\n";

TEST_F(EnginePlanTest, CreatesAnInstancePerPolicyInConfigOrder) {
  auto plan = build(kTwoBlocks);
  ASSERT_TRUE(plan) << plan.error().message;
  const EnginePlan& p = **plan;
  ASSERT_EQ(p.blocks.size(), 2U);
  EXPECT_EQ(p.blocks[0].config->id, "a");
  ASSERT_EQ(p.blocks[0].policies.size(), 2U);
  EXPECT_EQ(p.blocks[0].policies[0].config->id, "first");
  EXPECT_EQ(p.blocks[0].policies[1].config->id, "second");
  EXPECT_EQ(p.blocks[0].policies[1].handle->params_json, R"({"prefix":"x "})");
  EXPECT_EQ(p.blocks[0].policies[0].handle->instance->label(), "a/first");
  EXPECT_EQ(p.blocks[1].policies[0].handle->instance->label(), "b/first");
  EXPECT_NE(p.blocks[0].policies[0].handle, p.blocks[1].policies[0].handle);
  EXPECT_FALSE(p.blocks[0].policies[0].handle->busy.load());
  EXPECT_EQ(p.catalog, catalog_);
  EXPECT_EQ(p.config.source, "plan.yaml");
}

TEST_F(EnginePlanTest, ReusesInstancesOnlyWhenBlockPolicyFileAndParamsMatch) {
  auto first = build(kTwoBlocks);
  ASSERT_TRUE(first);
  auto second = build(kTwoBlocks, first->get());
  ASSERT_TRUE(second);
  for (std::size_t b = 0; b < 2; ++b) {
    for (std::size_t i = 0; i < (*first)->blocks[b].policies.size(); ++i) {
      EXPECT_EQ((*second)->blocks[b].policies[i].handle, (*first)->blocks[b].policies[i].handle)
          << b << "/" << i;
    }
  }
  // Changed params of one policy: only that one is new.
  std::string changed = kTwoBlocks;
  changed.replace(changed.find("'x '"), 4, "'y '");
  auto third = build(changed, second->get());
  ASSERT_TRUE(third);
  EXPECT_EQ((*third)->blocks[0].policies[0].handle, (*first)->blocks[0].policies[0].handle);
  EXPECT_NE((*third)->blocks[0].policies[1].handle, (*first)->blocks[0].policies[1].handle);
}

TEST_F(EnginePlanTest, AnUnknownPolicyNamesTheLoadedOnes) {
  auto plan = build(test_defaults_yaml() +
                    "blocks:\n"
                    "  - id: b\n"
                    "    instances: [{id: i}]\n"
                    "    policies:\n"
                    "      - use: gpu_temprature\n");
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().message,
            "plan.yaml:12:9: block 'b' policy 'gpu_temprature': no plugin provides policy "
            "'gpu_temprature' (loaded: test_echo, test_fail, test_hang)");
}

TEST_F(EnginePlanTest, ParamsNotMatchingTheSchemaPointIntoWith) {
  auto plan = build(test_defaults_yaml() +
                    "blocks:\n"
                    "  - id: b\n"
                    "    instances: [{id: i}]\n"
                    "    policies:\n"
                    "      - use: test_hang\n"
                    "        with: {hang_ms: -5}\n");
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message, ::testing::StartsWith("plan.yaml:13:"));
  EXPECT_THAT(plan.error().message, HasSubstr("policy test_hang: with.hang_ms"));
}

TEST_F(EnginePlanTest, EveryProblemIsReportedOnePerLine) {
  auto plan = build(test_defaults_yaml() +
                    "blocks:\n"
                    "  - id: b\n"
                    "    instances: [{id: i}]\n"
                    "    policies:\n"
                    "      - use: nope_one\n"
                    "      - use: test_echo\n"
                    "        with: {prefix: 'ok', extra: 1}\n"
                    "      - use: nope_two\n");
  ASSERT_FALSE(plan);
  const std::string& m = plan.error().message;
  ASSERT_EQ(std::count(m.begin(), m.end(), '\n'), 2) << m;
  EXPECT_THAT(m, HasSubstr("plan.yaml:12:9: block 'b' policy 'nope_one'"));
  EXPECT_THAT(m, HasSubstr("extra"));
  EXPECT_THAT(m, HasSubstr("plan.yaml:15:9: block 'b' policy 'nope_two'"));
}

TEST(PlanFromFile, LoadsScansAndBuilds) {
  TempDir dir;
  std::string dirs;
  for (const auto& d : test_plugin_dirs()) dirs += (dirs.empty() ? "" : ", ") + d.string();
  const auto path =
      dir.write("blockhealth.yaml", "plugins:\n  dirs: [" + dirs + "]\n" + test_defaults_yaml() +
                                        "blocks:\n"
                                        "  - id: b\n"
                                        "    instances: [{id: i}]\n"
                                        "    policies: [{use: test_fail}]\n");
  ManualClock clock;
  auto plan = plan_from_file(path, {test_plugin_dir() / "test_echo"}, nullptr, clock);
  ASSERT_TRUE(plan) << plan.error().message;
  EXPECT_EQ((*plan)->catalog->plugins().size(), 3U);  // test_echo listed twice, loaded once
  EXPECT_TRUE((*plan)->catalog->problems().empty());
  EXPECT_EQ((*plan)->blocks[0].policies[0].config->use, "test_fail");
}

TEST(PlanFromFile, AMissingFileIsAnError) {
  TempDir dir;
  ManualClock clock;
  auto plan = plan_from_file(dir.path() / "absent.yaml", {}, nullptr, clock);
  ASSERT_FALSE(plan);
  EXPECT_THAT(plan.error().message, HasSubstr("absent.yaml"));
}

}  // namespace
}  // namespace blockhealth::test
