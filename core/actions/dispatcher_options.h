// DispatcherOptions: the knobs of action delivery (see docs/actions.md),
// and the retry rules that follow from them.
#ifndef BLOCKHEALTH_CORE_ACTIONS_DISPATCHER_OPTIONS_H
#define BLOCKHEALTH_CORE_ACTIONS_DISPATCHER_OPTIONS_H

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace blockhealth {

// Asked before each repeated notification (repeat_after) whether it may go
// out; false skips it (the next one is due repeat_after later). The daemon
// answers false while the instance is in maintenance or silenced, holds the
// engine sets after the transition was notified. Called on the dispatcher's
// thread with the dispatcher's lock held: must be thread-safe and quick,
// and must not call the dispatcher.
using RepeatGate = std::function<bool(std::string_view block, std::string_view instance)>;

// Whether an instance still exists (configured, or registered over HTTP).
// Asked before an `alertmanager:` action's alert is re-sent: an instance
// that is gone has its alert resolved and forgotten. Same rules as
// RepeatGate: dispatcher's thread, its lock held, quick, thread-safe.
using InstanceKnown = std::function<bool(std::string_view block, std::string_view instance)>;

struct DispatcherOptions {
  // Retry delays after a failed attempt: base, 2*base, 4*base... capped.
  // The delay after attempt n (1-based) is min(cap, base * 2^(n-1)).
  std::chrono::milliseconds backoff_base{1'000};
  std::chrono::milliseconds backoff_cap{300'000};
  // A delivery is given up after this many attempts, or when it is older
  // than max_age when an attempt is due (it is then not sent at all: a late
  // failure-policy call could act on an instance that has long recovered).
  int max_attempts = 10;
  std::chrono::milliseconds max_age{24LL * 3600 * 1000};
  // Deliveries pending at once (in memory and in the outbox); a new one
  // beyond it is dropped, logged and counted (result="dropped").
  std::size_t max_pending = 10'000;
  // POSTs in flight at once, over all actions. Whatever this is, one
  // (instance, action) pair never has two in flight.
  std::size_t max_in_flight = 8;
  // The most of a response body read (kept for error messages); a longer
  // body is not an error, the status line decides.
  std::uint64_t response_body_limit = std::uint64_t{64} * 1024;
  RepeatGate repeat_gate;  // empty: repeats always go out
  // Empty: every instance is taken to exist.
  InstanceKnown instance_known;
};

// What to do after one attempt.
enum class AttemptVerdict { kDelivered, kRetry, kGiveUp };

// 2xx: delivered. 4xx other than 408 (timeout) and 429 (too many
// requests): give up now, the receiver refused the body and will refuse it
// again. Anything else (no answer, timeout, 1xx/3xx/5xx, 408, 429): retry.
// `http_status` is 0 when there was no answer.
AttemptVerdict judge_attempt(int http_status);

// The delay before the next attempt after `attempts` (>= 1) attempts:
// min(cap, base * 2^(attempts-1)).
std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap, int attempts);
inline std::chrono::milliseconds backoff_delay(const DispatcherOptions& options, int attempts) {
  return backoff_delay(options.backoff_base, options.backoff_cap, attempts);
}

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_DISPATCHER_OPTIONS_H
