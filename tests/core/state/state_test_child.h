// Running test code in a forked child process: to crash it for real, or to
// drop root privileges without touching the test process.
#ifndef BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_CHILD_H
#define BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_CHILD_H

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace blockhealth::test {

// What a child left behind: its wait status and everything it wrote to the pipe.
struct ChildOutcome {
  int wait_status = 0;
  std::string output;
};

// Forks; the child runs `body(write_fd)` and _exits with its return value
// (no destructors, no atexit: like a crash after the last write). The parent
// collects the pipe's content until the child closes it, then reaps it.
// REQUIRES: no other thread of this process is running.
ChildOutcome run_in_child(const std::function<int(int write_fd)>& body);

// Writes all of `text` to `fd`; false on error.
bool write_all(int fd, const std::string& text);

// Reads from `fd` until `enough(read_so_far)` or EOF or `deadline`; returns
// what was read. Polls with a timeout: no sleeping.
std::string read_until(int fd, const std::function<bool(const std::string&)>& enough,
                       std::chrono::steady_clock::time_point deadline);

// The uid/gid the unprivileged children run as ("nobody").
inline constexpr unsigned kNobodyId = 65534;

// Runs `body` as an unprivileged user in a child process (root drops to
// nobody; anyone else stays who they are) and returns what it returned, or
// nullopt when the child could not drop privileges or died.
std::optional<std::string> run_unprivileged(const std::function<std::string()>& body);

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_STATE_STATE_TEST_CHILD_H
