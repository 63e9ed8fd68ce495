// BurnTrace: the real H100 temperature trace (nvidia-smi, one row a second
// through a 60 s bf16 burn and its cool-down) that the demo GPU replays.
#ifndef BLOCKHEALTH_EXAMPLES_DEMO_BURN_TRACE_H
#define BLOCKHEALTH_EXAMPLES_DEMO_BURN_TRACE_H

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace blockhealth::demo {

struct TraceRow {
  std::string uuid;
  double gpu_celsius = 0;
  double memory_celsius = 0;
  double tlimit_celsius = 0;  // margin below the max operating temperature
  double sm_clock_mhz = 0;
  double power_watts = 0;
};

// Reads nvidia-smi --query-gpu CSV output with the columns of
// data/nvidia-smi-h100-burn-trace.csv. nullopt (with a message on stderr)
// when the file is missing or has no usable row.
std::optional<std::vector<TraceRow>> load_burn_trace(const std::filesystem::path& csv);

// Prometheus text in dcgm-exporter's shape for one GPU, plus the T.Limit
// margin as gpu_temperature_tlimit_celsius.
std::string dcgm_exposition(const TraceRow& row, const std::string& pod);

}  // namespace blockhealth::demo

#endif  // BLOCKHEALTH_EXAMPLES_DEMO_BURN_TRACE_H
