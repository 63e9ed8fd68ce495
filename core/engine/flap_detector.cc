#include "core/engine/flap_detector.h"

namespace blockhealth {

void FlapDetector::set_config(FlappingConfig config) {
  config_ = config;
  while (results_.size() > static_cast<std::size_t>(config_.window)) results_.pop_front();
  percent_ = compute_percent();
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
  while (results_.size() > static_cast<std::size_t>(config_.window)) results_.pop_front();
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
