// blockhealthd's command line: --version, check-config, plugins inspect,
// and start-up failures that name their cause.
#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

constexpr const char* kGoodConfig = R"(
defaults:
  interval: 5s
blocks:
  - id: gemma3-27b-block
    instances:
      - id: in-vkkv
    policies:
      - use: gpu_temperature
        with: { warn_celsius: 83 }
)";

// Line 6 has a duration without a unit.
constexpr const char* kBadConfig = R"(
defaults:
  interval: 5s
blocks:
  - id: gemma3-27b-block
    timeout: fast
    policies:
      - use: gpu_temperature
)";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Cli, VersionPrintsTheVersion) {
  const CommandResult result = run_blockhealthd({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex(R"(^blockhealthd \d+\.\d+\.\d+)")))
      << result.output;
}

// The manual page (docs/blockhealthd.8, installed to man8) names every
// option and command the program has.
TEST(Cli, TheManualPageNamesEveryOptionAndCommand) {
  const std::string page = read_file(source_dir() / "docs/blockhealthd.8");
  ASSERT_FALSE(page.empty());
  // In roff source a '-' is written "\-".
  std::string plain;
  for (std::size_t i = 0; i < page.size(); ++i) {
    if (page[i] == '\\' && i + 1 < page.size() && page[i + 1] == '-') continue;
    plain += page[i];
  }
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"},
                                               {"check-config", "--help"},
                                               {"plugins", "--help"},
                                               {"test", "--help"},
                                               {"policy", "new", "--help"}}) {
    const CommandResult help = run_blockhealthd(args);
    ASSERT_EQ(help.exit_code, 0) << help.output;
    const std::regex option(R"((--[a-z][a-z-]+))");
    for (auto it = std::sregex_iterator(help.output.begin(), help.output.end(), option);
         it != std::sregex_iterator(); ++it) {
      EXPECT_NE(plain.find((*it)[1].str()), std::string::npos) << (*it)[1].str();
    }
  }
  for (const char* command : {"check-config", "plugins inspect", "test", "policy new"}) {
    EXPECT_NE(plain.find(command), std::string::npos) << command;
  }
}

TEST(Cli, CheckConfigOnAGoodFileExits0) {
  TempDir dir;
  const auto file = dir.write("good.yaml", kGoodConfig);
  const CommandResult result = run_blockhealthd({"check-config", file.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ": OK (1 blocks, 1 policies, "))
      << result.output;
}

TEST(Cli, CheckConfigOnABadFileExits1WithFileLineColumn) {
  TempDir dir;
  const auto file = dir.write("bad.yaml", kBadConfig);
  const CommandResult result = run_blockhealthd({"check-config", file.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ":6:14: block 'gemma3-27b-block': timeout: "
                                                      "expected a duration like 5s"))
      << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ": configuration is invalid"))
      << result.output;
}

TEST(Cli, CheckConfigReadsAlertmanagerActions) {
  TempDir dir;
  const std::string block = std::string(kGoodConfig) +
                            "    on_transition:\n"
                            "      - alertmanager: http://alertmanager:9093\n"
                            "        labels: { severity: page }\n"
                            "        resend_every: 30s\n";
  const auto good = dir.write("good.yaml", block);
  const CommandResult ok = run_blockhealthd({"check-config", good.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(contains(ok.output, good.string() + ": OK (1 blocks, 1 policies, ")) << ok.output;

  const auto bad = dir.write("bad.yaml", block + "        to: [unhealthy, ok]\n");
  const CommandResult refused = run_blockhealthd({"check-config", bad.string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, bad.string() +
                                           ":15:25: on_transition #1 in block "
                                           "'gemma3-27b-block': to: ok cannot fire an alert"))
      << refused.output;
}

TEST(Cli, CheckConfigUsesTheConfigOptionWithoutAFile) {
  TempDir dir;
  const auto file = dir.write("bad.yaml", kBadConfig);
  const CommandResult result = run_blockhealthd({"--config", file.string(), "check-config"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ":6:14: ")) << result.output;
}

TEST(Cli, CheckConfigOnAMissingFileExits1) {
  TempDir dir;
  const auto file = dir.path() / "absent.yaml";
  const CommandResult result = run_blockhealthd({"check-config", file.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, file.string())) << result.output;
}

TEST(Cli, PluginsInspectShowsABuiltInPolicy) {
  const auto file = plugin_dir() / "gpu_temperature.so";
  const CommandResult result = run_blockhealthd({"plugins", "inspect", file.string()});
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(contains(result.output, "name:         gpu_temperature\n")) << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex(R"(version:\s+\d+\.\d+\.\d+)")))
      << result.output;
  EXPECT_TRUE(std::regex_search(result.output, std::regex(R"(abi:\s+1\.\d+ \(host 1\.\d+\))")))
      << result.output;
  EXPECT_TRUE(contains(result.output, "params_schema:")) << result.output;
}

TEST(Cli, PluginsInspectRefusesANonElfFile) {
  const auto file = test_plugin_dir() / "not_elf" / "not_elf.so";
  const CommandResult result = run_blockhealthd({"plugins", "inspect", file.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "not an ELF file")) << result.output;
  EXPECT_TRUE(contains(result.output, file.string())) << result.output;
}

TEST(Cli, APolicyThatNoPluginProvidesFailsStartupNamingIt) {
  TempDir dir;
  const auto file = dir.write("blockhealth.yaml", R"(
blocks:
  - id: b
    policies:
      - use: gpu_temprature
)");
  const CommandResult result =
      run_blockhealthd({"--config", file.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "no plugin provides policy 'gpu_temprature'"))
      << result.output;
  EXPECT_TRUE(contains(result.output, "(loaded: ")) << result.output;
  EXPECT_TRUE(contains(result.output, "gpu_temperature")) << result.output;
  EXPECT_TRUE(contains(result.output, "log_pattern")) << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ":5:")) << result.output;
}

TEST(Cli, ABadListenOverrideFailsStartup) {
  TempDir dir;
  const auto file = dir.write("blockhealth.yaml", kGoodConfig);
  const CommandResult result =
      run_blockhealthd({"--config", file.string(), "--listen", "127.0.0.1:notaport"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, "--listen: bad port in '127.0.0.1:notaport'"))
      << result.output;
}

TEST(Cli, ABadConfigFailsStartupWithFileLineColumn) {
  TempDir dir;
  const auto file = dir.write("blockhealth.yaml", kBadConfig);
  const CommandResult result =
      run_blockhealthd({"--config", file.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_TRUE(contains(result.output, file.string() + ":6:14: ")) << result.output;
}

}  // namespace
}  // namespace blockhealth::test
