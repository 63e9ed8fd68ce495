// @NAME@: WARN when the largest sample of `metric` is above `warn`,
// CRITICAL above `critical`, UNKNOWN without samples. Written by
// `blockhealthd policy new`; make it yours (docs/writing-a-policy.md).
#include <blockhealth/policy.hpp>
#include <cmath>
#include <optional>
#include <string>

#include "@NAME@_schema.h"  // BH_PARAMS_SCHEMA, from @NAME@.schema.json

namespace {

class Policy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "@NAME@",
      .version = "0.1.0",
      .description = "WARN or CRITICAL when a metric is above its limits",
      .params_schema = BH_PARAMS_SCHEMA};
  // Only new samples make an instance due.
  static constexpr std::uint32_t kInputs = BH_INPUT_SAMPLES;

  Policy(const bh::Json& params, const bh::Host& /*host*/)
      : metric_(params.string_or("metric", "")),
        warn_(params.number_or("warn", 0)),
        critical_(params.number_or("critical", 0)) {
    if (critical_ < warn_) throw bh::Error("critical must not be below warn");
  }

  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& /*ctx*/) const {
    std::optional<bh::Sample> worst;
    for (const bh::Sample& s : in.samples_named(metric_)) {
      if (std::isnan(s.value())) continue;
      if (!worst || s.value() > worst->value()) worst = s;
    }
    if (!worst) return bh::Verdict::unknown("no " + metric_ + " samples");
    const double v = worst->value();
    const std::string series = worst->series();
    if (v > critical_) {
      return bh::Verdict::critical(bh::format("%s is %g > %g", series.c_str(), v, critical_))
          .with_evidence(series, v, critical_);
    }
    if (v > warn_) {
      return bh::Verdict::warn(bh::format("%s is %g > %g", series.c_str(), v, warn_))
          .with_evidence(series, v, warn_);
    }
    return bh::Verdict::ok(bh::format("%s is %g", series.c_str(), v));
  }

 private:
  std::string metric_;
  double warn_;
  double critical_;
};

}  // namespace

BH_POLICY(Policy)
