// Polling instead of sleeping: wait for a condition with a deadline.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_WAIT_UNTIL_H
#define BLOCKHEALTH_TESTS_SUPPORT_WAIT_UNTIL_H

#include <chrono>
#include <thread>

namespace blockhealth::test {

// Calls `condition` every `poll` until it returns true (returns true) or
// `timeout` passes (returns false). The generous default timeout is a
// deadline for a hung test, not a speed expectation.
template <typename Condition>
bool wait_until(Condition&& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000),
                std::chrono::milliseconds poll = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_WAIT_UNTIL_H
