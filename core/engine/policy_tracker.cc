#include "core/engine/policy_tracker.h"

namespace blockhealth {

int threshold_for(const Thresholds& thresholds, Status s) {
  switch (s) {
    case Status::kOk:
      return thresholds.healthy_after;
    case Status::kDegraded:
      return thresholds.degraded_after;
    case Status::kUnhealthy:
    case Status::kUnknown:
      return thresholds.unhealthy_after;
  }
  return 1;
}

unsigned PolicyTracker::observe(const VerdictView& raw, std::int64_t now_ms,
                                std::int64_t valid_until_ms) {
  unsigned change = kTrackerCounted;
  if (evaluated() && raw.status == latest_status_) {
    ++streak_;
  } else {
    streak_ = 1;
    if (evaluated() || raw.status != latest_status_) change |= kTrackerShown;
  }
  latest_status_ = raw.status;
  evaluated_ms_ = now_ms;
  valid_until_ms_ = valid_until_ms;
  if (raw.status == effective_.status) {
    // Same status: refresh reason and evidence.
    if (effective_.reason != raw.reason) {
      assign_verdict(effective_, raw);
      change |= kTrackerShown | kTrackerSignificant;
    } else if (!same_evidence(effective_.evidence, raw.evidence)) {
      assign_verdict(effective_, raw);
      change |= kTrackerShown;
    }
    if (since_ms_ == 0) {
      since_ms_ = now_ms;
      change |= kTrackerShown;
    }
    return change;
  }
  if (streak_ >= threshold_for(thresholds_, raw.status)) {
    assign_verdict(effective_, raw);
    since_ms_ = now_ms;
    return change | kTrackerShown | kTrackerSignificant | kTrackerSwitched;
  }
  return change;
}

}  // namespace blockhealth
