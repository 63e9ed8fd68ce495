// load_policy_plugin through real .so files: every refusal with its exact
// message, and what a good plugin looks like once loaded.
#include "core/plugins/policy_plugin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/plugins/elf_check.h"
#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::refusal;
using test::test_plugin;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct RefusalCase {
  std::string plugin;
  std::string reason;  // the message is "<path>: <reason>"
};

void PrintTo(const RefusalCase& c, std::ostream* os) {
  *os << c.plugin;
}

class RefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RefusalTest, RefusedWithPathAndReason) {
  const std::filesystem::path file = test_plugin(GetParam().plugin);
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  EXPECT_EQ(refusal(file), file.string() + ": " + GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(
    EveryRefusal, RefusalTest,
    ::testing::Values(
        RefusalCase{"not_elf", "not an ELF file"},
        RefusalCase{"elf_executable", "an ELF executable, not a shared object"},
        RefusalCase{"pie_executable", "a position-independent executable, not a shared object"},
        RefusalCase{"wrong_arch",
                    "built for aarch64, this host is " + elf_machine_name(host_elf_machine())},
        RefusalCase{"missing_entry", "missing symbol bh_policy_entry"},
        RefusalCase{"entry_returns_null", "bh_policy_entry refused this host (ABI 1.1)"},
        RefusalCase{"major_mismatch",
                    "built for policy ABI 2.1, this host has ABI 1.1 (major versions differ)"},
        RefusalCase{"minor_newer",
                    "built for policy ABI 1.2, newer than this host's ABI 1.1; upgrade "
                    "blockhealthd or rebuild the policy against ABI 1.1"},
        RefusalCase{"struct_size_too_small",
                    "bh_policy_v1.struct_size is 16, too small: ABI 1.1 needs at least " +
                        std::to_string(offsetof(bh_policy_v1, manage))},
        RefusalCase{"missing_create", "missing required function create"},
        RefusalCase{"missing_evaluate", "missing required function evaluate"},
        RefusalCase{"invalid_name",
                    "invalid policy name 'Bad-Name': use 1 to 64 characters of [a-z0-9_]"},
        RefusalCase{"null_version", "policy version is NULL"}),
    [](const auto& info) { return info.param.plugin; });

TEST(LoadPolicyPluginTest, BadSchemaIsNotJson) {
  const std::filesystem::path file = test_plugin("bad_schema");
  EXPECT_THAT(refusal(file), StartsWith(file.string() + ": params_schema is not valid JSON: "));
  EXPECT_THAT(refusal(file), HasSubstr("at offset 1"));
}

TEST(LoadPolicyPluginTest, InvalidSchemaIsJsonButNotASchema) {
  const std::filesystem::path file = test_plugin("invalid_schema");
  EXPECT_THAT(refusal(file),
              StartsWith(file.string() + ": params_schema is not a valid JSON Schema: "));
}

TEST(LoadPolicyPluginTest, MissingDependencySurfacesTheLoaderMessage) {
  const std::filesystem::path file = test_plugin("missing_dependency");
  EXPECT_EQ(refusal(file), file.string() +
                               ": cannot load: libblockhealth_test_gone_dependency.so: cannot "
                               "open shared object file: No such file or directory");
}

TEST(LoadPolicyPluginTest, MissingFile) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "absent.so";
  EXPECT_EQ(refusal(file), file.string() + ": cannot open: No such file or directory");
}

TEST(LoadPolicyPluginTest, FolderNamedSoIsNotARegularFile) {
  test::TempDir dir;
  const std::filesystem::path folder = dir.path() / "folder.so";
  std::filesystem::create_directory(folder);
  EXPECT_EQ(refusal(folder), folder.string() + ": not a regular file");
}

TEST(LoadPolicyPluginTest, EmptyFileIsNotElf) {
  test::TempDir dir;
  const std::filesystem::path file = dir.write("empty.so", "");
  EXPECT_EQ(refusal(file), file.string() + ": not an ELF file");
}

TEST(LoadPolicyPluginTest, FileWritableByOthersIsRefused) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "test_echo.so";
  std::filesystem::copy_file(test_plugin("test_echo"), file);
  ASSERT_EQ(chmod(file.c_str(), 0757), 0);
  EXPECT_EQ(refusal(file),
            file.string() + ": writable by others (mode 0757); refusing to load it (chmod o-w)");
}

