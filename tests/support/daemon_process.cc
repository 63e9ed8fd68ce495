#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

extern char** environ;

namespace blockhealth::test {
namespace {

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // The child gets only stdin/stdout/stderr: a test's listening sockets
  // (webhook receivers, fake instances; Asio does not mark them
  // close-on-exec) must not live on in the daemon after the test closes them.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << args[0] << ": " << std::strerror(rc);
    return -1;
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

DaemonProcess::DaemonProcess(const std::filesystem::path& dir, const std::string& config_yaml,
                             std::vector<std::string> extra_args)
    : dir_(dir), config_path_(dir / "blockhealth.yaml"), log_path_(dir / "daemon.log") {
  write_config(config_yaml);
  const std::filesystem::path port_file = dir / "daemon.port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args{(bin_dir() / "blockhealthd").string(),
                                "--config",
                                config_path_.string(),
                                "--listen",
                                "127.0.0.1:0",
                                "--port-file",
                                port_file.string(),
                                "--log-level",
                                "debug"};
  for (std::string& a : extra_args) args.push_back(std::move(a));
  pid_ = spawn(args, log_path_);
  if (pid_ < 0) return;
  const bool up = wait_until([&] {
    if (std::filesystem::exists(port_file)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      reaped_ = true;
      return true;
    }
    return false;
  });
  if (!reaped_ && up) {
    std::ifstream in(port_file);
    std::getline(in, address_);
  }
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
          code = decode_status(status);
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
  TempDir dir;
  const std::filesystem::path out = dir.path() / "out.txt";
  std::vector<std::string> argv{(bin_dir() / "blockhealthd").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult result;
  const pid_t pid = spawn(argv, out);
  if (pid < 0) return result;
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = decode_status(status);
  std::ifstream in(out);
  result.output.assign(std::istreambuf_iterator<char>(in), {});
  return result;
}

}  // namespace blockhealth::test
