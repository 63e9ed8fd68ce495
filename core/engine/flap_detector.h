// FlapDetector: tells an instance that keeps changing state from one that
// changed once, the way Nagios does: the share of state changes over the
// last `window` results, recent changes weighing more, with separate start
// and stop thresholds so that the flag itself does not flap.
#ifndef BLOCKHEALTH_CORE_ENGINE_FLAP_DETECTOR_H
#define BLOCKHEALTH_CORE_ENGINE_FLAP_DETECTOR_H

#include <vector>

#include "core/config/config.h"
#include "core/model/status.h"

namespace blockhealth {

// Not thread-safe: owned by the engine thread.
class FlapDetector {
 public:
  explicit FlapDetector(FlappingConfig config) : config_(config) {}

  // Records one result; returns true when the flapping flag changed.
  // The percentage is computed over the changes between consecutive results
  // in the window (window - 1 of them when full): the oldest change weighs
  // 0.8, the newest 1.2, linearly in between; the sum of the weights of the
  // changes, over the number of pairs, as a percentage. Flapping starts when
  // it reaches start_percent and stops when it falls below stop_percent.
  // Until the window is full no flapping is reported.
  bool record(Status status);
  // Records `status` `times` times in a row (the samples an instance whose
  // status stood still was not visited for). Returns true when the flag
  // changed. Same result as that many record(status) calls.
  bool record(Status status, int times);
  // Whether more samples of `status` would change nothing but fill the
  // window: every sample in it is `status` and it is not flapping.
  bool steady(Status status) const;

  bool flapping() const { return flapping_; }
  double percent() const { return percent_; }
  void set_config(FlappingConfig config);

 private:
  double compute_percent() const;
  void trim();

  FlappingConfig config_;
  std::vector<Status> results_;  // oldest first, at most window
  bool flapping_ = false;
  double percent_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_FLAP_DETECTOR_H
