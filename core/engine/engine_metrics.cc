#include "core/engine/engine_metrics.h"

namespace blockhealth {

EngineMetrics::EngineMetrics(prometheus::MetricsRegistry& registry,
                             std::function<ViewRegistryConstSharedPtr()> views) {
  calls_ = registry
               .add_counter("blockhealth_policy_calls_total",
                            "Policy evaluations by outcome (ok, error, timeout, busy, "
                            "quarantined, rejected).",
                            {"block", "policy", "outcome"})
               .value();
  durations_ =
      registry
          .add_histogram(
              "blockhealth_policy_call_duration_seconds",
              "Time from queueing a policy evaluation to its result.", {"block", "policy"},
              {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
          .value();
  transitions_ =
      registry
          .add_counter("blockhealth_transitions_total",
                       "Instance status changes, by the status entered.", {"block", "to"})
          .value();
  registry
      .add_callback_gauge(
          "blockhealth_instance_status",
          "1 for the instance's current status (ok, degraded, unhealthy, unknown), else 0.",
          {"block", "instance_id", "status"},
          [views](std::vector<prometheus::GaugeReading>& out) {
            const ViewRegistryConstSharedPtr registry = views();
            for (const auto& board : registry->ordered) {
              const BlockViewConstSharedPtr view = board->view();
              if (!view) continue;
              for (const InstanceView& in : view->instances) {
                for (Status s :
                     {Status::kOk, Status::kDegraded, Status::kUnhealthy, Status::kUnknown}) {
                  out.push_back(
                      {{view->id, in.id, std::string(to_string(s))}, in.status == s ? 1.0 : 0.0});
                }
              }
            }
          })
      .value();
  registry
      .add_callback_gauge("blockhealth_block_healthy",
                          "1 when every instance of the block is healthy (the AIOS meaning).",
                          {"block"},
                          [views](std::vector<prometheus::GaugeReading>& out) {
                            // Held here: a reload may replace the registry meanwhile.
                            const ViewRegistryConstSharedPtr registry = views();
                            for (const auto& board : registry->ordered) {
                              if (const BlockViewConstSharedPtr view = board->view()) {
                                out.push_back({{view->id}, view->healthy ? 1.0 : 0.0});
                              }
                            }
                          })
      .value();
  registry
      .add_callback_gauge("blockhealth_policy_quarantined",
                          "1 while the block's policy is quarantined.", {"block", "policy"},
                          [views](std::vector<prometheus::GaugeReading>& out) {
                            const ViewRegistryConstSharedPtr registry = views();
                            for (const auto& board : registry->ordered) {
                              const BlockViewConstSharedPtr view = board->view();
                              if (!view) continue;
                              for (const PolicyStateView& p : view->policies) {
                                out.push_back({{view->id, p.id}, p.quarantined ? 1.0 : 0.0});
                              }
                            }
                          })
      .value();
}

void EngineMetrics::on_transition(const Transition& t) {
  transitions_->with({t.block_id, to_string(t.to)}).inc();
}

EngineMetrics::PolicyHandles& EngineMetrics::handles(std::string_view block,
                                                     std::string_view policy) {
  key_.assign(block);
  key_ += '\0';
  key_ += policy;
  auto it = handles_.find(std::string_view(key_));
  if (it != handles_.end()) return it->second;
  PolicyHandles h;
  h.by_outcome[static_cast<std::size_t>(CallOutcome::kOk)] =
      calls_->with({block, policy, to_string(CallOutcome::kOk)});
  h.duration = durations_->with({block, policy});
  return handles_.emplace(key_, std::move(h)).first->second;
}

void EngineMetrics::on_policy_call(std::string_view block, std::string_view policy,
                                   CallOutcome outcome, double seconds) {
  PolicyHandles& h = handles(block, policy);
  const auto i = static_cast<std::size_t>(outcome);
  if (i >= kOutcomes) return;
  if (!h.by_outcome[i].attached())
    h.by_outcome[i] = calls_->with({block, policy, to_string(outcome)});
  h.by_outcome[i].inc();
  if (outcome == CallOutcome::kOk || outcome == CallOutcome::kError) h.duration.observe(seconds);
}

}  // namespace blockhealth
