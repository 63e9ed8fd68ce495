#include "core/observations/observation_store.h"

#include <mutex>
#include <set>

namespace blockhealth {

InstanceRecordSharedPtr ObservationStore::ensure(const InstanceKey& key,
                                                 const ObservationLimits& limits) {
  {
    std::shared_lock lock(mu_);
    if (auto it = records_.find(view_of(key)); it != records_.end()) {
      it->second->set_limits(limits);
      return it->second;
    }
  }
  std::unique_lock lock(mu_);
  if (auto it = records_.find(view_of(key)); it != records_.end()) {
    it->second->set_limits(limits);
    return it->second;
  }
  auto record = std::make_shared<InstanceRecord>(key, limits);
  records_.emplace(view_of(record->key()), record);
  return record;
}

void ObservationStore::remove(const InstanceKey& key) {
  std::unique_lock lock(mu_);
  records_.erase(view_of(key));
}

void ObservationStore::retain_only(const std::vector<InstanceKey>& keep) {
  std::set<KeyView> wanted;
  for (const InstanceKey& k : keep) wanted.insert(view_of(k));
  std::unique_lock lock(mu_);
  std::erase_if(records_, [&](const auto& entry) { return !wanted.contains(entry.first); });
}

InstanceRecordSharedPtr ObservationStore::find(const InstanceKey& key) const {
  std::shared_lock lock(mu_);
  auto it = records_.find(view_of(key));
  return it == records_.end() ? nullptr : it->second;
}

}  // namespace blockhealth
