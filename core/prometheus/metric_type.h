// The five metric types of the Prometheus text exposition format 0.0.4.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_METRIC_TYPE_H
#define BLOCKHEALTH_CORE_PROMETHEUS_METRIC_TYPE_H

#include <string_view>

namespace blockhealth::prometheus {

enum class MetricType { kUntyped, kCounter, kGauge, kHistogram, kSummary };

// The lower-case keyword used on `# TYPE` lines ("counter", ...).
constexpr std::string_view to_string(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_METRIC_TYPE_H
