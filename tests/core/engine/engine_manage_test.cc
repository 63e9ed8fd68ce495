// Engine::manage_policy and Engine::plugins_json with real plugins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <future>
#include <map>

#include "core/config/config_loader.h"
#include "core/engine/engine.h"
#include "core/wire/block_bodies.h"
#include "core/wire/plugins_json.h"
#include "tests/core/engine/engine_harness.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

const std::string& manage_config() {
  static const std::string yaml = test_defaults_yaml() +
                                  "blocks:\n"
                                  "  - id: b\n"
                                  "    instances: [{id: i1}]\n"
                                  "    policies:\n"
                                  "      - use: test_echo\n"
                                  "        id: echo\n"
                                  "      - use: test_fail\n"
                                  "        id: failing\n"
                                  "  - id: slow\n"
                                  "    instances: [{id: s1}]\n"
                                  "    policies:\n"
                                  "      - use: test_hang\n"
                                  "        id: hang\n"
                                  "        with: {hang_ms: 1500}\n";
  return yaml;
}

class EngineManageTest : public ::testing::Test {
 protected:
  void SetUp() override { h_.apply(manage_config()); }
  EngineHarness h_;
};

TEST_F(EngineManageTest, EchoAnswersWithTheData) {
  auto r = manage(h_.engine(), "b", "echo", "echo", R"({"policy":"echo","x":[1,"two"]})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(json::parse(*r), json::parse(R"({"echo":{"policy":"echo","x":[1,"two"]}})"));
}

TEST_F(EngineManageTest, APolicyCanBeNamedByItsUse) {
  auto r = manage(h_.engine(), "b", "test_echo", "echo", R"({"k":1})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(json::parse(*r).at("echo").at("k"), 1);
}

TEST_F(EngineManageTest, ThePluginSeesTheEngineClock) {
  auto r = manage(h_.engine(), "b", "echo", "clock");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(json::parse(*r).at("wall_ms").to_number<std::int64_t>(), EngineHarness::kStartMs);
}

TEST_F(EngineManageTest, AnActionThePolicyRefusesIsAnInvalidRequest) {
  auto r = manage(h_.engine(), "b", "echo", "nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().message, "policy test_echo failed: unknown action nope");
}

TEST_F(EngineManageTest, UnknownBlockOrPolicyIsNotFound) {
  auto block = manage(h_.engine(), "zz", "echo", "echo");
  ASSERT_FALSE(block);
  EXPECT_EQ(block.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(block.error().message, "no block 'zz' in the configuration");
  auto policy = manage(h_.engine(), "b", "zz", "echo");
  ASSERT_FALSE(policy);
  EXPECT_EQ(policy.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(policy.error().message, "block 'b' has no policy 'zz'");
}

TEST_F(EngineManageTest, APolicyWithoutManageSaysSo) {
  auto r = manage(h_.engine(), "b", "failing", "echo");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(r.error().message, "policy 'failing' (test_fail) has no management actions");
}

TEST(EngineManage, ABusyPolicyIsRefusedWithBusy) {
  // One worker, held by test_hang: echo's evaluation waits in the queue,
  // and its policy counts as busy until it has run.
  EngineOptions options = EngineHarness::default_options();
  options.eval_workers = 1;
  EngineHarness h(options);
  h.apply(manage_config());
  ASSERT_TRUE(h.engine().evaluate_now("slow"));
  ASSERT_TRUE(h.engine().evaluate_now("b"));
  auto r = manage(h.engine(), "b", "echo", "echo");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBusy);
  EXPECT_EQ(r.error().message, "policy 'echo' is busy evaluating; try again");
  ASSERT_TRUE(wait_until([&] { return h.listener().call_count("b") == 2; }));
  EXPECT_TRUE(manage(h.engine(), "b", "echo", "echo"));
}

TEST(EngineManage, AFullQueueIsRefusedWithBusy) {
  EngineOptions options = EngineHarness::default_options();
  options.eval_queue = 0;
  EngineHarness h(options);
  h.apply(manage_config());
  auto r = manage(h.engine(), "b", "echo", "echo");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBusy);
  EXPECT_EQ(r.error().message, "too many evaluations queued; try again");
  EXPECT_FALSE(h.busy_now("b", "echo"));  // the refused call released the gate
}

TEST_F(EngineManageTest, PluginsJsonListsPluginsDirsAndPolicies) {
  const json::value v = json::parse(wire::plugins_body(h_.engine().plugins_view()));
  EXPECT_TRUE(v.at("refused").as_array().empty());
  EXPECT_TRUE(v.at("dirs").as_array().empty());  // the config names none
  std::map<std::string, json::object> plugins;
  for (const json::value& p : v.at("plugins").as_array()) {
    plugins[std::string(p.at("name").as_string())] = p.as_object();
  }
  ASSERT_EQ(plugins.size(), 3U);
  const json::object& echo = plugins.at("test_echo");
  EXPECT_EQ(echo.at("version"), "1.0.0");
  EXPECT_EQ(echo.at("has_manage"), true);
  EXPECT_EQ(echo.at("abi").as_string().subview().substr(0, 2), "1.");
  EXPECT_EQ(echo.at("path").as_string(),
            (test_plugin_dir() / "test_echo" / "test_echo.so").string());
  EXPECT_FALSE(echo.at("content_hash").as_string().empty());
  EXPECT_EQ(plugins.at("test_fail").at("has_manage"), false);

  const json::array& policies = v.at("policies").as_array();
  ASSERT_EQ(policies.size(), 3U);
  for (const json::value& p : policies) {
    EXPECT_EQ(p.at("quarantined"), false);
    EXPECT_FALSE(p.as_object().contains("quarantine"));
    EXPECT_EQ(p.at("calls"), 0);
  }
}

TEST(EnginePluginsJson, ListsTheConfigsPluginDirsAndRefusedFiles) {
  EngineHarness h;
  TempDir dir;
  dir.write("plugins/broken.so", "not a shared object\n");
  const std::string yaml = "plugins:\n  dirs: [" + (dir.path() / "plugins").string() + "]\n" +
                           test_defaults_yaml() +
                           "blocks:\n"
                           "  - id: b\n"
                           "    instances: [{id: i1}]\n"
                           "    policies: [{use: test_echo}]\n";
  auto config = load_config_string(yaml, "engine-test.yaml");
  ASSERT_TRUE(config) << config.error().message;
  std::vector<std::filesystem::path> dirs = test_plugin_dirs();
  dirs.push_back(dir.path() / "plugins");
  auto catalog = std::make_shared<const PluginCatalog>(PluginCatalog::scan(dirs));
  auto plan = build_engine_plan(std::move(*config), catalog, nullptr, h.clock());
  ASSERT_TRUE(plan) << plan.error().message;
  h.engine().apply(*plan);
  const json::value v = json::parse(wire::plugins_body(h.engine().plugins_view()));
  ASSERT_EQ(v.at("dirs").as_array().size(), 1U);
  EXPECT_EQ(v.at("dirs").at(0).as_string(), (dir.path() / "plugins").string());
  ASSERT_EQ(v.at("refused").as_array().size(), 1U);
  EXPECT_EQ(v.at("refused").at(0).at("path").as_string(),
            (dir.path() / "plugins" / "broken.so").string());
  EXPECT_FALSE(v.at("refused").at(0).at("error").as_string().empty());
}

}  // namespace
}  // namespace blockhealth::test
