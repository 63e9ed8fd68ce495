// Counters and the lateness and duration distributions of the pull
// sources, for tests, the benchmark and operators (SourceManager::stats()).
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace blockhealth {

// Percentiles over the most recent DurationWindow::kWindow values, in
// microseconds; count and max since the last reset.
struct DurationSummary {
  std::uint64_t count = 0;
  std::int64_t p50_us = 0;
  std::int64_t p90_us = 0;
  std::int64_t p99_us = 0;
  std::int64_t max_us = 0;
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
  // When probes and scrapes actually started minus when they were due
  // (waiting for an in-flight slot included).
  DurationSummary lateness;
  // How long they took, to the last byte or the failure.
  DurationSummary duration;
};

// A bounded window of durations. Thread-safe.
class DurationWindow {
 public:
  static constexpr std::size_t kWindow = 1 << 16;
  void record(std::int64_t us);
  DurationSummary summary() const;
  void reset();

 private:
  mutable std::mutex mu_;
  std::vector<std::int64_t> window_;  // ring; GUARDED_BY(mu_)
  std::size_t next_ = 0;              // GUARDED_BY(mu_)
  std::uint64_t count_ = 0;           // GUARDED_BY(mu_)
  std::int64_t max_ = 0;              // GUARDED_BY(mu_)
};

// The counters behind SourceStats. Thread-safe: every member may be used
// from any thread.
struct SourceCounters {
  std::atomic<std::uint64_t> started{0};
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> skipped_ticks{0};
  std::atomic<std::uint64_t> connections_opened{0};
  std::atomic<std::uint64_t> log_lines{0};
  DurationWindow lateness;
  DurationWindow duration;

  // Zeroes everything (e.g. after a benchmark's warm-up).
  void reset();
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_STATS_H
