// GET /v1/plugins: the plugins loaded (built-in and from plugins.dirs), the
// files refused with their reasons, and every policy's state.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

json::value find_by(const json::value& list, const char* key, const std::string& value) {
  for (const json::value& item : list.as_array()) {
    if (str(item, key) == value) return item;
  }
  return nullptr;
}

std::string config(const std::string& plugin_dirs) {
  return plugin_dirs + R"(
defaults:
  interval: 1h
  timeout: 2s
  stale_after: 1h
blocks:
  - id: block
    policies:
      - use: test_echo
        id: echo
      - use: gpu_temperature
)";
}

TEST(PluginsView, ListsLoadedPluginsRefusedFilesAndPolicies) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config(test_plugin_dirs_yaml({"test_echo", "not_elf"})));
  ASSERT_TRUE(daemon.started());
  const HttpReply reply = http_get(daemon.address(), "/v1/plugins");
  ASSERT_EQ(reply.status, 200);
  const json::value body = reply.json();

  const json::value& dirs = body.at("dirs");
  ASSERT_EQ(dirs.as_array().size(), 2u) << body;
  EXPECT_EQ(dirs.at(0).as_string(), (test_plugin_dir() / "test_echo").string());

  const json::value echo = find_by(body.at("plugins"), "name", "test_echo");
  ASSERT_TRUE(echo.is_object()) << body;
  EXPECT_EQ(str(echo, "version"), "1.0.0");
  EXPECT_EQ(str(echo, "abi").rfind("1.", 0), 0u) << echo;
  EXPECT_EQ(str(echo, "path"), (test_plugin_dir() / "test_echo" / "test_echo.so").string());
  EXPECT_FALSE(str(echo, "content_hash").empty()) << echo;
  EXPECT_FALSE(str(echo, "description").empty()) << echo;
  EXPECT_TRUE(echo.at("has_manage").as_bool());
  for (const char* builtin : {"gpu_temperature", "log_pattern", "last_request_age"}) {
    EXPECT_TRUE(find_by(body.at("plugins"), "name", builtin).is_object()) << builtin << body;
  }

  const json::value refused =
      find_by(body.at("refused"), "path", (test_plugin_dir() / "not_elf" / "not_elf.so").string());
  ASSERT_TRUE(refused.is_object()) << body;
  EXPECT_NE(str(refused, "error").find("not an ELF file"), std::string::npos) << refused;

  ASSERT_EQ(body.at("policies").as_array().size(), 2u) << body;
  const json::value state = find_by(body.at("policies"), "id", "echo");
  EXPECT_EQ(str(state, "block_id"), "block");
  EXPECT_EQ(str(state, "use"), "test_echo");
  EXPECT_FALSE(state.at("quarantined").as_bool());
  EXPECT_FALSE(state.as_object().contains("quarantine")) << state;
  for (const char* counter : {"calls", "errors", "timeouts"}) {
    EXPECT_TRUE(state.at(counter).is_number()) << counter;
  }
  EXPECT_TRUE(state.at("busy").is_bool());

  // A reload answers the same refusals.
  const HttpReply reload = http_post(daemon.address(), "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;
  const json::value reload_body = reload.json();
  const json::array& refused_on_reload = reload_body.at("refused_plugins").as_array();
  ASSERT_EQ(refused_on_reload.size(), 1u) << reload.body;
  EXPECT_NE(std::string(refused_on_reload[0].as_string()).find("not an ELF file"),
            std::string::npos);
}

TEST(PluginsView, AWorldWritablePluginFolderIsRefused) {
  TempDir dir;
  const std::filesystem::path open_dir = dir.path() / "open";
  std::filesystem::create_directories(open_dir);
  std::filesystem::copy_file(test_plugin_dir() / "test_echo" / "test_echo.so",
                             open_dir / "test_echo.so");
  ::chmod(open_dir.c_str(), 0777);
  // The block does not need the refused plugin; the daemon starts and says why.
  const std::string yaml = "plugins:\n  dirs: ['" + open_dir.string() + R"(']
defaults:
  interval: 1h
  timeout: 2s
  stale_after: 1h
blocks:
  - id: block
    policies:
      - use: gpu_temperature
)";
  DaemonProcess daemon(dir.path(), yaml);
  ASSERT_TRUE(daemon.started());
  const json::value body = http_get(daemon.address(), "/v1/plugins").json();
  EXPECT_TRUE(find_by(body.at("plugins"), "name", "test_echo").is_null()) << body;
  ASSERT_FALSE(body.at("refused").as_array().empty()) << body;
  EXPECT_NE(str(body.at("refused").at(0), "error").find("writable by others"), std::string::npos)
      << body;

  // A config that uses it fails, naming the policy and why its file was refused.
  const auto bad = dir.write("uses-it.yaml", "plugins:\n  dirs: ['" + open_dir.string() + R"(']
blocks:
  - id: block
    policies:
      - use: test_echo
)");
  const CommandResult check = run_blockhealthd({"check-config", bad.string()});
  EXPECT_EQ(check.exit_code, 1) << check.output;
  EXPECT_NE(check.output.find("no plugin provides policy 'test_echo'"), std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("writable by others"), std::string::npos) << check.output;
}

// Issue 13, finding 7: a refused file whose name is not its policy's (here
// echo-v2.so, writable by others) still comes with its reason when the
// daemon cannot start without the policy.
TEST(PluginsView, StartUpWithoutARefusedPolicySaysWhyItsFileWasRefused) {
  TempDir dir;
  const std::filesystem::path plugins = dir.path() / "plugins";
  std::filesystem::create_directories(plugins);
  const std::filesystem::path file = plugins / "echo-v2.so";
  std::filesystem::copy_file(test_plugin_dir() / "test_echo" / "test_echo.so", file);
  ::chmod(file.c_str(), 0666);
  const std::string yaml = "plugins:\n  dirs: ['" + plugins.string() + R"(']
blocks:
  - id: block
    instances: [{id: n1}]
    policies:
      - use: test_echo
)";
  DaemonProcess daemon(dir.path(), yaml, {}, DaemonProcess::Wait::kSpawned);
  EXPECT_EQ(daemon.wait_exit(), 1) << daemon.log();
  const std::string log = daemon.log();
  EXPECT_NE(log.find("no plugin provides policy 'test_echo'"), std::string::npos) << log;
  EXPECT_NE(log.find("refused plugin files: " + file.string() + ": writable by others"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace blockhealth::test
