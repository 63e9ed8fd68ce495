#include "core/observations/observation_store.h"

#include <mutex>
#include <set>

namespace blockhealth {

InstanceRecordSharedPtr ObservationStore::ensure(const InstanceKey& key,
                                                 const ObservationLimits& limits) {
  {
    std::shared_lock lock(mu_);
    if (auto it = records_.find(key); it != records_.end()) {
      it->second->set_limits(limits);
      return it->second;
    }
  }
  std::unique_lock lock(mu_);
  auto [it, inserted] = records_.try_emplace(key, nullptr);
  if (inserted) {
    it->second = std::make_shared<InstanceRecord>(key, limits);
  } else {
    it->second->set_limits(limits);
  }
  return it->second;
}

void ObservationStore::remove(const InstanceKey& key) {
  std::unique_lock lock(mu_);
  records_.erase(key);
}

void ObservationStore::retain_only(const std::vector<InstanceKey>& keep) {
  const std::set<InstanceKey> wanted(keep.begin(), keep.end());
  std::unique_lock lock(mu_);
  std::erase_if(records_, [&](const auto& entry) { return !wanted.contains(entry.first); });
}

InstanceRecordSharedPtr ObservationStore::find(const InstanceKey& key) const {
  std::shared_lock lock(mu_);
  auto it = records_.find(key);
  return it == records_.end() ? nullptr : it->second;
}

}  // namespace blockhealth
