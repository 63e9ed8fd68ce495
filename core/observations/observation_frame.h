// ObservationFrame: one instance's observations, stored the way the policy
// ABI reads them, so that an evaluation passes a pointer instead of copying
// and an update writes in place.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H

#include <blockhealth/policy_abi.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"

namespace blockhealth {

class ObservationFrame;
using ObservationFrameConstSharedPtr = std::shared_ptr<const ObservationFrame>;

// One bh_instance and everything it points to: the sample, label and log
// arrays and the text they point into, all owned here. The frame is the
// InstanceRecord's storage: the record changes it in place while nobody
// else holds it, and clones it first when an evaluation does (copy on
// write), so a frame a reader holds never changes under it.
//
// Not thread-safe: the mutators run under the owning record's lock on an
// unshared frame; a shared frame is read only. Every string stored is
// valid UTF-8 without NUL bytes (the record sanitizes before storing) but
// the probe body, which is raw bytes.
class ObservationFrame {
 public:
  ObservationFrame(std::string_view block_id, std::string_view instance_id);
  ObservationFrame(const ObservationFrame& other);  // a deep copy, pointers into itself
  ObservationFrame& operator=(const ObservationFrame&) = delete;

  // The ABI view. Valid as long as the frame is and until its next change.
  const bh_instance* abi() const { return &instance_; }
  std::string_view block_id() const { return block_id_; }
  std::string_view instance_id() const { return instance_id_; }
  // Bytes this frame holds on the heap (memory accounting).
  std::size_t heap_bytes() const;

  // --- Samples: the latest sample of each series (a name and a label set,
  // label order ignored).
  std::size_t sample_count() const { return samples_.size(); }
  // The identity of `s`'s series (a hash of its name and labels, sorted).
  static std::uint64_t series_hash(const MetricSample& s);
  // The index of the stored series equal to `s`'s (same hash, name and
  // labels), or -1.
  int find_series(const MetricSample& s, std::uint64_t hash) const;
  // Writes a new value and timestamp for series `index`.
  void set_sample_value(std::size_t index, double value, std::int64_t timestamp_ms);
  // Appends a series (its strings copied). REQUIRES: not stored yet.
  void append_sample(const MetricSample& s, std::uint64_t hash, std::int64_t timestamp_ms);
  // Replaces every sample with `samples` (the last of a series wins);
  // `hashes[i]` is series_hash(samples[i]); `default_ts` stamps samples
  // without a timestamp. Returns the number of series kept.
  std::size_t replace_samples(std::span<const MetricSample> samples,
                              std::span<const std::uint64_t> hashes, std::int64_t default_ts);
  void clear_samples();

  // --- Logs: a ring of at most `max_lines`, oldest first.
  std::size_t log_count() const { return log_lines_.size() - log_start_; }
  void append_log(std::string_view text, std::int64_t time_ms, std::size_t max_lines);
  // Keeps the newest `max_lines`.
  void trim_logs(std::size_t max_lines);

  // --- The rest.
  void set_probe(const ProbeResult& probe);
  const ProbeResult* probe() const { return probe_ ? &probe_->copy : nullptr; }
  void set_last_seen(std::int64_t ms) { instance_.last_seen_ms = ms; }
  void set_last_request(std::int64_t ms) { instance_.last_request_ms = ms; }

  // A plain copy (tests, tools).
  InstanceObservations to_observations() const;

 private:
  // Appends `s` and a NUL to `arena`; returns the offset of its first byte.
  static std::size_t put(std::vector<char>& arena, std::string_view s);
  // Points instance_ at the arrays again and rebases every pointer of a
  // section whose buffer moved (a realloc, a copy).
  void rebase_samples(const char* old_text, const bh_label* old_labels);
  void rebase_logs(const char* old_text);
  void refresh_instance();
  void compact_logs();

  std::string block_id_;
  std::string instance_id_;
  bh_instance instance_{};

  std::vector<bh_sample> samples_;
  std::vector<std::uint64_t> hashes_;  // samples_[i]'s series_hash
  std::vector<bh_label> labels_;
  std::vector<char> sample_text_;

  // Lines from log_start_ on are the ring; older ones wait for compaction.
  std::vector<bh_log_line> log_lines_;
  std::vector<char> log_text_;
  std::size_t log_start_ = 0;

  // The last probe, for probed instances only (most are not).
  struct StoredProbe {
    ProbeResult copy;  // owns the strings abi points to
    bh_probe abi{};
  };
  std::unique_ptr<StoredProbe> probe_;
};

// A frame of plain observations from anywhere (tests, the offline policy
// harness): strings that are not clean UTF-8, NUL bytes included, are
// sanitized first, so nothing is cut silently at a NUL.
ObservationFrameConstSharedPtr make_frame(const InstanceObservations& observations);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H
