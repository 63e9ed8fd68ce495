#include "core/engine/policy_call.h"

#include "core/util/clock.h"

namespace blockhealth {

void PolicyCall::run(std::int64_t start_ns) {
  const std::size_t n = records.size();
  generations.resize(n);
  frames.resize(n);
  inputs.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    // The generation first: the frame holds at least what it counts.
    generations[i] = records[i]->generation(input_kinds);
    frames[i] = records[i]->frame();
    inputs[i] = frames[i]->abi();
  }
  const CallLimits limits{now_ms, start_ns + std::chrono::nanoseconds(timeout).count(), &cancel};
  Result<void> done = handle->instance->evaluate(inputs, verdicts, limits);
  // Let go of the frames at once: a record copies a frame that is still held
  // before it changes it.
  frames.clear();
  inputs.clear();
  duration_us = (SystemClock::instance().monotonic_ns() - start_ns) / 1000;
  handle->busy.store(false);
  ok = static_cast<bool>(done);
  if (!ok) error = done.error().message;
}

void PolicyCall::release() {
  records.clear();
  slots.clear();
  frames.clear();
  inputs.clear();
  handle.reset();
  error.clear();
  ok = false;
  cancel.store(false);
}

bool EvalJob::run() {
  const std::uint64_t n = calls_.size();
  while (true) {
    std::uint64_t s = state_.load(std::memory_order_acquire);
    if ((s & kAbandoned) != 0) return false;
    const std::uint64_t claimed = s & kCountMask;
    if (claimed == n) {
      if (state_.compare_exchange_strong(s, s | kDone, std::memory_order_acq_rel)) return true;
      continue;
    }
    // The start time goes first, so whoever sees the claim sees a start
    // time at least as recent as this call's.
    const std::int64_t start = SystemClock::instance().monotonic_ns();
    started_ns_.store(start, std::memory_order_release);
    if (!state_.compare_exchange_strong(s, s + 1, std::memory_order_acq_rel)) continue;
    calls_[claimed]->run(start);
  }
}

int EvalJob::running(std::int64_t* since_ns) const {
  const std::uint64_t s = state_.load(std::memory_order_acquire);
  const std::uint64_t claimed = s & kCountMask;
  if ((s & (kAbandoned | kDone)) != 0 || claimed == 0) return -1;
  *since_ns = started_ns_.load(std::memory_order_acquire);
  return static_cast<int>(claimed - 1);
}

int EvalJob::abandon() {
  std::uint64_t s = state_.load(std::memory_order_acquire);
  while ((s & (kAbandoned | kDone)) == 0 && (s & kCountMask) > 0) {
    if (state_.compare_exchange_weak(s, s | kAbandoned, std::memory_order_acq_rel)) {
      return static_cast<int>((s & kCountMask) - 1);
    }
  }
  return -1;
}

}  // namespace blockhealth
