// Judging per-GPU readings against their limits and combining them into
// one verdict for the instance.
//
// Combination rule: CRITICAL if any usable reading is at or past its
// critical limit; else WARN if any is at or past its warn limit; else
// UNKNOWN if some GPU has no usable reading at all; else OK. No temperature
// metric at all is UNKNOWN "no GPU temperature metrics". A GPU with one good
// reading and one blank reading is judged on the good one; the reason
// mentions the blank. The reason names the worst reading's GPU (index and
// UUID), its value, the limit and where the limit came from, plus
// "(+N more GPUs over limits)"; the evidence is that reading.
#ifndef BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_JUDGEMENT_H
#define BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_JUDGEMENT_H

#include <blockhealth/policy.hpp>
#include <vector>

#include "plugins/gpu_temperature/temperature_readings.h"
#include "plugins/gpu_temperature/thresholds.h"

namespace blockhealth::policies::gpu_temperature {

// One usable reading, judged.
struct Finding {
  bh::Status status = bh::Status::kOk;  // kOk, kWarn or kCritical
  const GpuReadings* gpu = nullptr;
  const Reading* reading = nullptr;
  Limit limit;      // the limit `status` was judged against (the warn limit when kOk)
  double over = 0;  // degrees past `limit`; negative is headroom
};

// REQUIRES: reading.usable(); `gpu` owns `reading`.
Finding judge_reading(const Reading& reading, const GpuReadings& gpu,
                      const ThresholdParams& params);

// The instance's verdict from all its GPUs' readings.
bh::Verdict judge_gpus(const std::vector<GpuReadings>& gpus, const ThresholdParams& params);

}  // namespace blockhealth::policies::gpu_temperature

#endif  // BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_JUDGEMENT_H
