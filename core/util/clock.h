// Clock: the daemon's source of time, injectable so tests control it.
#ifndef BLOCKHEALTH_CORE_UTIL_CLOCK_H
#define BLOCKHEALTH_CORE_UTIL_CLOCK_H

#include <atomic>
#include <chrono>
#include <cstdint>

namespace blockhealth {

// Thread-safe: implementations may be called from any thread concurrently.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t wall_ms() const = 0;       // Unix epoch milliseconds
  virtual std::int64_t monotonic_ns() const = 0;  // arbitrary epoch, never goes back
};

class SystemClock final : public Clock {
 public:
  std::int64_t wall_ms() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::int64_t monotonic_ns() const override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  // The process-wide instance; lives for the whole program.
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock tests move by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t wall_ms = 1'800'000'000'000) : wall_ms_(wall_ms) {}
  std::int64_t wall_ms() const override { return wall_ms_.load(); }
  std::int64_t monotonic_ns() const override { return mono_ns_.load(); }
  void advance_ms(std::int64_t ms) {
    wall_ms_ += ms;
    mono_ns_ += ms * 1'000'000;
  }

 private:
  std::atomic<std::int64_t> wall_ms_;
  std::atomic<std::int64_t> mono_ns_{1'000'000'000};
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_CLOCK_H
