// SourceOptions: how the pull sources (health probes, metrics scrapes, log
// files) run. Member initialisers are the daemon's defaults; tests shorten
// the log timings.
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_OPTIONS_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_OPTIONS_H

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace blockhealth {

// How log files are watched for changes.
enum class LogWatchMode {
  kAuto,     // inotify where available, polling otherwise
  kInotify,  // inotify; a file whose folder cannot be watched falls back to polling
  kPoll,     // stat and read every poll_interval
};

struct SourceOptions {
  // Threads of the one io_context every source runs on (>= 1).
  int threads = 1;
  // Requests (probes and scrapes together) in flight at once across all
  // targets; a tick finding no free slot waits for one, in order.
  std::size_t max_in_flight = 1024;
  // Largest /health body read; a longer one fails the probe ("response body
  // over 64KiB limit"). The block's scrape_body_limit applies when smaller.
  std::uint64_t health_body_limit = std::uint64_t{64} * 1024;
  // Spread each target's first tick over its interval by a hash of its name
  // (stable across reloads). Off: every target starts at once (tests).
  bool jitter = true;

  // Log files.
  LogWatchMode log_watch = LogWatchMode::kAuto;
  // Polling period (kPoll, and for files inotify cannot watch).
  std::chrono::milliseconds log_poll_interval{250};
  // With inotify, a check every this long anyway: a backstop for missed
  // events and the clock for partial lines.
  std::chrono::milliseconds log_backstop_interval{1'000};
  // A last line without its newline is held this long for the rest, then
  // taken as it is.
  std::chrono::milliseconds partial_line_timeout{2'000};
  // A line longer than this is cut to it (ending with "…") and the rest,
  // up to the next newline, dropped. >= 16.
  std::size_t max_line_bytes = 4'096;
  // Bytes read from one file per check; a longer backlog is read over
  // several checks (so one big file never holds up other sources).
  std::size_t max_read_per_check = std::size_t{1} << 20;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_OPTIONS_H
