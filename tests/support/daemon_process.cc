#include "tests/support/daemon_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {

DaemonProcess::DaemonProcess(const std::filesystem::path& dir, const std::string& config_yaml,
                             std::vector<std::string> extra_args, Wait wait,
                             const std::filesystem::path& binary)
    : dir_(dir), config_path_(dir / "blockhealth.yaml"), log_path_(dir / "daemon.log") {
  write_config(config_yaml);
  const std::filesystem::path port_file = dir / "daemon.port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args{
      binary.empty() ? (bin_dir() / "blockhealthd").string() : binary.string(),
      "--config",
      config_path_.string(),
      "--listen",
      "127.0.0.1:0",
      "--port-file",
      port_file.string(),
      "--log-level",
      "debug"};
  for (std::string& a : extra_args) args.push_back(std::move(a));
  pid_ = spawn_process(args, log_path_);
  if (pid_ < 0 || wait == Wait::kSpawned) return;
  const bool up = wait_until([&] {
    if (std::filesystem::exists(port_file)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return true;
    }
    return false;
  });
  std::string address;
  if (!reaped_ && up) {
    std::ifstream in(port_file);
    std::getline(in, address);
  }
  if (wait == Wait::kListening) {
    if (!reaped_) address_ = address;
    if (address_.empty()) ADD_FAILURE() << "blockhealthd did not start; its log:\n" << log();
    return;
  }
  // Started means ready: the port file is written before the daemon
  // answers, and a test must not signal or query a daemon still starting.
  const bool ready = !address.empty() && wait_until([&] {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return true;
    }
    return http_get(address, "/readyz").status == 200;
  });
  if (ready && !reaped_) address_ = address;
  if (address_.empty()) ADD_FAILURE() << "blockhealthd did not start; its log:\n" << log();
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void DaemonProcess::write_config(const std::string& config_yaml) const {
  const std::filesystem::path tmp = config_path_.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << config_yaml;
  }
  std::filesystem::rename(tmp, config_path_);
}

void DaemonProcess::signal(int signo) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, signo);
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  int code = -1;
  const bool done = wait_until(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          code = decode_wait_status(status);
          return true;
        }
        return false;
      },
      timeout);
  if (!done) return std::nullopt;
  reaped_ = true;
  return code;
}

std::string DaemonProcess::log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

CommandResult run_blockhealthd(const std::vector<std::string>& args) {
  std::vector<std::string> argv{(bin_dir() / "blockhealthd").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

}  // namespace blockhealth::test
