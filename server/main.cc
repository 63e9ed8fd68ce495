// blockhealthd: the command line.
//   blockhealthd [--config FILE] [--listen HOST:PORT] [--port-file FILE]
//                [--plugins-dir DIR]... [--log-format text|json] [--log-level L]
//   blockhealthd check-config [FILE]
//   blockhealthd plugins inspect FILE.so
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "core/config/config_loader.h"
#include "core/engine/engine_plan.h"
#include "core/plugins/plugin_inspect.h"
#include "core/policy_cases/case_file.h"
#include "core/policy_cases/case_runner.h"
#include "core/util/clock.h"
#include "server/daemon.h"
#include "server/logging.h"
#include "server/policy_scaffold.h"
#include "server/version.h"

namespace {

namespace fs = std::filesystem;
using blockhealth::server::kBlockhealthVersion;

// <dir of this executable>/../lib/blockhealth/plugins, the built-in
// policies in both the build tree and an installed tree.
fs::path builtin_plugin_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "lib/blockhealth/plugins";
  return (exe.parent_path() / ".." / "lib" / "blockhealth" / "plugins").lexically_normal();
}

// --config's default: the example in a source checkout, else /etc.
fs::path default_config() {
  if (fs::exists("examples/blockhealth.yaml")) return "examples/blockhealth.yaml";
  return "/etc/blockhealth/blockhealth.yaml";
}

int check_config(const fs::path& file, const std::vector<fs::path>& plugin_dirs) {
  auto plan =
      blockhealth::plan_from_file(file, plugin_dirs, nullptr, blockhealth::SystemClock::instance());
  if (!plan) {
    std::cerr << plan.error().message << "\n" << file.string() << ": configuration is invalid\n";
    return 1;
  }
  std::size_t policies = 0;
  for (const auto& b : (*plan)->blocks) policies += b.policies.size();
  for (const auto& p : (*plan)->catalog->problems()) std::cerr << "warning: " << p.message << "\n";
  std::cout << file.string() << ": OK (" << (*plan)->blocks.size() << " blocks, " << policies
            << " policies, " << (*plan)->catalog->plugins().size() << " plugins)\n";
  return 0;
}

