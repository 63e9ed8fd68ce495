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

// What one observe() changed, as bits.
enum TrackerChange : unsigned {
  kTrackerNothing = 0,
  kTrackerCounted = 1u << 0,      // streak and evaluated_ms moved (always, on a result)
  kTrackerShown = 1u << 1,        // something a view shows beyond the counts changed
  kTrackerSignificant = 1u << 2,  // the effective status or reason changed (implies Shown)
  kTrackerSwitched = 1u << 3,     // the effective status changed (implies Significant)
};

// The effective status switches to S after `threshold_for(thresholds, S)`
// consecutive raw results of status S. While it holds, its reason and
// evidence follow the latest raw result of that same status.
//
// Not thread-safe: owned by the engine thread; readers that build views
// hold the block's lock (see BlockBoard).
class PolicyTracker {
 public:
  explicit PolicyTracker(Thresholds thresholds) : thresholds_(thresholds) {}

  // Feeds one raw result judged at `now_ms`, holding until
  // `valid_until_ms` (0: this interval only). Returns what changed (a
  // TrackerChange mask). Allocates only when a longer reason arrives.
  unsigned observe(const VerdictView& raw, std::int64_t now_ms, std::int64_t valid_until_ms = 0);
  // The same for an owned verdict; true when the effective status changed.
  bool observe(const PolicyVerdict& raw, std::int64_t now_ms) {
    return (observe(VerdictView::of(raw), now_ms) & kTrackerSwitched) != 0;
  }

  // Keeps the counts but applies new thresholds (after a reload).
  void set_thresholds(Thresholds thresholds) { thresholds_ = thresholds; }

  // Status after hysteresis; UNKNOWN "not evaluated yet" before any result.
  const PolicyVerdict& effective() const { return effective_; }
  Status latest_status() const { return latest_status_; }      // of the last raw result
  std::int64_t since_ms() const { return since_ms_; }          // effective status began (0 = never)
  std::int64_t evaluated_ms() const { return evaluated_ms_; }  // last result (0 = never)
  // Until when the last result holds without new data (0: this interval).
  std::int64_t valid_until_ms() const { return valid_until_ms_; }
  // How many raw results in a row had latest_status().
  int streak() const { return streak_; }
  bool evaluated() const { return evaluated_ms_ != 0; }
  // The generation of the instance's observations the last result judged
  // (InstanceRecord::generation); the engine's note of what is news.
  std::uint64_t seen_generation() const { return seen_generation_; }
  void set_seen_generation(std::uint64_t g) { seen_generation_ = g; }
  // Makes the next tick judge the instance again whatever it holds (after a
  // reload: the policy's instance or parameters may be new).
  void expire() {
    valid_until_ms_ = 0;
    seen_generation_ = ~std::uint64_t{0};
  }
  // A switch is under way: the latest results disagree with the effective
  // status, so each interval counts (the engine keeps visiting).
  bool pending() const { return evaluated() && latest_status_ != effective_.status; }

 private:
  Thresholds thresholds_;
  PolicyVerdict effective_{Status::kUnknown, "not evaluated yet", {}};
  Status latest_status_ = Status::kUnknown;
  std::int64_t since_ms_ = 0;
  std::int64_t evaluated_ms_ = 0;
  std::int64_t valid_until_ms_ = 0;
  std::uint64_t seen_generation_ = 0;
  int streak_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_POLICY_TRACKER_H
