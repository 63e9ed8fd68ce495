// The actions' own metrics on the daemon's /metrics:
//   blockhealth_action_deliveries_total{block,action,result}   counter
//       result: delivered | failed_attempt | gave_up | dropped
//   blockhealth_action_suppressed_total{block,action}          counter
//   blockhealth_action_delivery_duration_seconds{block,action} histogram (per attempt)
//   blockhealth_action_pending                                 gauge
//   blockhealth_action_in_flight                               gauge
// `action` is the action's name ("webhook#0", "failure_policy#1").
#ifndef BLOCKHEALTH_CORE_ACTIONS_ACTION_METRICS_H
#define BLOCKHEALTH_CORE_ACTIONS_ACTION_METRICS_H

#include <string>
#include <string_view>

#include "core/prometheus/metric_handles.h"
#include "core/prometheus/metrics_registry.h"

namespace blockhealth {

enum class DeliveryResult { kDelivered, kFailedAttempt, kGaveUp, kDropped };
std::string_view to_string(DeliveryResult r);  // "delivered", "failed_attempt", ...

// Thread-safe. With no registry (nullptr), or when its families cannot be
// registered (names taken, e.g. a second dispatcher on one registry), the
// updates go nowhere; the reason is in registration_error().
class ActionMetrics {
 public:
  explicit ActionMetrics(prometheus::MetricsRegistry* registry);

  void count(std::string_view block, std::string_view action, DeliveryResult result);
  void suppressed(std::string_view block, std::string_view action);
  void attempt_took(std::string_view block, std::string_view action, double seconds);

  prometheus::Gauge pending() const { return pending_; }
  prometheus::Gauge in_flight() const { return in_flight_; }
  const std::string& registration_error() const { return registration_error_; }

 private:
  prometheus::CounterFamily* deliveries_ = nullptr;
  prometheus::CounterFamily* suppressed_ = nullptr;
  prometheus::HistogramFamily* duration_ = nullptr;
  prometheus::Gauge pending_;
  prometheus::Gauge in_flight_;
  std::string registration_error_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ACTION_METRICS_H
