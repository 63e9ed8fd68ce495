#include "core/plugins/abi_batch.h"

#include <cstring>
#include <limits>
#include <optional>

#include "core/model/status.h"
#include "core/util/clock.h"
#include "core/util/text.h"

namespace blockhealth {

// ---------------------------------------------------------------------------
// AbiBatch

AbiBatch::AbiBatch(std::span<const InstanceObservationsConstSharedPtr> inputs) {
  static const InstanceObservations no_observations;
  frames_.reserve(inputs.size());
  inputs_.reserve(inputs.size());
  for (const auto& in : inputs) {
    frames_.push_back(make_frame(in != nullptr ? *in : no_observations));
    inputs_.push_back(frames_.back()->abi());
  }
  verdicts_.reset(inputs.size());
}

PolicyVerdict AbiBatch::verdict(std::size_t i, std::string_view policy_name) {
  return verdicts_.read(i, policy_name).to_verdict();
}

// ---------------------------------------------------------------------------
// AbiCall

namespace {

int32_t call_should_stop(const bh_call* call) {
  const auto* self = static_cast<const AbiCall*>(call->host_data);
  return self->should_stop() ? 1 : 0;
}

}  // namespace

AbiCall::AbiCall(std::int64_t now_ms, std::int64_t deadline_ns, const std::atomic<bool>* cancel)
    : deadline_ns_(deadline_ns), cancel_(cancel) {
  call_.struct_size = sizeof(bh_call);
  call_.now_ms = now_ms;
  call_.deadline_ns = deadline_ns > 0 ? deadline_ns : std::numeric_limits<std::int64_t>::max();
  call_.should_stop = &call_should_stop;
  call_.error = error_;
  call_.error_capacity = kErrorCapacity;
  call_.host_data = this;
}

bool AbiCall::should_stop() const {
  if (cancel_ != nullptr && cancel_->load(std::memory_order_acquire)) return true;
  return deadline_ns_ > 0 && SystemClock::instance().monotonic_ns() >= deadline_ns_;
}

std::string AbiCall::error() {
  error_[kErrorCapacity - 1] = '\0';
  return sanitize_utf8(error_);
}

// ---------------------------------------------------------------------------
// AbiOutput

AbiOutput::AbiOutput() {
  output_.host_data = this;
  output_.write = &AbiOutput::write;
}

void AbiOutput::write(const bh_output* out, const char* data, std::size_t size) {
  auto* self = static_cast<AbiOutput*>(out->host_data);
  if (data == nullptr || size == 0 || self->overflowed_) return;
  try {
    const std::size_t room = kCapacity - self->text_.size();
    if (size > room) {
      self->overflowed_ = true;
      return;
    }
    self->text_.append(data, size);
  } catch (...) {  // nothing may unwind into the plugin
    self->overflowed_ = true;
  }
}

}  // namespace blockhealth
