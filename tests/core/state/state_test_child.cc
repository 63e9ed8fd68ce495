#include "tests/core/state/state_test_child.h"

#include <grp.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace blockhealth::test {

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_until(int fd, const std::function<bool(const std::string&)>& enough,
                       std::chrono::steady_clock::time_point deadline) {
  std::string out;
  char buf[4096];
  while (!enough(out)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: the child is gone
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

ChildOutcome run_in_child(const std::function<int(int write_fd)>& body) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, "pipe failed"};
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {-1, "fork failed"};
  }
  if (pid == 0) {
    ::close(fds[0]);
    ::_exit(body(fds[1]));
  }
  ::close(fds[1]);
  ChildOutcome outcome;
  outcome.output = read_until(
      fds[0], [](const std::string&) { return false; },
      std::chrono::steady_clock::now() + std::chrono::seconds(60));
  ::close(fds[0]);
  while (::waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

std::optional<std::string> run_unprivileged(const std::function<std::string()>& body) {
  constexpr int kCannotDrop = 77;
  const ChildOutcome outcome = run_in_child([&](int fd) {
    if (::geteuid() == 0) {
      if (::setgroups(0, nullptr) != 0 || ::setresgid(kNobodyId, kNobodyId, kNobodyId) != 0 ||
          ::setresuid(kNobodyId, kNobodyId, kNobodyId) != 0) {
        return kCannotDrop;
      }
    }
    return write_all(fd, body()) ? 0 : 1;
  });
  if (!WIFEXITED(outcome.wait_status) || WEXITSTATUS(outcome.wait_status) != 0) return {};
  return outcome.output;
}

}  // namespace blockhealth::test
