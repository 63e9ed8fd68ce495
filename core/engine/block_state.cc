#include "core/engine/block_state.h"

#include <algorithm>

namespace blockhealth {
namespace {

ObservationLimits limits_for(const BlockSettings& settings) {
  ObservationLimits limits;
  limits.max_log_lines = static_cast<std::size_t>(std::max(0, settings.log_lines));
  return limits;
}

}  // namespace

BlockState::BlockState(EnginePlanConstSharedPtr plan_, const PlannedBlock& planned,
                       BlockBoardSharedPtr board_, const QuarantinePolicy& quarantine,
                       NewsQueueSharedPtr news_queue, ObservationStore& store)
    : plan(std::move(plan_)),
      config(*planned.config),
      board(std::move(board_)),
      news(std::make_shared<BlockNewsSink>(std::move(news_queue))) {
  news->owner = this;
  policies.reserve(planned.policies.size());
  for (const PlannedPolicy& p : planned.policies) {
    PolicySlot& slot = policies.emplace_back(p, quarantine);
    slot.interval_ms = std::max<std::int64_t>(1, slot.config.interval.count());
    slot.due_only = slot.handle().instance->plugin().due_instances_only();
    slot.inputs = slot.handle().instance->plugin().inputs();
  }
  for (const InstanceConfig& in : config.instances) add_instance(in.id, false, store);
}

InstanceSlot& BlockState::add_instance(const std::string& id, bool pushed,
                                       ObservationStore& store) {
  auto in = std::make_unique<InstanceSlot>(
      static_cast<std::size_t>(std::max(1, config.settings.history_size)));
  in->pushed = pushed;
  in->record = store.ensure({config.id, id}, limits_for(config.settings));
  const InstanceConfig* cfg = pushed ? nullptr : config.find_instance(id);
  in->probed = cfg != nullptr && cfg->health_url.has_value();
  in->executor = cfg != nullptr && cfg->executor;
  in->discovered = cfg != nullptr && !cfg->discovered_by.empty();
  probed_instances += in->probed ? 1 : 0;
  if (config.flapping) in->flap = std::make_unique<FlapDetector>(*config.flapping);
  set_trackers(*in);
  in->record->set_news_sink(news);
  by_id_.emplace(in->id(), in.get());
  instances.push_back(std::move(in));
  ++instances_epoch;
  return *instances.back();
}

bool BlockState::remove_instance(std::string_view id) {
  const auto found = by_id_.find(id);
  if (found == by_id_.end()) return false;
  InstanceSlot* slot = found->second;
  by_id_.erase(found);
  const auto it = std::find_if(instances.begin(), instances.end(),
                               [slot](const InstanceSlotPtr& in) { return in.get() == slot; });
  slot->record->set_news_sink(nullptr);
  probed_instances -= slot->probed ? 1 : 0;
  instances.erase(it);
  ++instances_epoch;
  return true;
}

InstanceSlot* BlockState::find_instance(std::string_view id) {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

const InstanceSlot* BlockState::find_instance(std::string_view id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

void BlockState::set_trackers(InstanceSlot& in) const {
  std::vector<std::string> ids;
  std::vector<Thresholds> thresholds;
  in.tracker_of.assign(policies.size(), -1);
  for (std::size_t p = 0; p < policies.size(); ++p) {
    if (!policies[p].config.applies_to(in.id())) continue;
    in.tracker_of[p] = static_cast<int>(ids.size());
    ids.push_back(policies[p].id());
    thresholds.push_back(policies[p].config.thresholds);
  }
  if (in.probed) {
    ids.emplace_back(kHealthProbeCheck);
    thresholds.push_back(config.settings.thresholds);
  }
  in.health.set_policies(ids, thresholds);
}

PolicySlot* BlockState::find_policy(std::string_view id_or_use) {
  for (PolicySlot& p : policies) {
    if (p.id() == id_or_use) return &p;
  }
  for (PolicySlot& p : policies) {
    if (p.use() == id_or_use) return &p;
  }
  return nullptr;
}

}  // namespace blockhealth
