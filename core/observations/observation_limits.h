// Bounds on what the store keeps per instance, so that no source (push,
// scrape, log file) can grow the daemon's memory without limit.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_LIMITS_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_LIMITS_H

#include <cstddef>

namespace blockhealth {

struct ObservationLimits {
  std::size_t max_series = 10'000;         // distinct (name, labels) per instance
  std::size_t max_labels_per_sample = 64;  // more is refused
  std::size_t max_string_bytes = 1024;     // metric/label names and values; longer is cut
  std::size_t max_log_lines = 1'000;       // log ring size; the oldest line goes first
  std::size_t max_log_line_bytes = 4'096;  // longer lines are cut (and end with "…")
  std::size_t max_probe_body_bytes = std::size_t{64} * 1024;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_LIMITS_H
