#include "core/engine/block_view_builder.h"

#include <algorithm>

namespace blockhealth {
namespace {

InstanceView instance_view(const BlockState& block, const InstanceSlot& in,
                           const HoldRegistry& holds) {
  InstanceView iv;
  iv.id = in.id();
  iv.pushed = in.pushed;
  iv.discovered = in.discovered;
  const InstanceVerdict& v = in.health.verdict();
  iv.status = v.status;
  iv.policy = v.policy;
  iv.reason = v.reason;
  iv.evidence = v.evidence;
  iv.since_ms = in.health.since_ms();
  iv.last_seen_ms = in.record->last_seen_cell()->load(std::memory_order_relaxed);
  iv.last_reported = in.record->last_reported_cell();
  iv.last_reported_ms = iv.last_reported->load(std::memory_order_relaxed);
  iv.executor = in.executor;
  iv.sources = in.record->source_statuses();
  iv.maintenance = holds.maintenance(block.id(), in.id());
  iv.silence = holds.silence_for(block.id(), in.id());
  iv.counted = !iv.maintenance.has_value();
  if (in.flap) {
    iv.flapping = in.flap->flapping();
    iv.flap_percent = in.flap->percent();
  }
  iv.policies.reserve(in.health.policy_count());
  for (std::size_t i = 0; i < in.health.policy_count(); ++i) {
    const PolicyTracker& t = in.health.tracker(i);
    PolicyResultView p;
    p.id = in.health.policy_id(i);
    p.status = t.effective().status;
    p.raw_status = t.latest_status();
    p.streak = t.streak();
    p.reason = t.effective().reason;
    p.evidence = t.effective().evidence;
    p.since_ms = t.since_ms();
    p.evaluated_ms = t.evaluated_ms();
    p.valid_until_ms = t.valid_until_ms();
    iv.policies.push_back(std::move(p));
  }
  return iv;
}

TransitionHistoryConstSharedPtr history_of(const BlockState& block) {
  auto history = std::make_shared<TransitionHistory>();
  for (const InstanceSlotPtr& in : block.instances) {
    for (const Transition& t : in->health.history()) history->newest_first.push_back(t);
  }
  std::sort(history->newest_first.begin(), history->newest_first.end(),
            [](const Transition& a, const Transition& b) { return a.seq > b.seq; });
  return history;
}

}  // namespace

PolicyStateView policy_state_view(const PolicySlot& p, std::int64_t now_ms) {
  PolicyStateView s;
  s.id = p.id();
  s.use = p.use();
  s.plugin_version = p.handle().instance->plugin().version();
  s.interval_ms = p.config.interval.count();
  s.timeout_ms = p.config.timeout.count();
  s.quarantined = p.quarantine.active(now_ms);
  s.quarantine_until_ms = p.quarantine.until_ms();
  s.quarantine_reason = p.quarantine.reason();
  s.calls = p.counters.calls;
  s.errors = p.counters.errors;
  s.timeouts = p.counters.timeouts;
  s.skipped_busy = p.counters.skipped_busy;
  s.last_duration_us = p.counters.last_duration_us;
  s.busy = p.handle().busy.load();
  s.in_flight = p.in_flight;
  return s;
}

BlockViewConstSharedPtr build_block_view(const BlockState& block, const HoldRegistry& holds,
                                         const Clock& clock, std::uint64_t version,
                                         std::uint64_t state_index) {
  auto view = std::make_shared<BlockView>();
  view->id = block.id();
  view->version = version;
  view->state_index = state_index;
  view->built_ms = block.evaluated_ms;
  view->paused = block.paused;
  view->aios = block.config.aios;
  view->source = block.config.source;
  view->shadows_api_block = block.config.shadows_api_block;
  view->healthy = true;
  view->status = Status::kOk;
  view->instances.reserve(block.instances.size());
  for (const InstanceSlotPtr& in : block.instances) {
    InstanceView iv = instance_view(block, *in, holds);
    view->healthy = view->healthy && counts_as_healthy(iv.status);
    if (iv.counted) {
      view->status = worst(view->status, iv.status);
      ++view->quorum.counted;
      view->quorum.healthy += counts_as_healthy(iv.status) ? 1 : 0;
    }
    view->instances.push_back(std::move(iv));
  }
  view->quorum.configured = block.config.min_healthy.has_value();
  view->quorum.required = block.config.required_healthy(view->quorum.counted);
  view->quorum.ok = view->quorum.counted > 0 && view->quorum.healthy >= view->quorum.required;
  if (block.instances.empty()) {
    view->status = Status::kUnknown;  // nothing serving is not healthy
    view->healthy = false;
  }
  const std::int64_t now_ms = clock.wall_ms();
  for (const PolicySlot& p : block.policies) view->policies.push_back(policy_state_view(p, now_ms));
  if (block.history_dirty || !block.history) {
    block.history = history_of(block);
    block.history_dirty = false;
  }
  view->history = block.history;
  return view;
}

}  // namespace blockhealth
