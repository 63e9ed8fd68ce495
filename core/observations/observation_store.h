// ObservationStore: every instance's observations, fed by push ingestion and
// pull sources, read by the engine at each evaluation.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H

#include <map>
#include <shared_mutex>
#include <string_view>
#include <utility>
#include <vector>

#include "core/observations/instance_record.h"
#include "core/util/clock.h"

namespace blockhealth {

// Thread-safe: all methods may be called from any thread. Lookups take a
// shared lock on the index; mutations of one instance lock only its record.
class ObservationStore {
 public:
  // `clock` stamps arrivals and must outlive the store.
  explicit ObservationStore(const Clock& clock) : clock_(clock) {}

  // Creates the instance's record if absent (keeping an existing one and its
  // data, with `limits` applied). Returns the record.
  InstanceRecordSharedPtr ensure(const InstanceKey& key, const ObservationLimits& limits);

  // Forgets an instance and its data; a no-op when absent.
  void remove(const InstanceKey& key);

  // Forgets every instance not in `keep` (after a reload).
  void retain_only(const std::vector<InstanceKey>& keep);

  // nullptr when the instance is not registered.
  InstanceRecordSharedPtr find(const InstanceKey& key) const;

  const Clock& clock() const { return clock_; }

 private:
  // The key views the record's own InstanceKey: the ids are stored once.
  using KeyView = std::pair<std::string_view, std::string_view>;  // block, instance
  static KeyView view_of(const InstanceKey& key) { return {key.block, key.instance}; }

  const Clock& clock_;
  mutable std::shared_mutex mu_;
  std::map<KeyView, InstanceRecordSharedPtr> records_;  // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H
