// Sorting one instance's metric samples into per-GPU temperature readings
// and device limits.
//
// Metric names understood (dcgm-exporter's classic names, DCGM 4's
// *_CELSIUS renames, and plain exporter names):
//   core temperature    DCGM_FI_DEV_GPU_TEMP, DCGM_FI_DEV_GPU_TEMP_CELSIUS,
//                       gpu_temperature_celsius
//   memory temperature  DCGM_FI_DEV_MEMORY_TEMP, DCGM_FI_DEV_MEMORY_TEMP_CELSIUS,
//                       gpu_memory_temperature_celsius
//   T.Limit margin      gpu_temperature_tlimit_celsius (nvidia-smi's
//                       temperature.gpu.tlimit: degrees below the max
//                       operating temperature; 0 at it, negative past it)
//   slowdown margin     DCGM_FI_DEV_GPU_TEMP_LIMIT, DCGM_FI_DEV_GPU_TEMP_MARGIN_CELSIUS
//                       (DCGM field 153, documented as the "distance to
//                       nearest slowdown threshold")
//   device limits       DCGM_FI_DEV_GPU_MAX_OP_TEMP(_CELSIUS),
//                       DCGM_FI_DEV_SLOWDOWN_TEMP / DCGM_FI_DEV_GPU_TEMP_SLOWDOWN_CELSIUS,
//                       DCGM_FI_DEV_SHUTDOWN_TEMP / DCGM_FI_DEV_GPU_TEMP_SHUTDOWN_CELSIUS,
//                       DCGM_FI_DEV_MEM_MAX_OP_TEMP / DCGM_FI_DEV_MEMORY_MAX_OP_TEMP_CELSIUS
// A GPU is identified by its `gpu` label (index) and its `UUID` or `uuid`
// label: two samples belong to the same GPU when their UUIDs are equal, or,
// when one lacks a UUID, their indexes are equal.
#ifndef BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_TEMPERATURE_READINGS_H
#define BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_TEMPERATURE_READINGS_H

#include <blockhealth/policy.hpp>
#include <optional>
#include <string>
#include <vector>

#include "plugins/gpu_temperature/dcgm_blank.h"

namespace blockhealth::policies::gpu_temperature {

enum class ReadingKind {
  kCore,            // absolute GPU core temperature
  kMemory,          // absolute memory (HBM) temperature
  kTLimitMargin,    // degrees below the max operating temperature
  kSlowdownMargin,  // degrees below the slowdown threshold (DCGM field 153)
};

// True for the two margin kinds (smaller is hotter).
bool is_margin(ReadingKind kind);

struct GpuId {
  std::string index;       // the `gpu` label, "" when absent
  std::string uuid;        // the `UUID`/`uuid` label, "" when absent
  std::string uuid_label;  // which spelling carried it ("UUID" or "uuid")
};

// "GPU 1 (GPU-8a7b...)", "GPU 1", "GPU GPU-8a7b...", or "GPU (unlabelled)".
std::string describe(const GpuId& id);

// One temperature sample. `sample` is borrowed from the evaluate() input and
// valid only during that call.
struct Reading {
  ReadingKind kind;
  const bh_sample* sample;
  ReadingProblem problem;  // kNone when value() is usable
  double value() const { return sample->value; }
  bool usable() const { return problem == ReadingProblem::kNone; }
};

// The limits a GPU's exporter sent, in degrees Celsius; absent when not sent
// or when the value was not usable (blank, NaN).
struct DeviceLimits {
  std::optional<double> max_operating;
  std::optional<double> slowdown;
  std::optional<double> shutdown;
  std::optional<double> memory_max_operating;
};

struct GpuReadings {
  GpuId id;
  std::vector<Reading> readings;  // in sample order; may be empty (limits only)
  DeviceLimits limits;
  bool has_usable_reading() const;
};

// Every GPU that has at least one temperature or limit sample, in the order
// first seen. Borrows from `in`: valid only during the evaluate() call.
std::vector<GpuReadings> collect_readings(const bh::Instance& in);

}  // namespace blockhealth::policies::gpu_temperature

#endif  // BLOCKHEALTH_PLUGINS_GPU_TEMPERATURE_TEMPERATURE_READINGS_H
