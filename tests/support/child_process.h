// Child processes for tests: the real daemon (daemon_process.h) and the
// real counterparts it is tested against (Prometheus, Alertmanager).
#ifndef BLOCKHEALTH_TESTS_SUPPORT_CHILD_PROCESS_H
#define BLOCKHEALTH_TESTS_SUPPORT_CHILD_PROCESS_H

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace blockhealth::test {

// Starts args[0] with stdout and stderr appended to `output`, stdin from
// /dev/null. The child keeps no other descriptor: a test's listening sockets
// (webhook receivers, fake instances; Asio does not mark them close-on-exec)
// must not live on in the child. It is killed when the thread that started
// it ends (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind;
// tests start children from their own (main) thread. -1 on failure (the
// test has failed then).
pid_t spawn_process(const std::vector<std::string>& args, const std::filesystem::path& output);

// A waitpid status as an exit code; a death by signal is 128 + signal.
int decode_wait_status(int status);

// A loopback TCP port free a moment ago, for a counterpart that cannot
// bind port 0 and say which it got (Prometheus). 0 when none was found.
int free_loopback_port();

// Runs args[0] to completion (spawn_process); the exit code (-1 when it
// could not start) and what it wrote to stdout and stderr (merged).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult run_command(const std::vector<std::string>& args);

// Debian's Prometheus, unpacked into .deps/ by scripts/install-deps.sh;
// a test skips when it does not exist.
std::filesystem::path prometheus_binary();
// The command line of that Prometheus on `config_yaml` (written to
// <dir>/prometheus.yml), its TSDB in <dir>/tsdb, listening on
// 127.0.0.1:<port>, logging warnings only.
std::vector<std::string> prometheus_args(const std::filesystem::path& dir,
                                         const std::string& config_yaml, int port);

// A child started by spawn_process, killed (SIGKILL) and reaped when this
// goes away.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const std::filesystem::path& output);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // False once it exited (it is reaped then).
  bool running();
  // What it wrote so far.
  std::string output() const;

 private:
  std::filesystem::path output_;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_CHILD_PROCESS_H
