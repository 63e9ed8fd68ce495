// Reload semantics: a plugin file replaced by another is mapped anew (by
// content), and plugins loaded before keep working.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/model/observation.h"
#include "core/plugins/policy_instance.h"
#include "core/plugins/policy_plugin.h"
#include "core/util/clock.h"
#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::test_plugin;

// Installs the bytes of `source` plus `trailer` at `target` the way an
// operator should: write a new file, then rename it over the old one. The
// trailer (ignored by the loader) makes bytes no earlier test has loaded.
void install(const std::filesystem::path& source, const std::filesystem::path& target,
             const std::string& trailer) {
  const std::filesystem::path temporary = target.string() + ".new";
  std::string bytes = test::read_file(source);
  bytes += trailer;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << bytes;
    ASSERT_TRUE(out.good()) << temporary;
  }
  std::filesystem::permissions(temporary, std::filesystem::perms::owner_all);
  std::filesystem::rename(temporary, target);
}

EvaluateOutcome evaluate_one(const PolicyPluginConstSharedPtr& plugin, double test_status) {
  auto observations = std::make_shared<InstanceObservations>();
  observations->block_id = "block";
  observations->instance_id = "i0";
  observations->samples.push_back(MetricSample{"test_status", {}, test_status, 1});
  Result<PolicyInstanceSharedPtr> instance =
      PolicyInstance::create(plugin, "{}", "block/" + plugin->name(), SystemClock::instance());
  if (!instance) {
    ADD_FAILURE() << instance.error().message;
    return {};
  }
  const std::vector<InstanceObservationsConstSharedPtr> inputs{observations};
  return (*instance)->evaluate(inputs, CallLimits{});
}

TEST(PluginReloadTest, ReplacedFileIsMappedAnewAndTheOldPluginStillWorks) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "policy.so";
  // A trailer unique to this run, so the first load really dlopens `file`.
  install(test_plugin("test_echo"), file, "first " + dir.path().string());
  const PolicyPluginConstSharedPtr old_plugin = test::must_load(file);
  ASSERT_NE(old_plugin, nullptr);
  ASSERT_EQ(old_plugin->name(), "test_echo");

  // Same path, different bytes: dlopen(file) would return the old mapping.
  install(test_plugin("test_c_minimal"), file, "second " + dir.path().string());
  const PolicyPluginConstSharedPtr new_plugin = test::must_load(file);
  ASSERT_NE(new_plugin, nullptr);
  EXPECT_EQ(new_plugin->name(), "test_c_minimal");
  EXPECT_NE(new_plugin->content_hash(), old_plugin->content_hash());
  EXPECT_EQ(new_plugin->path(), file);

  // Both work side by side.
  const EvaluateOutcome old_outcome = evaluate_one(old_plugin, 2);
  ASSERT_TRUE(old_outcome.ok) << old_outcome.error;
  ASSERT_EQ(old_outcome.verdicts.size(), 1U);
  EXPECT_EQ(old_outcome.verdicts[0].status, Status::kUnhealthy);
  EXPECT_EQ(old_outcome.verdicts[0].reason, "test_status=2");
  const EvaluateOutcome new_outcome = evaluate_one(new_plugin, 2);
  ASSERT_TRUE(new_outcome.ok) << new_outcome.error;
  ASSERT_EQ(new_outcome.verdicts.size(), 1U);
  EXPECT_EQ(new_outcome.verdicts[0].status, Status::kOk);
  EXPECT_EQ(new_outcome.verdicts[0].reason, "fine");

  // Putting the first bytes back finds the first mapping again.
  install(test_plugin("test_echo"), file, "first " + dir.path().string());
  const PolicyPluginConstSharedPtr again = test::must_load(file);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->content_hash(), old_plugin->content_hash());
  EXPECT_EQ(again->table().evaluate, old_plugin->table().evaluate);
}

TEST(PluginReloadTest, PrivateCopiesLeaveNoFilesBehind) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "policy.so";
  install(test_plugin("test_fail"), file, "a " + dir.path().string());
  ASSERT_NE(test::must_load(file), nullptr);
  install(test_plugin("test_fail"), file, "b " + dir.path().string());
  const PolicyPluginConstSharedPtr reloaded = test::must_load(file);
  ASSERT_NE(reloaded, nullptr);
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path private_dir =
      std::filesystem::path(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp") /
      ("blockhealth-plugins-" + std::to_string(geteuid()));
  ASSERT_TRUE(std::filesystem::is_directory(private_dir));
  EXPECT_EQ(std::filesystem::status(private_dir).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  for (const auto& entry : std::filesystem::directory_iterator(private_dir)) {
    EXPECT_FALSE(entry.path().filename().string().starts_with(reloaded->content_hash()))
        << entry.path();
  }
}

}  // namespace
}  // namespace blockhealth
