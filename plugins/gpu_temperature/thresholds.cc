#include "plugins/gpu_temperature/thresholds.h"

#include "plugins/common/text_format.h"

namespace blockhealth::policies::gpu_temperature {
namespace {

constexpr double kDefaultWarn = 85;
constexpr double kDefaultCritical = 88;
constexpr double kDefaultMemoryWarn = 90;
constexpr double kDefaultMemoryCritical = 95;
constexpr double kDefaultWarnMargin = 5;
constexpr double kDefaultCriticalMargin = 0;
constexpr double kDefaultSlowdownWarnMargin = 7;
constexpr double kDefaultSlowdownCriticalMargin = 2;
constexpr double kWarnBelowCritical = 5;  // device-derived WARN sits this far below CRITICAL
constexpr double kSlowdownAboveMaxOperating = 2;
constexpr double kShutdownAboveMaxOperating = 8;

std::optional<double> optional_number(const bh::Json& params, std::string_view key) {
  const bh::Json* v = params.find(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  return v->as_number();
}

// Throws when both ends of a pair were given and WARN would fire after
// CRITICAL. For temperatures WARN must not be above CRITICAL; for margins
// (smaller is hotter) WARN must not be below it.
void check_order(const std::optional<double>& warn, const std::optional<double>& critical,
                 std::string_view warn_key, std::string_view critical_key, bool smaller_is_hotter) {
  if (!warn || !critical) return;
  const bool inverted = smaller_is_hotter ? *warn < *critical : *warn > *critical;
  if (!inverted) return;
  throw bh::Error(std::string(warn_key) + " (" + format_number(*warn) + ") must be " +
                  (smaller_is_hotter ? "at least " : "at most ") + std::string(critical_key) +
                  " (" + format_number(*critical) + ")");
}

Limit from_params_or(const std::optional<double>& param, Limit fallback) {
  if (param) return Limit{*param, LimitSource::kParams, {}};
  return fallback;
}

// The device's max operating temperature, or an estimate of it from the
// slowdown or shutdown temperature, with how it was obtained.
std::optional<Limit> device_max_operating(const DeviceLimits& device) {
  if (device.max_operating) {
    return Limit{*device.max_operating, LimitSource::kDevice,
                 "max operating " + format_number(*device.max_operating) + " C"};
  }
  if (device.slowdown) {
    return Limit{*device.slowdown - kSlowdownAboveMaxOperating, LimitSource::kDevice,
                 "slowdown " + format_number(*device.slowdown) + " C - " +
                     format_number(kSlowdownAboveMaxOperating)};
  }
  if (device.shutdown) {
    return Limit{*device.shutdown - kShutdownAboveMaxOperating, LimitSource::kDevice,
                 "shutdown " + format_number(*device.shutdown) + " C - " +
                     format_number(kShutdownAboveMaxOperating)};
  }
  return std::nullopt;
}

Limit below(const Limit& critical, double delta) {
  return Limit{critical.celsius - delta, critical.source,
               critical.basis + " - " + format_number(delta)};
}

}  // namespace

std::string_view to_string(LimitSource source) {
  switch (source) {
    case LimitSource::kParams:
      return "params";
    case LimitSource::kDevice:
      return "device";
    case LimitSource::kDefault:
      return "default";
  }
  return "default";
}

std::string Limit::origin() const {
  if (source == LimitSource::kDevice) return "(device: " + basis + ")";
  return "(" + std::string(to_string(source)) + ")";
}

ThresholdParams::ThresholdParams(const bh::Json& params)
    : warn_(optional_number(params, "warn_celsius")),
      critical_(optional_number(params, "critical_celsius")),
      memory_warn_(optional_number(params, "memory_warn_celsius")),
      memory_critical_(optional_number(params, "memory_critical_celsius")),
      warn_margin_(optional_number(params, "warn_margin_celsius")),
      critical_margin_(optional_number(params, "critical_margin_celsius")),
      slowdown_warn_margin_(optional_number(params, "slowdown_warn_margin_celsius")),
      slowdown_critical_margin_(optional_number(params, "slowdown_critical_margin_celsius")) {
  check_order(warn_, critical_, "warn_celsius", "critical_celsius", false);
  check_order(memory_warn_, memory_critical_, "memory_warn_celsius", "memory_critical_celsius",
              false);
  check_order(warn_margin_, critical_margin_, "warn_margin_celsius", "critical_margin_celsius",
              true);
  check_order(slowdown_warn_margin_, slowdown_critical_margin_, "slowdown_warn_margin_celsius",
              "slowdown_critical_margin_celsius", true);
}

LimitPair ThresholdParams::limits_for(ReadingKind kind, const DeviceLimits& device) const {
  switch (kind) {
    case ReadingKind::kCore:
      return core(device);
    case ReadingKind::kMemory:
      return memory(device);
    case ReadingKind::kTLimitMargin:
      return margin(warn_margin_, critical_margin_, kDefaultWarnMargin, kDefaultCriticalMargin);
    case ReadingKind::kSlowdownMargin:
      return margin(slowdown_warn_margin_, slowdown_critical_margin_, kDefaultSlowdownWarnMargin,
                    kDefaultSlowdownCriticalMargin);
  }
  return core(device);
}

LimitPair ThresholdParams::core(const DeviceLimits& device) const {
  LimitPair fallback{Limit{kDefaultWarn, LimitSource::kDefault, {}},
                     Limit{kDefaultCritical, LimitSource::kDefault, {}}};
  if (std::optional<Limit> max_op = device_max_operating(device)) {
    fallback = LimitPair{below(*max_op, kWarnBelowCritical), *max_op};
  }
  return LimitPair{from_params_or(warn_, fallback.warn),
                   from_params_or(critical_, fallback.critical)};
}

LimitPair ThresholdParams::memory(const DeviceLimits& device) const {
  LimitPair fallback{Limit{kDefaultMemoryWarn, LimitSource::kDefault, {}},
                     Limit{kDefaultMemoryCritical, LimitSource::kDefault, {}}};
  if (device.memory_max_operating) {
    const Limit max_op{
        *device.memory_max_operating, LimitSource::kDevice,
        "memory max operating " + format_number(*device.memory_max_operating) + " C"};
    fallback = LimitPair{below(max_op, kWarnBelowCritical), max_op};
  }
  return LimitPair{from_params_or(memory_warn_, fallback.warn),
                   from_params_or(memory_critical_, fallback.critical)};
}

LimitPair ThresholdParams::margin(const std::optional<double>& warn,
                                  const std::optional<double>& critical, double default_warn,
                                  double default_critical) {
  return LimitPair{from_params_or(warn, Limit{default_warn, LimitSource::kDefault, {}}),
                   from_params_or(critical, Limit{default_critical, LimitSource::kDefault, {}})};
}

}  // namespace blockhealth::policies::gpu_temperature
