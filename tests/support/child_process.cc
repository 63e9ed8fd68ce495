#include "tests/support/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

extern char** environ;

namespace blockhealth::test {

pid_t spawn_process(const std::vector<std::string>& args, const std::filesystem::path& output) {
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

int decode_wait_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

CommandResult run_command(const std::vector<std::string>& args) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "out.txt";
  CommandResult result;
  const pid_t pid = spawn_process(args, out);
  if (pid < 0) return result;
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = decode_wait_status(status);
  std::ifstream in(out);
  result.output.assign(std::istreambuf_iterator<char>(in), {});
  return result;
}

std::filesystem::path prometheus_binary() {
  return source_dir() / ".deps/prometheus/usr/bin/prometheus";
}

std::vector<std::string> prometheus_args(const std::filesystem::path& dir,
                                         const std::string& config_yaml, int port) {
  const std::filesystem::path config = dir / "prometheus.yml";
  std::ofstream(config, std::ios::trunc) << config_yaml;
  return {prometheus_binary().string(), "--config.file=" + config.string(),
          "--storage.tsdb.path=" + (dir / "tsdb").string(),
          "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"};
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

ChildProcess::ChildProcess(const std::vector<std::string>& args,
                           const std::filesystem::path& output)
    : output_(output), pid_(spawn_process(args, output)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || reaped_) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

std::string ChildProcess::output() const {
  std::ifstream in(output_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace blockhealth::test
