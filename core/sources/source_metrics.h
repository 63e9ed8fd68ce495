// The pull sources' own metrics on the daemon's /metrics:
//   blockhealth_source_duration_seconds{block,instance,source}  histogram
//   blockhealth_source_attempts_total{block,instance,source}    counter
//   blockhealth_source_failures_total{block,instance,source}    counter
//   blockhealth_source_skipped_ticks_total{block,instance,source} counter
//   blockhealth_source_log_lines_total{block,instance}          counter
//   blockhealth_source_lateness_seconds                         histogram
//   blockhealth_source_in_flight                                gauge
// `source` is "health", "metrics" or "logs". A target's series are removed
// when it goes away (forget()).
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_METRICS_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_METRICS_H

#include <string>
#include <vector>

#include "core/prometheus/metric_handles.h"
#include "core/prometheus/metrics_registry.h"

namespace blockhealth {

// Handles for one target. Default-constructed handles (no registry) drop
// updates. Thread-safe (handles are).
struct TargetMetrics {
  prometheus::Histogram duration;
  prometheus::Counter attempts;
  prometheus::Counter failures;
  prometheus::Counter skipped_ticks;
  prometheus::Counter log_lines;  // "logs" targets only
};

// Thread-safe. With no registry (nullptr), or when its families cannot be
// registered (names taken, e.g. a second SourceManager on one registry),
// every handle is detached; the reason is in registration_error().
class SourceMetrics {
 public:
  explicit SourceMetrics(prometheus::MetricsRegistry* registry);

  TargetMetrics target(const std::string& block, const std::string& instance,
                       const std::string& source);
  void forget(const std::string& block, const std::string& instance, const std::string& source);

  prometheus::Histogram lateness() const { return lateness_; }
  prometheus::Gauge in_flight() const { return in_flight_; }
  const std::string& registration_error() const { return registration_error_; }

 private:
  prometheus::HistogramFamily* duration_ = nullptr;
  prometheus::CounterFamily* attempts_ = nullptr;
  prometheus::CounterFamily* failures_ = nullptr;
  prometheus::CounterFamily* skipped_ = nullptr;
  prometheus::CounterFamily* log_lines_ = nullptr;
  prometheus::Histogram lateness_;
  prometheus::Gauge in_flight_;
  std::string registration_error_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_METRICS_H
