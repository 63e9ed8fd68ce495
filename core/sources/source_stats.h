// Counters and the lateness distribution of the pull sources, for tests,
// the benchmark and operators (SourceManager::stats()).
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace blockhealth {

// Lateness = when a probe or scrape actually started minus when it was
// scheduled, in microseconds, over the most recent kWindow starts.
struct LatenessSummary {
  std::uint64_t count = 0;  // starts measured since the last reset (not only the window)
  std::int64_t p50_us = 0;
  std::int64_t p90_us = 0;
  std::int64_t p99_us = 0;
  std::int64_t max_us = 0;  // since the last reset
};

struct SourceStats {
  std::size_t http_targets = 0;  // health and metrics URLs being pulled
  std::size_t log_files = 0;     // log files being followed
  std::size_t in_flight = 0;     // requests now in flight
  std::size_t waiting = 0;       // ticks waiting for an in-flight slot
  std::size_t peak_in_flight = 0;
  std::uint64_t started = 0;        // probes and scrapes started
  std::uint64_t completed = 0;      // ... and finished, whatever the outcome
  std::uint64_t failed = 0;         // ... of which failed (no usable answer)
  std::uint64_t skipped_ticks = 0;  // ticks dropped: the previous one was still running
  std::uint64_t connections_opened = 0;
  std::uint64_t log_lines = 0;  // lines appended from log files
  LatenessSummary lateness;
};

// The counters behind SourceStats. Thread-safe: every method may be called
// from any thread.
class SourceCounters {
 public:
  static constexpr std::size_t kWindow = 1 << 16;

  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> skipped_ticks{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> log_lines{0};

  void record_lateness(std::int64_t lateness_us);
  LatenessSummary lateness() const;
  // Zeroes the counters above and forgets the lateness seen so far.
  void reset();

 private:
  mutable std::mutex mu_;
  std::vector<std::int64_t> window_;  // ring; GUARDED_BY(mu_)
  std::size_t next_ = 0;              // GUARDED_BY(mu_)
  std::uint64_t count_ = 0;           // GUARDED_BY(mu_)
  std::int64_t max_ = 0;              // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H