// `blockhealthd test CASES.yaml`: 0 when every test passes, 1 when one
// does not, 2 when the file or its policy cannot be used.
int test_cases(const fs::path& file, const std::vector<fs::path>& plugin_dirs) {
  auto text = blockhealth::read_config_text(file);
  if (!text) {
    std::cerr << text.error().message << "\n";
    return 2;
  }
  auto cases = blockhealth::read_case_file(*text, file.string(), fs::absolute(file).parent_path());
  if (!cases) {
    std::cerr << cases.error().message << "\n" << file.string() << ": cases are invalid\n";
    return 2;
  }
  auto report = blockhealth::run_cases(*cases, file.string(), plugin_dirs);
  if (!report) {
    std::cerr << report.error().message << "\n";
    return 2;
  }
  (report->failed == 0 ? std::cout : std::cerr) << report->text;
  return report->failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // One malloc arena for every thread unless the operator set
  // MALLOC_ARENA_MAX: the configuration is parsed on one thread and the
  // engine's state built on another, and with an arena per thread the
  // parse tree's freed pages stay with the first one (at 10,000 instances
  // ~25 MiB of RSS). Hot paths do not allocate, so the shared arena's lock
  // costs nothing measurable (bench/RESULTS.md).
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 1);
  // Past a file size limit (RLIMIT_FSIZE, ulimit -f) a write fails with
  // EFBIG, as on a full disk, instead of killing the daemon: the state
  // store keeps what it could not write for later.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"blockhealthd: decides whether the instances of AI-serving blocks are healthy"};
  app.set_version_flag("--version", std::string("blockhealthd ") + kBlockhealthVersion);
  std::string config = default_config().string();
  std::string log_format = "text";
  std::string log_level = "info";
  std::string listen;
  std::string port_file;
  std::string mgmt_port_file;
  std::vector<std::string> plugin_dirs;
  app.add_option("-c,--config", config, "Configuration file (YAML)")->capture_default_str();
  app.add_option("--listen", listen, "Override server.listen, e.g. 127.0.0.1:0");
  app.add_option("--port-file", port_file, "Write the bound host:port to this file once listening");
  app.add_option("--mgmt-port-file", mgmt_port_file,
                 "Write the aios.mgmt_listen listener's bound host:port to this file");
  app.add_option("--plugins-dir", plugin_dirs,
                 "Extra plugin folder searched before the config's plugins.dirs (repeatable)");
  app.add_option("--log-format", log_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");

  std::string check_file;
  CLI::App* check = app.add_subcommand("check-config", "Validate a configuration and exit 0/1");
  check->add_option("file", check_file, "Configuration file (default: --config)");

  std::string cases_file;
  CLI::App* test = app.add_subcommand(
      "test", "Run a policy on recorded cases (CASES.yaml) and compare its statuses; exit 0/1");
  test->add_option("file", cases_file, "Cases file (YAML)")->required();

  std::string new_name;
  std::string new_lang = "cpp";
  std::string new_dir;
  CLI::App* policy = app.add_subcommand("policy", "Policy authors' tools");
  CLI::App* policy_new =
      policy->add_subcommand("new",
                             "Write an out-of-tree policy project that builds and passes "
                             "its recorded cases as written");
  policy_new->add_option("name", new_name, "Policy name ([a-z0-9_]+)")->required();
  policy_new->add_option("--lang", new_lang, "c or cpp")->check(CLI::IsMember({"c", "cpp"}));
  policy_new->add_option("--dir", new_dir, "Folder to write (default: ./NAME)");
  policy->require_subcommand(1);

  std::string inspect_file;
  CLI::App* plugins = app.add_subcommand("plugins", "Plugin tools");
  CLI::App* inspect = plugins->add_subcommand("inspect", "Show what the host sees in a policy .so");
  inspect->add_option("file", inspect_file, "Policy shared object")->required();
  plugins->require_subcommand(1);

  CLI11_PARSE(app, argc, argv);

  if (auto logging = blockhealth::server::setup_logging(log_format, log_level); !logging) {
    std::cerr << logging.error().message << "\n";
    return 2;
  }
  std::vector<fs::path> dirs{builtin_plugin_dir()};
  for (const std::string& d : plugin_dirs) dirs.insert(dirs.begin(), fs::absolute(d));

  if (*inspect) {
    const auto result = blockhealth::inspect_plugin(inspect_file);
    (result.ok ? std::cout : std::cerr) << result.text;
    return result.ok ? 0 : 1;
  }
  if (*policy_new) {
    const fs::path dir = new_dir.empty() ? fs::path(new_name) : fs::path(new_dir);
    auto written = blockhealth::server::write_policy_project(new_name, new_lang, dir);
    if (!written) {
      std::cerr << written.error().message << "\n";
      return 1;
    }
    for (const fs::path& f : *written) std::cout << "wrote " << f.string() << "\n";
    std::cout << "next: cmake -S " << dir.string() << " -B " << (dir / "build").string()
              << " -DCMAKE_PREFIX_PATH=<SDK prefix> && cmake --build " << (dir / "build").string()
              << " && (cd " << dir.string() << " && blockhealthd test CASES.yaml)\n";
    return 0;
  }
  if (*test) {
    spdlog::set_level(spdlog::level::warn);
    return test_cases(cases_file, dirs);
  }
  if (*check) {
    spdlog::set_level(spdlog::level::warn);
    return check_config(check_file.empty() ? fs::path(config) : fs::path(check_file), dirs);
  }
  blockhealth::server::DaemonOptions options;
  options.config_path = config;
  options.builtin_plugin_dirs = dirs;
  if (!listen.empty()) options.listen = listen;
  if (!port_file.empty()) options.port_file = port_file;
  if (!mgmt_port_file.empty()) options.mgmt_port_file = mgmt_port_file;
  return blockhealth::server::run_daemon(options);
}
