#include "core/engine/flap_detector.h"

#include <algorithm>

namespace blockhealth {

void FlapDetector::set_config(FlappingConfig config) {
  config_ = config;
  trim();
  percent_ = compute_percent();
}

void FlapDetector::trim() {
  const auto window = static_cast<std::size_t>(config_.window);
  if (results_.size() > window) {
    results_.erase(results_.begin(),
                   results_.begin() + static_cast<std::ptrdiff_t>(results_.size() - window));
  }
}

bool FlapDetector::steady(Status status) const {
  if (flapping_) return false;
  for (Status s : results_) {
    if (s != status) return false;
  }
  return true;
}

bool FlapDetector::record(Status status, int times) {
  bool changed = false;
  // Past a full window of one status, older samples no longer matter.
  const int n = std::min(times, config_.window + 1);
  for (int i = 0; i < n; ++i) changed = record(status) != changed;
  return changed;
}

double FlapDetector::compute_percent() const {
  const std::size_t pairs = results_.size() < 2 ? 0 : results_.size() - 1;
  if (pairs == 0) return 0;
  double changes = 0;
  for (std::size_t i = 0; i < pairs; ++i) {
    if (results_[i] == results_[i + 1]) continue;
    // i = 0 is the oldest pair (0.8), i = pairs - 1 the newest (1.2).
    const double position =
        pairs == 1 ? 1.0 : static_cast<double>(i) / static_cast<double>(pairs - 1);
    changes += 0.8 + 0.4 * position;
  }
  return changes * 100.0 / static_cast<double>(pairs);
}

bool FlapDetector::record(Status status) {
  results_.push_back(status);
  trim();
  percent_ = compute_percent();
  const bool was = flapping_;
  if (results_.size() < static_cast<std::size_t>(config_.window)) {
    flapping_ = false;
  } else if (!flapping_ && percent_ >= config_.start_percent) {
    flapping_ = true;
  } else if (flapping_ && percent_ < config_.stop_percent) {
    flapping_ = false;
  }
  return was != flapping_;
}

}  // namespace blockhealth
