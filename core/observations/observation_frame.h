// ObservationFrame: one instance's observations laid out the way the policy
// ABI reads them, so that an evaluation passes a pointer instead of copying.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H

#include <blockhealth/policy_abi.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"

namespace blockhealth {

// What a frame is built from: borrowed for the duration of build(). Every
// string must already be valid UTF-8 without NUL bytes (InstanceRecord
// guarantees it for what it stores) except the probe's url and error,
// which are checked, and its body, which is raw bytes.
struct FrameParts {
  std::string_view block_id;
  std::string_view instance_id;
  std::span<const MetricSample> samples;
  // Log lines, oldest first, in up to two runs (a ring's two halves).
  std::span<const LogLine> logs_first;
  std::span<const LogLine> logs_second;
  const ProbeResult* probe = nullptr;  // may be nullptr
  std::int64_t last_seen_ms = 0;
  std::int64_t last_request_ms = 0;
};

// One bh_instance and everything it points to: the sample, label and log
// arrays and one text arena holding every string. Immutable once shared:
// the InstanceRecord that owns it rebuilds it in place only while nobody
// else holds it (use_count() == 1 under the record's lock), else it builds
// a new one. Readers on any thread may use a frame they hold a shared_ptr
// to for as long as they hold it.
class ObservationFrame {
 public:
  ObservationFrame() = default;
  ObservationFrame(const ObservationFrame&) = delete;
  ObservationFrame& operator=(const ObservationFrame&) = delete;

  // Lays out `parts`, reusing this frame's buffers (no allocation once they
  // are large enough). REQUIRES: nobody else reads this frame.
  void build(const FrameParts& parts);

  // Valid as long as the frame is. Every pointer in it points into the
  // frame.
  const bh_instance* abi() const { return &instance_; }
  // Bytes this frame holds on the heap (for memory accounting).
  std::size_t heap_bytes() const;

 private:
  // Appends `s` and a NUL to the arena; returns its offset.
  std::size_t put(std::string_view s);

  bh_instance instance_{};
  bh_probe probe_{};
  std::vector<bh_sample> samples_;
  std::vector<bh_label> labels_;
  std::vector<bh_log_line> logs_;
  std::vector<char> text_;
};
using ObservationFrameConstSharedPtr = std::shared_ptr<const ObservationFrame>;

// A frame of plain observations from anywhere (tests, the offline policy
// harness): strings that are not clean UTF-8, NUL bytes included, are
// sanitized first, so nothing is cut silently at a NUL.
ObservationFrameConstSharedPtr make_frame(const InstanceObservations& observations);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_FRAME_H
