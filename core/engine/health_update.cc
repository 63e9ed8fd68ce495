#include "core/engine/health_update.h"

#include <spdlog/spdlog.h>

#include "core/engine/visit_schedule.h"

namespace blockhealth {
namespace {

// Why an instance's pull sources bring nothing: "metrics
// http://h:9400/metrics: HTTP 503 Service Unavailable", one per failing
// source, joined by "; ". "" when none fails (push-only, or just quiet).
std::string failing_sources_text(const InstanceRecord& record) {
  std::string out;
  for (const SourceStatus& s : record.source_statuses()) {
    if (s.ok) continue;
    out += out.empty() ? "" : "; ";
    out += s.source + " " + s.target + ": " + s.message;
  }
  return out;
}

bool is_stale(std::int64_t last_seen, std::int64_t stale_ms, std::int64_t now_ms) {
  return last_seen == 0 || (stale_ms > 0 && now_ms - last_seen > stale_ms);
}

}  // namespace

std::string hold_reason(const BlockState& block, const InstanceSlot& in, const HoldRegistry& holds,
                        HoldKind* kind) {
  HoldKind ignored = HoldKind::kNone;
  HoldKind& k = kind != nullptr ? *kind : ignored;
  k = HoldKind::kNone;
  if (auto m = holds.maintenance(block.id(), in.id())) {
    k = HoldKind::kMaintenance;
    return "maintenance: " + m->reason;
  }
  if (auto s = holds.silence_for(block.id(), in.id())) {
    k = HoldKind::kSilence;
    return "silenced by " + s->id + ": " + s->reason;
  }
  if (in.flap && in.flap->flapping()) {
    k = HoldKind::kFlapping;
    return "flapping (" + std::to_string(static_cast<int>(in.flap->percent())) + "% state changes)";
  }
  return "";
}

bool health_needs_each_interval(const BlockState& block, const InstanceSlot& in,
                                std::int64_t now_ms) {
  const std::int64_t last_seen = in.record->last_seen_cell()->load(std::memory_order_relaxed);
  if (last_seen != 0 && is_stale(last_seen, block.config.settings.stale_after.count(), now_ms)) {
    return true;
  }
  return in.flap && !in.flap->steady(in.health.verdict().status);
}

void update_block_health(BlockState& block, EngineContext& ctx, std::int64_t now_ms) {
  const std::int64_t stale_ms = block.config.settings.stale_after.count();
  for (const InstanceSlotPtr& slot : block.instances) {
    InstanceSlot& in = *slot;
    const std::int64_t last_seen = in.record->last_seen_cell()->load(std::memory_order_relaxed);
    const bool stale = is_stale(last_seen, stale_ms, now_ms);
    const bool shown_stale = in.health.stale();
    const std::uint64_t sources = in.record->source_generation();
    const bool needed = in.touched || last_seen != in.last_seen_judged_ms || stale != shown_stale ||
                        (stale && last_seen != 0) ||
                        (stale && sources != in.source_generation_seen) ||
                        in.health.since_ms() == 0;
    if (!needed) continue;
    in.touched = false;
    in.last_seen_judged_ms = last_seen;
    in.source_generation_seen = sources;
    const std::string detail = stale ? failing_sources_text(*in.record) : std::string();
    HealthUpdate u = in.health.update(block.id(), in.id(), now_ms, last_seen, stale_ms,
                                      ctx.transition_seq, detail);
    if (u.shown) block.shown_changed = true;
    if (u.significant) block.significant_changed = true;
    if (!u.transition) continue;
    Transition& t = *u.transition;
    block.history_dirty = true;
    t.held_by = hold_reason(block, in, ctx.holds, &t.hold);
    if (in.notified_before_restart && t.held_by.empty() && in.notified == t.to) {
      t.held_by = "already notified before the restart";
      t.hold = HoldKind::kNotifiedBeforeRestart;
    }
    in.notified_before_restart = false;
    spdlog::info("block {} instance {}: {} -> {} ({}){}", t.block_id, t.instance_id,
                 to_string(t.from), to_string(t.to), t.reason,
                 t.held_by.empty() ? "" : "; actions held: " + t.held_by);
    ctx.listener.on_transition(t);
    if (t.held_by.empty()) {
      in.notified = t.to;
      ctx.listener.on_notify(t, NotifyKind::kTransition);
    }
  }
}

void sample_flapping(BlockState& block, EngineContext& ctx, std::int64_t now_ms) {
  const std::int64_t interval = std::max<std::int64_t>(1, block.config.settings.interval.count());
  // One sample per tick of the block: the latest tick at or before now.
  const std::int64_t tick = tick_at_or_after(block.phase_ms, interval, now_ms - interval + 1);
  for (const InstanceSlotPtr& slot : block.instances) {
    InstanceSlot& in = *slot;
    if (!in.flap) continue;
    if (in.flap_sampled_ms != 0 && tick <= in.flap_sampled_ms) continue;  // this tick's is taken
    const Status status = in.health.verdict().status;
    // The ticks it was not visited for repeat the status it had then (it
    // did not change, or it would have been visited).
    bool flag_changed = false;
    if (in.flap_sampled_ms != 0) {
      const std::int64_t missed = (tick - in.flap_sampled_ms) / interval - 1;
      if (missed > 0) {
        flag_changed =
            in.flap->record(in.flap_last, static_cast<int>(std::min<std::int64_t>(missed, 1'000)));
      }
    }
    flag_changed = in.flap->record(status) != flag_changed;
    in.flap_sampled_ms = tick;
    in.flap_last = status;
    if (!flag_changed) continue;
    block.shown_changed = true;
    block.significant_changed = true;
    spdlog::info("block {} instance {}: {} flapping ({:.0f}% state changes)", block.id(), in.id(),
                 in.flap->flapping() ? "started" : "stopped", in.flap->percent());
    if (in.flap->flapping() || (in.notified && *in.notified == status)) continue;
    if (!hold_reason(block, in, ctx.holds).empty()) continue;  // still in maintenance or silenced
    // Tell the actions where the instance settled.
    Transition t;
    t.seq = ++ctx.transition_seq;
    t.time_ms = now_ms;
    t.block_id = block.id();
    t.instance_id = in.id();
    t.from = in.notified.value_or(Status::kUnknown);
    t.to = status;
    t.policy = in.health.verdict().policy;
    t.reason = in.health.verdict().reason + " (settled after flapping)";
    t.evidence = in.health.verdict().evidence;
    in.notified = status;
    ctx.listener.on_notify(t, NotifyKind::kFlapEnded);
  }
}

}  // namespace blockhealth
