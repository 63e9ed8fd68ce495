#include "core/engine/block_evaluation.h"

#include "core/sources/health_judgement.h"

namespace blockhealth {
namespace {

void observe(BlockState& block, InstanceSlot& in, int tracker, const VerdictView& v,
             std::int64_t now_ms, std::int64_t valid_until_ms, std::uint64_t generation) {
  PolicyTracker& t = in.health.tracker(static_cast<std::size_t>(tracker));
  // A time already past holds for this interval only.
  if (valid_until_ms != 0 && valid_until_ms <= now_ms) valid_until_ms = 0;
  const unsigned change = t.observe(v, now_ms, valid_until_ms);
  t.set_seen_generation(generation);
  // Counts alone (streak, evaluated_at) are shown too: the view moves.
  block.shown_changed = true;
  if ((change & kTrackerShown) != 0) in.touched = true;
  if ((change & kTrackerSignificant) != 0) block.significant_changed = true;
}

// The slot of call instance k: the pointer taken when the call was made
// while no instance came or went since, else found again by id (nullptr
// when it is gone).
InstanceSlot* slot_of(BlockState& block, const PolicyCall& call, std::size_t k) {
  if (call.instances_epoch == block.instances_epoch) return call.slots[k];
  return block.find_instance(call.records[k]->key().instance);
}

}  // namespace

bool tracker_due(const InstanceSlot& in, const PolicyTracker& t, std::uint32_t inputs,
                 std::int64_t now_ms) {
  if (!t.evaluated() || t.pending()) return true;
  if (in.record->generation(inputs) != t.seen_generation()) return true;
  const std::int64_t until = t.valid_until_ms();
  return until == 0 || until <= now_ms;
}

bool prepare_call(BlockState& block, std::size_t p, std::int64_t now_ms, bool force,
                  PolicyCall& call) {
  PolicySlot& policy = block.policies[p];
  call.records.clear();
  call.slots.clear();
  bool any_due = force;
  for (const InstanceSlotPtr& in : block.instances) {
    const int t = in->tracker_of[p];
    if (t < 0) continue;
    const bool due = force || tracker_due(*in, in->health.tracker(static_cast<std::size_t>(t)),
                                          policy.inputs, now_ms);
    any_due = any_due || due;
    if (due || !policy.due_only) {
      call.records.push_back(in->record);
      call.slots.push_back(in.get());
    }
  }
  if (!any_due || call.records.empty()) {
    call.records.clear();
    call.slots.clear();
    return false;
  }
  call.block = &block;
  call.policy_index = p;
  call.handle = policy.planned.handle;
  call.timeout = policy.config.timeout;
  call.input_kinds = policy.inputs;
  call.now_ms = now_ms;
  call.instances_epoch = block.instances_epoch;
  return true;
}

void apply_call(BlockState& block, PolicyCall& call, std::int64_t now_ms) {
  PolicySlot& policy = block.policies[call.policy_index];
  const std::string& name = policy.handle().instance->plugin().name();
  std::string failure;
  if (!call.ok) {
    failure = call.error.empty() ? "policy " + name + " failed without a message"
                                 : "policy " + name + " failed: " + call.error;
  }
  for (std::size_t k = 0; k < call.records.size(); ++k) {
    InstanceSlot* in = slot_of(block, call, k);
    if (in == nullptr) continue;
    const int t = in->tracker_of[call.policy_index];
    if (t < 0) continue;
    if (!call.ok) {
      observe(block, *in, t, VerdictView{Status::kUnknown, failure, std::nullopt}, now_ms, 0,
              call.generations[k]);
      continue;
    }
    const VerdictRead read = call.verdicts.read(k, name);
    observe(block, *in, t, read.view(), now_ms, read.valid_until_ms, call.generations[k]);
  }
}

void apply_uniform(BlockState& block, std::size_t p, Status status, std::string_view reason,
                   std::int64_t now_ms) {
  const VerdictView v{status, reason, std::nullopt};
  for (const InstanceSlotPtr& in : block.instances) {
    const int t = in->tracker_of[p];
    if (t < 0) continue;
    PolicyTracker& tracker = in->health.tracker(static_cast<std::size_t>(t));
    observe(block, *in, t, v, now_ms, 0, tracker.seen_generation());
  }
}

void judge_probes(BlockState& block, std::int64_t now_ms) {
  if (block.probed_instances == 0) return;
  for (const InstanceSlotPtr& in : block.instances) {
    if (!in->probed || in->health.policy_count() == 0) continue;
    // set_trackers puts the health_probe tracker last.
    const int t = static_cast<int>(in->health.policy_count()) - 1;
    in->record->with_probe_after(
        in->probe_judged_ms, [&](const ProbeResult& probe, const PolicyVerdict* judged) {
          in->probe_judged_ms = probe.time_ms;
          // The source judged it already, but for a probe recorded by hand.
          const PolicyVerdict v = judged != nullptr ? *judged : judge_health_probe(probe);
          PolicyTracker& tracker = in->health.tracker(static_cast<std::size_t>(t));
          const unsigned change = tracker.observe(VerdictView::of(v), now_ms);
          block.shown_changed = true;
          if ((change & kTrackerShown) != 0) in->touched = true;
          if ((change & kTrackerSignificant) != 0) block.significant_changed = true;
        });
  }
}

}  // namespace blockhealth
