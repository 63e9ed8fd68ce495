// Where each reading's WARN and CRITICAL limits come from.
//
// Absolute temperatures (core, memory): explicit params win, each threshold
// on its own; else the GPU's own limits when its exporter sends them; else
// fixed defaults. Every default is anchored on the device's max operating
// temperature M, the point past which the driver slows clocks (DCGM's
// SW_THERMAL clock event reason), so an absolute reading and a T.Limit
// margin of the same GPU give the same verdict:
//   core   CRITICAL at M; WARN at M - 5. M is DCGM_FI_DEV_GPU_MAX_OP_TEMP
//          when sent, else estimated as slowdown - 2 or shutdown - 8 (the
//          offsets an H100 reports: slowdown at T.Limit -2, shutdown at -8);
//          with no device limit at all, WARN 85 / CRITICAL 88.
//   memory CRITICAL at DCGM_FI_DEV_MEM_MAX_OP_TEMP, WARN 5 below it; else
//          WARN 90 / CRITICAL 95 (95 C is the memory max operating
//          temperature nvidia-smi reports on A100/H100 boards; NVIDIA does
//          not publish an HBM3 limit we could confirm).
// Margins (smaller is hotter; params or defaults only):
//   T.Limit margin  WARN <= 5, CRITICAL <= 0 (0 = at M).
//   slowdown margin WARN <= 7, CRITICAL <= 2: DCGM documents field 153 as the
//          distance to the slowdown threshold, which sits 2 C above M on
//          H100-class GPUs, so these fire at the same temperatures as the
//          others; if a driver measures it from M instead (as some NVIDIA
//          tooling assumes) they fire 2 C earlier, never later.
#ifndef BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_THRESHOLDS_H
#define BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_THRESHOLDS_H

#include <blockhealth/policy.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/gpu_temperature/temperature_readings.h"

namespace blockhealth::policies::gpu_temperature {

enum class LimitSource { kParams, kDevice, kDefault };

// "params", "device", "default".
std::string_view to_string(LimitSource source);

struct Limit {
  double celsius = 0;
  LimitSource source = LimitSource::kDefault;
  std::string basis;  // for device limits, how it was derived: "max operating 87 C - 5"

  // "(default)", "(params)", "(device: max operating 87 C - 5)".
  std::string origin() const;
};

struct LimitPair {
  Limit warn;
  Limit critical;
};

// The `with:` parameters, already schema-checked by the host.
class ThresholdParams {
 public:
  // Reads the threshold parameters. Throws bh::Error when a pair given
  // explicitly is inverted (e.g. warn_celsius above critical_celsius).
  explicit ThresholdParams(const bh::Json& params);

  // The limits for a reading of `kind` on `gpu`.
  LimitPair limits_for(ReadingKind kind, const DeviceLimits& device) const;

 private:
  LimitPair core(const DeviceLimits& device) const;
  LimitPair memory(const DeviceLimits& device) const;
  static LimitPair margin(const std::optional<double>& warn, const std::optional<double>& critical,
                          double default_warn, double default_critical);

  std::optional<double> warn_;
  std::optional<double> critical_;
  std::optional<double> memory_warn_;
  std::optional<double> memory_critical_;
  std::optional<double> warn_margin_;
  std::optional<double> critical_margin_;
  std::optional<double> slowdown_warn_margin_;
  std::optional<double> slowdown_critical_margin_;
};

}  // namespace blockhealth::policies::gpu_temperature

#endif  // BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_THRESHOLDS_H
