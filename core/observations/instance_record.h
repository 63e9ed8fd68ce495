// InstanceRecord: the mutable, bounded state the store keeps for one
// instance, and its immutable snapshot for evaluation.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/observation.h"
#include "core/observations/instance_key.h"
#include "core/observations/observation_limits.h"
#include "core/util/result.h"

namespace blockhealth {

// Last time anything was heard of an instance (Unix ms, 0 = never). Shared
// with read paths (the HTTP views) that load it without locking.
using LastSeenCell = std::atomic<std::int64_t>;
using LastSeenCellConstSharedPtr = std::shared_ptr<const LastSeenCell>;

// Thread-safe: every method may be called concurrently; each takes the
// record's own mutex. Every mutation is all-or-nothing: on error nothing
// changes.
class InstanceRecord {
 public:
  InstanceRecord(InstanceKey key, const ObservationLimits& limits);

  // Merges samples: each replaces the previous sample of its series (same
  // name and label set, label order ignored); samples without a timestamp
  // get `now_ms`. Error when the series limit would be exceeded or a sample
  // has too many labels.
  Result<void> merge_samples(std::span<const MetricSample> samples, std::int64_t now_ms);

  // Replaces every sample with `samples` (a scrape is a full picture).
  Result<void> replace_samples(std::span<const MetricSample> samples, std::int64_t now_ms);

  // Drops the samples (e.g. the source went stale) without touching logs.
  void clear_samples();

  // Appends lines (sanitized to valid UTF-8 and cut to the line limit),
  // evicting the oldest past the ring size.
  void append_logs(std::span<const std::string> lines, std::int64_t now_ms);

  void record_probe(ProbeResult probe);
  void record_request(std::int64_t time_ms);

  // Marks the instance as heard from at `now_ms` (monotone: never goes back).
  void touch(std::int64_t now_ms);

  // Records how a pull source is doing (replacing the previous status of the
  // same `source` name). Does not count as an observation.
  void set_source_status(SourceStatus status);
  // Forgets the status of a source that is no longer configured.
  void clear_source_status(const std::string& source);
  std::vector<SourceStatus> source_statuses() const;  // sorted by source name

  // An immutable copy of the current state; rebuilt only after a change, so
  // calling it every tick is cheap.
  InstanceObservationsConstSharedPtr snapshot() const;

  LastSeenCellConstSharedPtr last_seen_cell() const { return last_seen_; }
  void set_limits(const ObservationLimits& limits);

 private:
  Result<std::vector<MetricSample>> normalize(std::span<const MetricSample> samples,
                                              std::int64_t now_ms) const;
  void touch_locked(std::int64_t now_ms);

  const InstanceKey key_;
  const std::shared_ptr<LastSeenCell> last_seen_;

  mutable std::mutex mu_;
  ObservationLimits limits_;                             // GUARDED_BY(mu_)
  std::vector<MetricSample> samples_;                    // GUARDED_BY(mu_)
  std::unordered_map<std::string, std::size_t> series_;  // key -> index; GUARDED_BY(mu_)
  std::deque<LogLine> logs_;                             // GUARDED_BY(mu_)
  std::optional<ProbeResult> probe_;                     // GUARDED_BY(mu_)
  std::int64_t last_request_ms_ = 0;                     // GUARDED_BY(mu_)
  std::vector<SourceStatus> sources_;                    // GUARDED_BY(mu_)
  mutable InstanceObservationsConstSharedPtr snapshot_;  // GUARDED_BY(mu_); null = dirty
};
using InstanceRecordSharedPtr = std::shared_ptr<InstanceRecord>;

// The identity of a series: name plus labels sorted by name.
std::string series_key(const MetricSample& sample);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H
