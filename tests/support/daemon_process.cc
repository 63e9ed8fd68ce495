#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

extern char** environ;

namespace blockhealth::test {
namespace {

// Starts args[0] with stdout and stderr appended to `output`, stdin from
// /dev/null. The child keeps no other descriptor: a test's listening sockets
// (webhook receivers, fake instances; Asio does not mark them close-on-exec)
// must not live on in the daemon. It is killed when the thread that started
// it ends (PR_SET_PDEATHSIG), so a crashed test leaves no daemon behind;
// tests start daemons from their own (main) thread.
pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& output) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const std::string out = output.string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << args[0] << ": " << std::strerror(errno);
    return -1;
  }
  if (pid == 0) {  // only async-signal-safe calls from here
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the test is already gone
    const int log = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log < 0 || in < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv.data(), environ);
    constexpr char kFailed[] = "daemon_process: execve failed\n";
    [[maybe_unused]] const auto n = ::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
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
                             std::vector<std::string> extra_args, Wait wait)
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
