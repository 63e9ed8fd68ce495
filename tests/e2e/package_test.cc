// Issue 12: the Debian package (cmake/Packaging.cmake). cpack makes it from
// this build tree; dpkg installs it into a fresh root with a database of its
// own (the system's packages are untouched); the installed daemon runs on
// the installed default config and finds the installed built-in policies;
// the package is removed and purged cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace fs = std::filesystem;

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

// The package names of a Depends: field ("a (>= 1), b | c" -> a, b).
std::vector<std::string> depended_packages(const std::string& depends) {
  std::vector<std::string> names;
  std::istringstream in(depends);
  for (std::string item; std::getline(in, item, ',');) {
    const auto start = item.find_first_not_of(" \n");
    if (start == std::string::npos) continue;
    const auto end = item.find_first_of(" (|\n", start);
    names.push_back(item.substr(start, end == std::string::npos ? end : end - start));
  }
  return names;
}

class Package : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* tool : {"/usr/bin/cpack", "/usr/bin/dpkg", "/usr/bin/dpkg-deb"}) {
      if (!fs::exists(tool)) GTEST_SKIP() << "no " << tool;
    }
    const CommandResult made =
        run_command({"/usr/bin/cpack", "-G", "DEB", "--config",
                     (binary_dir() / "CPackConfig.cmake").string(), "-B", dir_.path().string()});
    ASSERT_EQ(made.exit_code, 0) << made.output;
    for (const auto& entry : fs::directory_iterator(dir_.path())) {
      if (entry.path().extension() == ".deb") deb_ = entry.path();
    }
    ASSERT_FALSE(deb_.empty()) << made.output;
  }

  // dpkg on the fresh root: its own database, maintainer scripts run
  // outside a chroot with DPKG_ROOT set (the scripts then leave the running
  // system alone), dependencies checked against the host separately.
  CommandResult dpkg(std::vector<std::string> args) const {
    std::vector<std::string> argv{"/usr/bin/dpkg", "--root=" + root_.string(),
                                  "--force-script-chrootless", "--force-depends",
                                  "--log=" + (dir_.path() / "dpkg.log").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
  }

  void make_fresh_root() const {
    for (const char* d : {"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"}) {
      fs::create_directories(root_ / d);
    }
    std::ofstream(root_ / "var/lib/dpkg/status").flush();
  }

  TempDir dir_;
  fs::path deb_;
  fs::path root_ = dir_.path() / "root";
};

TEST_F(Package, NamesItsFilesAndDependsOnInstalledPackages) {
  const CommandResult contents = run_command({"/usr/bin/dpkg-deb", "--contents", deb_.string()});
  ASSERT_EQ(contents.exit_code, 0) << contents.output;
  for (const char* path :
       {"./usr/bin/blockhealthd", "./usr/lib/blockhealth/plugins/gpu_temperature.so",
        "./usr/lib/blockhealth/plugins/log_pattern.so",
        "./usr/lib/blockhealth/plugins/last_request_age.so",
        "./usr/lib/blockhealth/plugins/metric_threshold.so", "./usr/share/man/man8/blockhealthd.8",
        "./usr/lib/systemd/system/blockhealthd.service", "./etc/blockhealth/blockhealth.yaml",
        "./usr/include/blockhealth/policy.hpp", "./usr/include/blockhealth/policy_abi.h",
        "./usr/lib/cmake/blockhealth/blockhealthConfig.cmake",
        "./usr/share/doc/blockhealth/operations.md"}) {
    EXPECT_NE(contents.output.find(std::string(path) + "\n"), std::string::npos) << path;
  }
  EXPECT_EQ(contents.output.find("/usr/local/"), std::string::npos) << contents.output;

  const CommandResult depends =
      run_command({"/usr/bin/dpkg-deb", "--field", deb_.string(), "Depends"});
  ASSERT_EQ(depends.exit_code, 0) << depends.output;
  EXPECT_GE(depended_packages(depends.output).size(), 5U)  // dpkg-shlibdeps found them
      << depends.output;
  // Satisfied by what this system has installed (versions, virtual packages).
  if (fs::exists("/usr/bin/dpkg-checkbuilddeps")) {
    const CommandResult met =
        run_command({"/usr/bin/dpkg-checkbuilddeps", "-d", depends.output, "/dev/null"});
    EXPECT_EQ(met.exit_code, 0) << met.output;
  }
}

