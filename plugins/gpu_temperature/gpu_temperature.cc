// gpu_temperature: judges an instance by its GPUs' core and memory
// temperatures (dcgm-exporter or plain exporter metrics) and T.Limit /
// slowdown margins, against limits from params, from the device, or from
// defaults. See temperature_readings.h (metrics), thresholds.h (limits) and
// judgement.h (how readings combine), and docs/policies.md.
#include <blockhealth/policy.hpp>

#include "plugins/gpu_temperature/judgement.h"
#include "plugins/gpu_temperature/temperature_readings.h"
#include "plugins/gpu_temperature/thresholds.h"

namespace blockhealth::policies::gpu_temperature {
namespace {

constexpr const char* kParamsSchema = R"json({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "gpu_temperature parameters",
  "description": "Limits in degrees Celsius. Each absent threshold falls back on its own: to the GPU's own limit when the exporter sends one, else to the default. Temperatures are judged 'at or above' a limit, margins 'at or below'.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "warn_celsius": {
      "type": "number", "minimum": 0, "maximum": 200,
      "description": "Core temperature at or above which the GPU is WARN. Default: 5 below the device's max operating temperature (DCGM_FI_DEV_GPU_MAX_OP_TEMP, else slowdown - 2, else shutdown - 8) when the exporter sends one, else 85."
    },
    "critical_celsius": {
      "type": "number", "minimum": 0, "maximum": 200,
      "description": "Core temperature at or above which the GPU is CRITICAL. Default: the device's max operating temperature (where the driver starts slowing clocks), estimated as slowdown - 2 or shutdown - 8 when only those are sent, else 88."
    },
    "memory_warn_celsius": {
      "type": "number", "minimum": 0, "maximum": 200,
      "description": "Memory (HBM) temperature at or above which the GPU is WARN. Default: 5 below DCGM_FI_DEV_MEM_MAX_OP_TEMP when sent, else 90."
    },
    "memory_critical_celsius": {
      "type": "number", "minimum": 0, "maximum": 200,
      "description": "Memory (HBM) temperature at or above which the GPU is CRITICAL. Default: DCGM_FI_DEV_MEM_MAX_OP_TEMP when sent, else 95 (the memory max operating temperature nvidia-smi reports on A100/H100)."
    },
    "warn_margin_celsius": {
      "type": "number", "minimum": -50, "maximum": 100,
      "description": "T.Limit margin (gpu_temperature_tlimit_celsius: degrees below the max operating temperature, as nvidia-smi's temperature.gpu.tlimit) at or below which the GPU is WARN. Default 5."
    },
    "critical_margin_celsius": {
      "type": "number", "minimum": -50, "maximum": 100,
      "description": "T.Limit margin at or below which the GPU is CRITICAL. Default 0: at the max operating temperature. (nvidia-smi puts slowdown at -2 and shutdown at -8 on H100.)"
    },
    "slowdown_warn_margin_celsius": {
      "type": "number", "minimum": -50, "maximum": 100,
      "description": "DCGM thermal margin (DCGM_FI_DEV_GPU_TEMP_LIMIT / DCGM_FI_DEV_GPU_TEMP_MARGIN_CELSIUS, documented by DCGM as the distance to the nearest slowdown threshold) at or below which the GPU is WARN. Default 7."
    },
    "slowdown_critical_margin_celsius": {
      "type": "number", "minimum": -50, "maximum": 100,
      "description": "DCGM thermal margin at or below which the GPU is CRITICAL. Default 2: slowdown sits 2 C above the max operating temperature on H100-class GPUs, so this fires where critical_celsius would; should a driver measure the field from the max operating temperature instead, it fires 2 C earlier, never later."
    }
  }
})json";

class GpuTemperaturePolicy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "gpu_temperature",
      .version = "1.0.0",
      .description =
          "GPU core/memory temperatures and thermal margins against device, "
          "configured or default limits",
      .params_schema = kParamsSchema};

  GpuTemperaturePolicy(const bh::Json& params, const bh::Host& /*host*/) : params_(params) {}

  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& /*ctx*/) const {
    return judge_gpus(collect_readings(in), params_);
  }

 private:
  ThresholdParams params_;
};

}  // namespace
}  // namespace blockhealth::policies::gpu_temperature

BH_POLICY(blockhealth::policies::gpu_temperature::GpuTemperaturePolicy)
