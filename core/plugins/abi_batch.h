// The host side of one ABI call: the call context (deadline, cancel flag,
// error buffer), the manage() answer sink, and a batch over plain
// observations. Used by PolicyInstance and the offline harness.
#ifndef BLOCKHEALTH_CORE_PLUGINS_ABI_BATCH_H
#define BLOCKHEALTH_CORE_PLUGINS_ABI_BATCH_H

#include <blockhealth/policy_abi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"
#include "core/model/policy_verdict.h"
#include "core/observations/observation_frame.h"
#include "core/plugins/verdict_buffers.h"

namespace blockhealth {

// The inputs and outputs of one evaluate call over plain observations (the
// offline policy harness and tests; the engine passes frames it keeps
// instead). Built from the same parts the engine uses: an ObservationFrame
// per input and a VerdictBuffers. Not copyable or movable (the arrays point
// into it). Not thread-safe: one call on one thread.
class AbiBatch {
 public:
  static constexpr std::size_t kReasonCapacity = VerdictBuffers::kReasonCapacity;
  static constexpr std::size_t kEvidenceMetricCapacity = VerdictBuffers::kEvidenceMetricCapacity;

  // Builds in[i] from inputs[i] (a null pointer reads as an instance with no
  // data at all); strings that are not clean UTF-8 (NUL bytes included) are
  // passed sanitized, so nothing is truncated silently at a NUL. Pre-fills
  // out[i] as UNKNOWN "not evaluated" with no evidence.
  explicit AbiBatch(std::span<const InstanceObservationsConstSharedPtr> inputs);
  AbiBatch(const AbiBatch&) = delete;
  AbiBatch& operator=(const AbiBatch&) = delete;

  std::size_t size() const { return inputs_.size(); }
  const bh_instance* const* inputs() const { return inputs_.data(); }
  bh_verdict* const* outputs() { return verdicts_.outputs(); }
  std::span<const bh_instance* const> input_span() const { return inputs_; }
  VerdictBuffers& verdict_buffers() { return verdicts_; }

  // out[i] as the daemon's verdict (see VerdictBuffers::read). Call after
  // the plugin returned.
  PolicyVerdict verdict(std::size_t i, std::string_view policy_name);

 private:
  std::vector<ObservationFrameConstSharedPtr> frames_;
  std::vector<const bh_instance*> inputs_;
  VerdictBuffers verdicts_;
};

// One bh_call: the deadline, the cancel flag and the host-owned error
// buffer. Not copyable or movable (bh_call.host_data points at it).
class AbiCall {
 public:
  static constexpr std::size_t kErrorCapacity = 1024;

  // `deadline_ns` on SystemClock's monotonic clock; <= 0 means none.
  // `cancel` may be nullptr and must outlive the call.
  AbiCall(std::int64_t now_ms, std::int64_t deadline_ns, const std::atomic<bool>* cancel);
  AbiCall(const AbiCall&) = delete;
  AbiCall& operator=(const AbiCall&) = delete;

  bh_call* get() { return &call_; }
  // What the plugin wrote into the error buffer, NUL-terminated at its
  // capacity and UTF-8 sanitized.
  std::string error();
  // True once the deadline passed or `cancel` was set: what should_stop
  // answers. Thread-safe.
  bool should_stop() const;

 private:
  bh_call call_{};
  std::int64_t deadline_ns_;
  const std::atomic<bool>* cancel_;
  char error_[kErrorCapacity] = {};
};

// A bh_output that collects a manage() answer, up to kCapacity bytes.
class AbiOutput {
 public:
  static constexpr std::size_t kCapacity = std::size_t{1} << 20;  // 1 MiB

  AbiOutput();
  AbiOutput(const AbiOutput&) = delete;
  AbiOutput& operator=(const AbiOutput&) = delete;

  const bh_output* get() const { return &output_; }
  const std::string& text() const { return text_; }
  bool overflowed() const { return overflowed_; }

 private:
  static void write(const bh_output* out, const char* data, std::size_t size);

  bh_output output_{};
  std::string text_;
  bool overflowed_ = false;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_ABI_BATCH_H
