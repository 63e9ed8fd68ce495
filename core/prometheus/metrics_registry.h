// The daemon's own metrics: a registry of counter, gauge, histogram and
// callback-gauge families, rendered as Prometheus text for GET /metrics.
//
//   MetricsRegistry registry;
//   CounterFamily& evals = *registry.add_counter(
//       "blockhealth_evaluations_total", "Policy evaluations.", {"block", "policy"}).value();
//   Counter c = evals.with({"gemma3-27b-block", "gpu_temperature"});  // cache this
//   c.inc();                                                           // lock-free
//   std::string body;
//   registry.render(body);
//
// Lifetime: families live as long as the registry; the pointers returned
// by add_*() stay valid until it is destroyed. Handles outlive both.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_METRICS_REGISTRY_H
#define BLOCKHEALTH_CORE_PROMETHEUS_METRICS_REGISTRY_H

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/prometheus/metric_families.h"
#include "core/util/result.h"

namespace blockhealth::prometheus {

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Registers a family. Fails (and registers nothing) when the name is not a
  // valid metric name, a label name is invalid, reserved ("__" prefix) or
  // repeated, or a name the family would render (for a histogram also
  // name_bucket, name_sum, name_count) is already rendered by another
  // family. Names are usually constants, so `.value()` (which throws
  // ErrorException) is fine at startup. Thread-safe; takes the registry mutex.
  Result<CounterFamily*> add_counter(std::string name, std::string help,
                                     std::vector<std::string> label_names);
  Result<GaugeFamily*> add_gauge(std::string name, std::string help,
                                 std::vector<std::string> label_names);
  // `upper_bounds`: finite, strictly increasing; a last +Inf may be given
  // and is dropped (the +Inf bucket is always rendered). No label "le".
  Result<HistogramFamily*> add_histogram(std::string name, std::string help,
                                         std::vector<std::string> label_names,
                                         std::vector<double> upper_bounds);
  // A gauge family computed by `callback` at each render (see GaugeCallback).
  Result<CallbackGaugeFamily*> add_callback_gauge(std::string name, std::string help,
                                                  std::vector<std::string> label_names,
                                                  GaugeCallback callback);
  // A counter family read by `callback` at each render: for counts kept
  // elsewhere (the kernel's CPU time of the process). The callback must
  // never report less than before.
  Result<CallbackGaugeFamily*> add_callback_counter(std::string name, std::string help,
                                                    std::vector<std::string> label_names,
                                                    GaugeCallback callback);

  // Appends every family in registration order (HELP, TYPE, series). Safe
  // to call concurrently with everything else; takes the registry mutex,
  // then each family's mutex in turn (and calls the callbacks).
  void render(std::string& out) const;

 private:
  // REQUIRES: mutex_ held.
  Result<void> check_new(std::string_view name, const std::vector<std::string>& label_names,
                         MetricType type) const;
  template <typename Family>
  Family* add(std::unique_ptr<Family> family);  // REQUIRES: mutex_ held, check_new passed

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<MetricFamily>> families_;  // GUARDED_BY(mutex_)
  std::set<std::string, std::less<>> rendered_names_;    // GUARDED_BY(mutex_)
};

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_METRICS_REGISTRY_H
