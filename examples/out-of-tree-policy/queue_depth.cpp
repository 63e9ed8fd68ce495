// queue_depth: how many requests wait in a model server's queue.
//
// Reads every sample of the metric `metric` (default "queue_length"; one
// series per replica or GPU), takes the largest, and compares it with the
// `warn` and `critical` thresholds. No samples: UNKNOWN. Operators can read
// or change the thresholds at run time through the management endpoint
// (actions "get_thresholds" and "set_thresholds").
#include <blockhealth/policy.hpp>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>

namespace {

class QueueDepth {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "queue_depth",
      .version = "1.0.0",
      .description = "Warns when requests pile up in a model server's queue",
      .params_schema = R"({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "metric":   {"type": "string", "minLength": 1, "default": "queue_length"},
          "warn":     {"type": "number", "minimum": 0},
          "critical": {"type": "number", "minimum": 0}
        },
        "required": ["warn", "critical"],
        "additionalProperties": false
      })"};

  QueueDepth(const bh::Json& params, const bh::Host& host)
      : metric_(params.string_or("metric", "queue_length")),
        warn_(params.number_or("warn", 0)),
        critical_(params.number_or("critical", 0)) {
    check_thresholds(warn_, critical_);  // what the schema cannot say
    host.info(
        bh::format("watching %s: warn >= %g, critical >= %g", metric_.c_str(), warn_, critical_));
  }

  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& /*ctx*/) const {
    std::optional<bh::Sample> worst;
    for (const bh::Sample& s : in.samples_named(metric_)) {
      if (std::isnan(s.value())) continue;  // no reading
      if (!worst || s.value() > worst->value()) worst = s;
    }
    if (!worst) return bh::Verdict::unknown("no " + metric_ + " samples");

    const double depth = worst->value();
    const std::string series = worst->series();
    if (depth >= critical_) {
      return bh::Verdict::critical(bh::format("%s is %g >= %g", series.c_str(), depth, critical_))
          .with_evidence(series, depth, critical_);
    }
    if (depth >= warn_) {
      return bh::Verdict::warn(bh::format("%s is %g >= %g", series.c_str(), depth, warn_))
          .with_evidence(series, depth, warn_);
    }
    return bh::Verdict::ok(bh::format("%s is %g < %g", series.c_str(), depth, warn_));
  }

  // get_thresholds: {} -> {"warn": W, "critical": C}
  // set_thresholds: {"warn": W, "critical": C} (either may be left out)
  bh::Json manage(std::string_view action, const bh::Json& data) {
    if (action == "set_thresholds") {
      const double warn = data.number_or("warn", warn_);
      const double critical = data.number_or("critical", critical_);
      check_thresholds(warn, critical);
      warn_ = warn;
      critical_ = critical;
    } else if (action != "get_thresholds") {
      throw bh::Error("unknown action '" + std::string(action) +
                      "': expected get_thresholds or set_thresholds");
    }
    return bh::Json::Object{{"metric", metric_}, {"warn", warn_}, {"critical", critical_}};
  }

 private:
  static void check_thresholds(double warn, double critical) {
    if (!(warn >= 0) || !(critical >= warn)) {
      throw bh::Error(
          bh::format("need 0 <= warn <= critical, got warn %g and critical %g", warn, critical));
    }
  }

  std::string metric_;
  double warn_;
  double critical_;
};

}  // namespace

BH_POLICY(QueueDepth)
