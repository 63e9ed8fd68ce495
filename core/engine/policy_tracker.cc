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

bool PolicyTracker::observe(const PolicyVerdict& raw, std::int64_t now_ms) {
  if (evaluated() && raw.status == latest_.status) {
    ++streak_;
  } else {
    streak_ = 1;
  }
  latest_ = raw;
  evaluated_ms_ = now_ms;
  if (raw.status == effective_.status) {
    effective_ = raw;  // same status: refresh reason and evidence
    if (since_ms_ == 0) since_ms_ = now_ms;
    return false;
  }
  if (streak_ >= threshold_for(thresholds_, raw.status)) {
    effective_ = raw;
    since_ms_ = now_ms;
    return true;
  }
  return false;
}

}  // namespace blockhealth
