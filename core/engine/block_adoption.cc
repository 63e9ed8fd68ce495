#include "core/engine/block_adoption.h"

namespace blockhealth {

void adopt_block(BlockState& next, BlockState& previous, ObservationStore& store,
                 std::vector<DroppedInstance>* dropped) {
  next.paused = previous.paused;
  for (InstanceSlotPtr& old : previous.instances) {
    InstanceSlot* in = next.find_instance(old->id());
    if (in == nullptr) {
      if (!old->pushed) {  // removed from the config
        const InstanceConfig* was = previous.config.find_instance(old->id());
        if (dropped != nullptr && was != nullptr && !was->discovered_by.empty()) {
          dropped->push_back({old->id(), old->health.verdict().status, was->discovered_by});
        }
        continue;
      }
      in = &next.add_instance(old->id(), true, store);
    }
    in->health = std::move(old->health);
    in->probe_judged_ms = in->probed && old->probed ? old->probe_judged_ms : 0;
    in->notified = old->notified;
    in->notified_before_restart = old->notified_before_restart;
    if (next.config.flapping && old->flap) {
      in->flap = std::move(old->flap);
      in->flap->set_config(*next.config.flapping);
      in->flap_sampled_ms = old->flap_sampled_ms;
      in->flap_last = old->flap_last;
    }
    next.set_trackers(*in);
    in->health.set_history_size(
        static_cast<std::size_t>(std::max(1, next.config.settings.history_size)));
    for (std::size_t t = 0; t < in->health.policy_count(); ++t) in->health.tracker(t).expire();
    in->touched = true;
  }
  for (PolicySlot& p : next.policies) {
    for (const PolicySlot& old : previous.policies) {
      if (old.planned.handle == p.planned.handle) {
        p.quarantine = old.quarantine;
        p.counters = old.counters;
        p.call_id = old.call_id;
      }
    }
  }
  next.history_dirty = true;
}

}  // namespace blockhealth