TEST(LoadPolicyPluginTest, FolderWritableByOthersIsRefused) {
  test::TempDir dir;
  const std::filesystem::path folder = dir.path() / "open";
  std::filesystem::create_directory(folder);
  const std::filesystem::path file = folder / "test_echo.so";
  std::filesystem::copy_file(test_plugin("test_echo"), file);
  ASSERT_EQ(chmod(folder.c_str(), 0777), 0);
  EXPECT_EQ(refusal(file), file.string() + ": its folder " + folder.string() +
                               " is writable by others (mode 0777); refusing to load from it");
}

TEST(LoadPolicyPluginTest, ALinkToAFileInAFolderWritableByOthersIsRefused) {
  test::TempDir dir;
  const std::filesystem::path open = dir.path() / "open";  // like /tmp: 1777
  const std::filesystem::path safe = dir.path() / "plugins";
  std::filesystem::create_directory(open);
  std::filesystem::create_directory(safe);
  const std::filesystem::path real = open / "test_echo.so";
  std::filesystem::copy_file(test_plugin("test_echo"), real);
  ASSERT_EQ(chmod(open.c_str(), 01777), 0);
  const std::filesystem::path link = safe / "test_echo.so";
  std::filesystem::create_symlink(real, link);
  EXPECT_EQ(refusal(link), link.string() + ": its folder " + open.string() +
                               " is writable by others (mode 1777); refusing to load from it");
}

TEST(LoadPolicyPluginTest, GroupWritableIsAccepted) {
  test::TempDir dir;
  const std::filesystem::path file = dir.path() / "test_echo.so";
  std::filesystem::copy_file(test_plugin("test_echo"), file);
  ASSERT_EQ(chmod(file.c_str(), 0775), 0);
  EXPECT_NE(test::must_load(file), nullptr);
}

TEST(LoadPolicyPluginTest, GoodPluginDescribesItself) {
  const std::filesystem::path file = test_plugin("test_echo");
  const PolicyPluginConstSharedPtr plugin = test::must_load(file);
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->name(), "test_echo");
  EXPECT_EQ(plugin->version(), "1.0.0");
  EXPECT_EQ(plugin->description(), "Test policy: the verdict the test_status sample asks for");
  EXPECT_THAT(plugin->params_schema(), HasSubstr("\"prefix\""));
  EXPECT_EQ(plugin->abi_major(), 1U);
  EXPECT_EQ(plugin->abi_minor(), 1U);  // built with the 1.1 SDK
  EXPECT_EQ(plugin->path(), file);
  EXPECT_EQ(plugin->content_hash().size(), 40U);
  EXPECT_EQ(plugin->content_hash().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(plugin->has_manage());
  EXPECT_FALSE(plugin->reentrant());
  EXPECT_NE(plugin->table().create, nullptr);
  EXPECT_NE(plugin->table().evaluate, nullptr);
  EXPECT_NE(plugin->table().destroy, nullptr);
}

TEST(LoadPolicyPluginTest, CPluginWithoutManage) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("test_c_minimal"));
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->name(), "test_c_minimal");
  EXPECT_FALSE(plugin->has_manage());
  EXPECT_EQ(plugin->params_schema(), R"({"type": "object"})");
}

TEST(LoadPolicyPluginTest, PluginWithoutSchemaHasEmptySchema) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("test_fail"));
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->params_schema(), "");
}

TEST(LoadPolicyPluginTest, TableOfAnOlderMinorEndingBeforeManageIsAccepted) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test_plugin("short_table"));
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->name(), "short_table");
  EXPECT_FALSE(plugin->has_manage());
  EXPECT_EQ(plugin->table().manage, nullptr);
  EXPECT_EQ(plugin->table().struct_size, offsetof(bh_policy_v1, manage));
}

TEST(LoadPolicyPluginTest, SameBytesSameHashAndSameMapping) {
  test::TempDir dir;
  const std::filesystem::path copy = dir.path() / "copy.so";
  std::filesystem::copy_file(test_plugin("test_echo"), copy);
  const PolicyPluginConstSharedPtr original = test::must_load(test_plugin("test_echo"));
  const PolicyPluginConstSharedPtr copied = test::must_load(copy);
  ASSERT_NE(original, nullptr);
  ASSERT_NE(copied, nullptr);
  EXPECT_EQ(copied->content_hash(), original->content_hash());
  EXPECT_EQ(copied->table().evaluate, original->table().evaluate);
  EXPECT_EQ(copied->path(), copy);
}

}  // namespace
}  // namespace blockhealth
