// PolicyTracker: hysteresis over the stream of one policy's results for one
// instance.
#ifndef BLOCKHEALTH_CORE_ENGINE_POLICY_TRACKER_H
#define BLOCKHEALTH_CORE_ENGINE_POLICY_TRACKER_H

#include <cstdint>

#include "core/config/config.h"
#include "core/model/policy_verdict.h"

namespace blockhealth {

// Consecutive results of `s` needed to switch to it: healthy_after for OK,
// degraded_after for WARN, unhealthy_after for CRITICAL and for UNKNOWN (an
// unreadable policy is as bad as a failing one, and as slow to count).
int threshold_for(const Thresholds& thresholds, Status s);

// The effective status switches to S after `threshold_for(thresholds, S)`
// consecutive raw results of status S. While it holds, its reason and
// evidence follow the latest raw result of that same status.
//
// Not thread-safe: owned and used by the engine thread only.
class PolicyTracker {
 public:
  explicit PolicyTracker(Thresholds thresholds) : thresholds_(thresholds) {}

  // Feeds one raw result judged at `now_ms`. Returns true when the effective
  // status changed.
  bool observe(const PolicyVerdict& raw, std::int64_t now_ms);

  // Keeps the counts but applies new thresholds (after a reload).
  void set_thresholds(Thresholds thresholds) { thresholds_ = thresholds; }

  // Status after hysteresis; UNKNOWN "not evaluated yet" before any result.
  const PolicyVerdict& effective() const { return effective_; }
  const PolicyVerdict& latest() const { return latest_; }      // the last raw result
  std::int64_t since_ms() const { return since_ms_; }          // effective status began (0 = never)
  std::int64_t evaluated_ms() const { return evaluated_ms_; }  // last result (0 = never)
  // How many raw results in a row had latest().status.
  int streak() const { return streak_; }
  bool evaluated() const { return evaluated_ms_ != 0; }

 private:
  Thresholds thresholds_;
  PolicyVerdict effective_{Status::kUnknown, "not evaluated yet", {}};
  PolicyVerdict latest_{Status::kUnknown, "not evaluated yet", {}};
  std::int64_t since_ms_ = 0;
  std::int64_t evaluated_ms_ = 0;
  int streak_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_POLICY_TRACKER_H
