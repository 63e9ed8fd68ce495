// ObservationStore: every instance's observations, fed by push ingestion and
// pull sources, read by the engine at each evaluation.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H

#include <map>
#include <shared_mutex>
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
  const Clock& clock_;
  mutable std::shared_mutex mu_;
  std::map<InstanceKey, InstanceRecordSharedPtr> records_;  // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_OBSERVATION_STORE_H
