// InstanceRecord: the mutable, bounded state the store keeps for one
// instance, and its immutable snapshot for evaluation.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/model/observation.h"
#include "core/model/policy_verdict.h"
#include "core/observations/instance_key.h"
#include "core/observations/observation_frame.h"
#include "core/observations/observation_limits.h"
#include "core/util/result.h"

namespace blockhealth {

// Last time anything was heard of an instance (Unix ms, 0 = never). Shared
// with read paths (the HTTP views) that load it without locking.
using LastSeenCell = std::atomic<std::int64_t>;
using LastSeenCellConstSharedPtr = std::shared_ptr<const LastSeenCell>;

// Told when a record gets new observations or its sources' state changes,
// so the engine visits only the blocks with news. raise() is called on the
// ingesting thread with the record's lock held: it must be quick, must not
// block and must not call back into the record. Thread-safe.
class NewsSink {
 public:
  virtual ~NewsSink() = default;
  virtual void raise() = 0;
};
using NewsSinkSharedPtr = std::shared_ptr<NewsSink>;

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
  // `text` says whether its strings still need the UTF-8 check (kUnchecked)
  // or are known valid UTF-8 without NUL bytes (kValidUtf8: the Prometheus
  // parser's output); lengths are checked either way.
  enum class Text { kUnchecked, kValidUtf8 };
  Result<void> replace_samples(std::span<const MetricSample> samples, std::int64_t now_ms,
                               Text text = Text::kUnchecked);

  // Drops the samples (e.g. the source went stale) without touching logs.
  void clear_samples();

  // Appends lines (sanitized to valid UTF-8 and cut to the line limit),
  // evicting the oldest past the ring size.
  void append_logs(std::span<const std::string> lines, std::int64_t now_ms);

  // Stores the last /health probe. `judged`, when given, is the built-in
  // check's verdict on it (judge_health_probe), which the source computed
  // already: the engine reads it instead of judging again.
  void record_probe(ProbeResult probe, std::optional<PolicyVerdict> judged = std::nullopt);
  void record_request(std::int64_t time_ms);

  // Marks the instance as heard from at `now_ms` (monotone: never goes back).
  void touch(std::int64_t now_ms);

  // Records how a pull source is doing (replacing the previous status of the
  // same `source` name). Does not count as an observation.
  void set_source_status(SourceStatus status);
  // Forgets the status of a source that is no longer configured.
  void clear_source_status(const std::string& source);
  std::vector<SourceStatus> source_statuses() const;  // sorted by source name

  // A plain copy of the current state (tests, tools). Allocates; the
  // engine reads frame() instead.
  InstanceObservationsConstSharedPtr snapshot() const;

  // The current observations as the policy ABI reads them: the record's
  // own storage, shared. Costs a lock and a reference count. A frame held
  // stays as it was: the next change copies it first (copy on write), so
  // let go of it as soon as the call that reads it returns. Before the
  // first observation it is a new empty frame each time (allocated: the
  // case of an instance never heard from).
  ObservationFrameConstSharedPtr frame() const;

  // Grows with every change of the observations of the kinds in `inputs`
  // (BH_INPUT_* bits; 0 = every kind, last seen included): an evaluation
  // that saw generation g of its kinds has seen everything of them up to
  // it. Lock-free.
  std::uint64_t generation(std::uint32_t inputs = 0) const;
  // Grows whenever a source's ok/message changes or a source is forgotten
  // (not with every successful check). Lock-free.
  std::uint64_t source_generation() const {
    return source_generation_.load(std::memory_order_acquire);
  }

  // Calls fn(const ProbeResult&, const PolicyVerdict* judged) under the
  // record's lock when the last probe finished after `after_ms` (judged is
  // nullptr when the source gave no verdict); returns whether it did. `fn`
  // must be quick and must not call back into the record.
  template <typename Fn>
  bool with_probe_after(std::int64_t after_ms, Fn&& fn) const {
    std::lock_guard lock(mu_);
    const ProbeResult* probe = frame_ ? frame_->probe() : nullptr;
    if (probe == nullptr || probe->time_ms <= after_ms) return false;
    fn(*probe, probe_verdict_.get());
    return true;
  }

  // Where news of this record goes (nullptr: nowhere). The engine sets it
  // when it takes the instance on and again after a reload.
  void set_news_sink(NewsSinkSharedPtr sink);

  const InstanceKey& key() const { return key_; }
  // When anything was last observed of the instance (pushes, scrapes,
  // probes, failed ones included: staleness reads it). 0 = never.
  LastSeenCellConstSharedPtr last_seen_cell() const { return {cells_, &cells_->seen}; }
  // When the instance last reported: a push, a scrape that answered, a
  // probe that got an HTTP answer (not a refused or timed-out one). AIOS's
  // "lastMetrics" age reads it. 0 = never.
  LastSeenCellConstSharedPtr last_reported_cell() const { return {cells_, &cells_->reported}; }
  void set_limits(const ObservationLimits& limits);

  // Bytes this record holds on the heap beyond its own object (memory
  // accounting; approximate: container capacities and string buffers).
  std::size_t heap_bytes() const;

 private:
  // Checks `samples` against the limits and returns them clean: `in`
  // itself when every string is valid UTF-8 within max_string_bytes (no
  // copy), else sanitized copies in `storage`. REQUIRES: mu_ held.
  Result<std::span<const MetricSample>> clean_samples(std::span<const MetricSample> in,
                                                      std::vector<MetricSample>& storage,
                                                      Text text = Text::kUnchecked) const;
  // The frame to change: copied first when an evaluation holds it.
  // REQUIRES: mu_ held.
  ObservationFrame& writable_frame();
  // REQUIRES: mu_ held. Moves last seen (and last reported when
  // `reported`) forward to now_ms.
  void touch_locked(std::int64_t now_ms, bool reported = true);
  // REQUIRES: mu_ held. Marks the observations changed and tells the sink.
  void changed_locked(std::uint32_t inputs);  // BH_INPUT_* bits changed (0: only last seen)

  const InstanceKey key_;
  struct SeenCells {  // one allocation for both, shared with views
    LastSeenCell seen{0};
    LastSeenCell reported{0};
  };
  const std::shared_ptr<SeenCells> cells_;

  mutable std::mutex mu_;
  ObservationLimits limits_;           // GUARDED_BY(mu_)
  std::vector<SourceStatus> sources_;  // GUARDED_BY(mu_)
  NewsSinkSharedPtr news_;             // GUARDED_BY(mu_)
  // Samples, logs, probe, request time: the storage. Null until the first
  // observation; replaced by a copy when written while shared.
  // GUARDED_BY(mu_)
  std::shared_ptr<ObservationFrame> frame_;
  // The source's verdict on the last probe (probed instances only).
  std::unique_ptr<PolicyVerdict> probe_verdict_;  // GUARDED_BY(mu_)
  // Changes by kind (samples, logs, probe, last request) and of anything
  // at all (last seen included). Written under mu_.
  std::atomic<std::uint64_t> samples_generation_{0};
  std::atomic<std::uint64_t> logs_generation_{0};
  std::atomic<std::uint64_t> probe_generation_{0};
  std::atomic<std::uint64_t> request_generation_{0};
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> source_generation_{0};  // written under mu_
};
using InstanceRecordSharedPtr = std::shared_ptr<InstanceRecord>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_RECORD_H