TEST_F(Package, InstallsIntoAFreshRootRunsAndPurges) {
  make_fresh_root();
  const CommandResult installed = dpkg({"--install", deb_.string()});
  ASSERT_EQ(installed.exit_code, 0) << installed.output;
  const CommandResult status = dpkg({"--status", "blockhealth"});
  EXPECT_TRUE(has_line(status.output, "Status: install ok installed")) << status.output;
  const CommandResult conffiles =
      run_command({"/usr/bin/dpkg-query", "--admindir=" + (root_ / "var/lib/dpkg").string(),
                   "--show", "--showformat=${Conffiles}", "blockhealth"});
  EXPECT_NE(conffiles.output.find("/etc/blockhealth/blockhealth.yaml"), std::string::npos)
      << conffiles.output;

  // The unit starts the installed binary on the installed config.
  const std::string unit = read_file(root_ / "usr/lib/systemd/system/blockhealthd.service");
  EXPECT_NE(unit.find("ExecStart=/usr/bin/blockhealthd --config /etc/blockhealth/blockhealth.yaml"),
            std::string::npos)
      << unit;
  EXPECT_TRUE(has_line(unit, "Type=notify")) << unit;
  if (fs::exists("/usr/bin/systemd-analyze")) {
    // Verified with the binary where this root has it.
    std::string moved = unit;
    const std::string from = "ExecStart=/usr/bin/blockhealthd";
    moved.replace(moved.find(from), from.size(),
                  "ExecStart=" + (root_ / "usr/bin/blockhealthd").string());
    const fs::path copy = dir_.write("unit/blockhealthd.service", moved);
    const CommandResult verified =
        run_command({"/usr/bin/systemd-analyze", "verify", copy.string()});
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
  }

  const fs::path binary = root_ / "usr/bin/blockhealthd";
  const fs::path config = root_ / "etc/blockhealth/blockhealth.yaml";
  const CommandResult checked = run_command({binary.string(), "check-config", config.string()});
  EXPECT_EQ(checked.exit_code, 0) << checked.output;

  {
    TempDir run;
    fs::create_directories(run.path() / "state");
    ::setenv("STATE_DIRECTORY", (run.path() / "state").c_str(), 1);
    DaemonProcess daemon(run.path(), read_file(config), {}, DaemonProcess::Wait::kReady, binary);
    ::unsetenv("STATE_DIRECTORY");
    ASSERT_TRUE(daemon.started()) << daemon.log();
    const HttpReply plugins = http_get(daemon.address(), "/v1/plugins");
    ASSERT_EQ(plugins.status, 200) << plugins.body;
    const boost::json::value answer = plugins.json();
    std::vector<std::string> names;
    for (const boost::json::value& p : answer.at("plugins").as_array()) {
      const std::string path(p.at("path").as_string());
      EXPECT_EQ(path.rfind((root_ / "usr/lib/blockhealth/plugins").string(), 0), 0U) << path;
      names.emplace_back(p.at("name").as_string());
    }
    EXPECT_EQ(names.size(), 4U) << plugins.body;
    EXPECT_TRUE(answer.at("refused").as_array().empty()) << plugins.body;
    EXPECT_TRUE(fs::exists(run.path() / "state/blockhealth.db")) << daemon.log();
    daemon.signal(SIGTERM);
    EXPECT_EQ(daemon.wait_exit(), 0) << daemon.log();
  }

  const CommandResult removed = dpkg({"--remove", "blockhealth"});
  ASSERT_EQ(removed.exit_code, 0) << removed.output;
  EXPECT_FALSE(fs::exists(binary));
  EXPECT_FALSE(fs::exists(root_ / "usr/lib/blockhealth/plugins/gpu_temperature.so"));
  EXPECT_TRUE(fs::exists(config)) << "a removed package keeps its conffile";
  fs::create_directories(root_ / "var/lib/private/blockhealth");
  const CommandResult purged = dpkg({"--purge", "blockhealth"});
  ASSERT_EQ(purged.exit_code, 0) << purged.output;
  EXPECT_FALSE(fs::exists(config));
  EXPECT_FALSE(fs::exists(root_ / "var/lib/private/blockhealth")) << "purge removes the state";
}

}  // namespace
}  // namespace blockhealth::test
