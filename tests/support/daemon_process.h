// DaemonProcess: the real blockhealthd, started for a test on a free
// loopback port (the daemon binds port 0 and writes the address to a file).
#ifndef BLOCKHEALTH_TESTS_SUPPORT_DAEMON_PROCESS_H
#define BLOCKHEALTH_TESTS_SUPPORT_DAEMON_PROCESS_H

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/child_process.h"

namespace blockhealth::test {

class DaemonProcess {
 public:
  // How far the constructor waits.
  enum class Wait {
    kReady,    // until GET /readyz answers 200 (started() then true)
    kSpawned,  // not at all: the process runs, started() is false
    // Until it wrote its port file (started() then true), not asking
    // /readyz: for a listener the test reaches its own way (HTTPS).
    kListening,
  };
  // Writes `config_yaml` to <dir>/blockhealth.yaml and starts the daemon
  // with --listen 127.0.0.1:0. Extra command-line arguments may be given.
  // With Wait::kReady, fails the current test (and started() is false)
  // when it does not come up ready. `binary`: another blockhealthd than the
  // build's (an installed one).
  DaemonProcess(const std::filesystem::path& dir, const std::string& config_yaml,
                std::vector<std::string> extra_args = {}, Wait wait = Wait::kReady,
                const std::filesystem::path& binary = {});
  // Kills the daemon if it still runs (SIGKILL) and reaps it.
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool started() const { return !address_.empty(); }
  const std::string& address() const { return address_; }  // "127.0.0.1:PORT"
  pid_t pid() const { return pid_; }
  const std::filesystem::path& config_path() const { return config_path_; }

  // Rewrites the config file (for reload tests).
  void write_config(const std::string& config_yaml) const;
  void signal(int signo) const;
  // Waits for the process to exit; its exit code, or nullopt on timeout.
  // A death by signal returns 128 + signal.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything the daemon logged so far.
  std::string log() const;

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_path_;
  std::filesystem::path log_path_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::string address_;
};

// Runs `blockhealthd <args>` to completion (run_command).
CommandResult run_blockhealthd(const std::vector<std::string>& args);

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_DAEMON_PROCESS_H
