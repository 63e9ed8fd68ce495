#include "core/actions/action_metrics.h"

#include <vector>

namespace blockhealth {

std::string_view to_string(DeliveryResult r) {
  switch (r) {
    case DeliveryResult::kDelivered:
      return "delivered";
    case DeliveryResult::kFailedAttempt:
      return "failed_attempt";
    case DeliveryResult::kGaveUp:
      return "gave_up";
    case DeliveryResult::kDropped:
      return "dropped";
  }
  return "dropped";
}

ActionMetrics::ActionMetrics(prometheus::MetricsRegistry* registry) {
  if (registry == nullptr) return;
  auto deliveries = registry->add_counter(
      "blockhealth_action_deliveries_total",
      "Action deliveries by outcome: delivered (2xx), failed_attempt (each attempt that failed), "
      "gave_up (refused with a 4xx, out of attempts, or too old), dropped (queue full or action "
      "removed).",
      {"block", "action", "result"});
  auto suppressed = registry->add_counter(
      "blockhealth_action_suppressed_total",
      "Notifications not sent: the same status went out for the action less than repeat_after "
      "ago.",
      {"block", "action"});
  auto duration = registry->add_histogram(
      "blockhealth_action_delivery_duration_seconds",
      "Duration of each delivery attempt, to the answer or the failure.", {"block", "action"},
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
  auto pending = registry->add_gauge("blockhealth_action_pending",
                                     "Deliveries waiting to be sent or retried (outbox).", {});
  auto in_flight =
      registry->add_gauge("blockhealth_action_in_flight", "Deliveries being sent now.", {});
  const auto note = [this](const auto& result) {
    if (result.has_error() && registration_error_.empty()) {
      registration_error_ = result.error().message;
    }
  };
  note(deliveries);
  note(suppressed);
  note(duration);
  note(pending);
  note(in_flight);
  if (deliveries) deliveries_ = *deliveries;
  if (suppressed) suppressed_ = *suppressed;
  if (duration) duration_ = *duration;
  if (pending) pending_ = (*pending)->with(std::vector<std::string>{});
  if (in_flight) in_flight_ = (*in_flight)->with(std::vector<std::string>{});
}

void ActionMetrics::count(std::string_view block, std::string_view action, DeliveryResult result) {
  if (deliveries_ != nullptr) deliveries_->with({block, action, to_string(result)}).inc();
}

void ActionMetrics::suppressed(std::string_view block, std::string_view action) {
  if (suppressed_ != nullptr) suppressed_->with({block, action}).inc();
}

void ActionMetrics::attempt_took(std::string_view block, std::string_view action, double seconds) {
  if (duration_ != nullptr) duration_->with({block, action}).observe(seconds);
}

}  // namespace blockhealth
