// gpu_temperature: judges an instance by its GPUs' core and memory
// temperatures (dcgm-exporter or plain exporter metrics) and T.Limit /
// slowdown margins, against limits from params, from the device, or from
// defaults. See temperature_readings.h (metrics), thresholds.h (limits) and
// judgement.h (how readings combine), and docs/policies.md.
#include <blockhealth/policy.hpp>

#include "gpu_temperature_schema.h"  // BH_PARAMS_SCHEMA, from gpu_temperature.schema.json
#include "plugins/gpu_temperature/judgement.h"
#include "plugins/gpu_temperature/temperature_readings.h"
#include "plugins/gpu_temperature/thresholds.h"

namespace blockhealth::policies::gpu_temperature {
namespace {

class GpuTemperaturePolicy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "gpu_temperature",
      .version = "1.1.0",
      .description =
          "GPU core/memory temperatures and thermal margins against device, "
          "configured or default limits",
      .params_schema = BH_PARAMS_SCHEMA};
  // What evaluate reads: new data of another kind does not call it.
  static constexpr std::uint32_t kInputs = BH_INPUT_SAMPLES;

  GpuTemperaturePolicy(const bh::Json& params, const bh::Host& /*host*/) : params_(params) {}

  // A judgement of the samples alone: it holds until new samples arrive.
  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& /*ctx*/) const {
    return judge_gpus(collect_readings(in), params_).until_new_data();
  }

 private:
  ThresholdParams params_;
};

}  // namespace
}  // namespace blockhealth::policies::gpu_temperature

BH_POLICY(blockhealth::policies::gpu_temperature::GpuTemperaturePolicy)
