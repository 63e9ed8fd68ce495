// PluginCatalog::scan over real folders of real .so files.
#include "core/plugins/plugin_catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::test_plugin;
using test::test_plugin_folder;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> names(const PluginCatalog& catalog) {
  std::vector<std::string> out;
  for (const auto& plugin : catalog.plugins()) out.push_back(plugin->name());
  return out;
}

TEST(PluginCatalogTest, GoodPluginsLoadNextToRefusedOnes) {
  const PluginCatalog catalog = PluginCatalog::scan({
      test_plugin_folder("test_echo"),
      test_plugin_folder("not_elf"),
      test_plugin_folder("wrong_arch"),
      test_plugin_folder("missing_entry"),
      test_plugin_folder("major_mismatch"),
      test_plugin_folder("test_c_minimal"),
  });
  EXPECT_THAT(names(catalog), ElementsAre("test_echo", "test_c_minimal"));
  ASSERT_EQ(catalog.problems().size(), 4U);
  EXPECT_EQ(catalog.problems()[0].path, test_plugin("not_elf"));
  EXPECT_EQ(catalog.problems()[0].message, test_plugin("not_elf").string() + ": not an ELF file");
  EXPECT_EQ(catalog.problems()[1].path, test_plugin("wrong_arch"));
  EXPECT_THAT(catalog.problems()[1].message, HasSubstr("built for aarch64"));
  EXPECT_EQ(catalog.problems()[2].message,
            test_plugin("missing_entry").string() + ": missing symbol bh_policy_entry");
  EXPECT_THAT(catalog.problems()[3].message, HasSubstr("(major versions differ)"));
  ASSERT_NE(catalog.find("test_echo"), nullptr);
  EXPECT_EQ(catalog.find("test_echo")->path(), test_plugin("test_echo"));
  EXPECT_EQ(catalog.find("gpu_temperature"), nullptr);
}

TEST(PluginCatalogTest, DuplicateNameKeepsTheFirstAndNamesBothPaths) {
  const PluginCatalog catalog = PluginCatalog::scan(
      {test_plugin_folder("duplicate_name_a"), test_plugin_folder("duplicate_name_b")});
  ASSERT_EQ(catalog.plugins().size(), 1U);
  EXPECT_EQ(catalog.plugins()[0]->path(), test_plugin("duplicate_name_a"));
  ASSERT_EQ(catalog.problems().size(), 1U);
  EXPECT_EQ(catalog.problems()[0].path, test_plugin("duplicate_name_b"));
  EXPECT_EQ(catalog.problems()[0].message,
            test_plugin("duplicate_name_b").string() +
                ": policy name 'duplicate_name' is already provided by " +
                test_plugin("duplicate_name_a").string());
}

TEST(PluginCatalogTest, MissingFolderIsAProblem) {
  test::TempDir dir;
  const std::filesystem::path missing = dir.path() / "nope";
  const PluginCatalog catalog = PluginCatalog::scan({missing, test_plugin_folder("test_fail")});
  EXPECT_THAT(names(catalog), ElementsAre("test_fail"));
  ASSERT_EQ(catalog.problems().size(), 1U);
  EXPECT_EQ(catalog.problems()[0].path, missing);
  EXPECT_EQ(catalog.problems()[0].message, missing.string() + ": plugin folder does not exist");
}

TEST(PluginCatalogTest, FileGivenAsFolderIsAProblem) {
  const PluginCatalog catalog = PluginCatalog::scan({test_plugin("test_fail")});
  EXPECT_TRUE(catalog.plugins().empty());
  ASSERT_EQ(catalog.problems().size(), 1U);
  EXPECT_EQ(catalog.problems()[0].message,
            test_plugin("test_fail").string() + ": plugin folder is not a folder");
}

TEST(PluginCatalogTest, WorldWritableFolderLoadsNothing) {
  test::TempDir dir;
  const std::filesystem::path folder = dir.path() / "open";
  std::filesystem::create_directory(folder);
  std::filesystem::copy_file(test_plugin("test_echo"), folder / "test_echo.so");
  ASSERT_EQ(chmod(folder.c_str(), 0777), 0);
  const PluginCatalog catalog = PluginCatalog::scan({folder});
  EXPECT_TRUE(catalog.plugins().empty());
  ASSERT_EQ(catalog.problems().size(), 1U);
  EXPECT_EQ(catalog.problems()[0].message,
            folder.string() +
                ": plugin folder is writable by others (mode 0777); none of its plugins is loaded");
}

TEST(PluginCatalogTest, WorldWritableFileIsRefusedOthersLoad) {
  test::TempDir dir;
  std::filesystem::copy_file(test_plugin("test_echo"), dir.path() / "a.so");
  std::filesystem::copy_file(test_plugin("test_fail"), dir.path() / "b.so");
  ASSERT_EQ(chmod((dir.path() / "a.so").c_str(), 0757), 0);
  const PluginCatalog catalog = PluginCatalog::scan({dir.path()});
  EXPECT_THAT(names(catalog), ElementsAre("test_fail"));
  ASSERT_EQ(catalog.problems().size(), 1U);
  EXPECT_THAT(catalog.problems()[0].message, HasSubstr("a.so: writable by others (mode 0757)"));
}

TEST(PluginCatalogTest, OnlySoFilesSortedByName) {
  test::TempDir dir;
  std::filesystem::copy_file(test_plugin("test_fail"), dir.path() / "b.so");
  std::filesystem::copy_file(test_plugin("test_echo"), dir.path() / "a.so");
  std::filesystem::copy_file(test_plugin("test_hang"), dir.path() / "c.so.disabled");
  dir.write("README.txt", "not a plugin");
  std::filesystem::create_directory(dir.path() / "nested");
  std::filesystem::copy_file(test_plugin("test_throw"), dir.path() / "nested" / "d.so");
  const PluginCatalog catalog = PluginCatalog::scan({dir.path()});
  EXPECT_THAT(names(catalog), ElementsAre("test_echo", "test_fail"));
  EXPECT_TRUE(catalog.problems().empty());
}

TEST(PluginCatalogTest, NoFoldersNoPlugins) {
  const PluginCatalog catalog = PluginCatalog::scan({});
  EXPECT_TRUE(catalog.plugins().empty());
  EXPECT_TRUE(catalog.problems().empty());
}

}  // namespace
}  // namespace blockhealth
