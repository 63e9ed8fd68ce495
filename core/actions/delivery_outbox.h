// DeliveryOutbox: where pending action deliveries are kept until they are
// delivered or given up, so that a restart loses none. The daemon keeps
// them in its SQLite state store (StateStoreOutbox); MemoryOutbox keeps
// them in memory (no state_dir, and tests).
#ifndef BLOCKHEALTH_CORE_ACTIONS_DELIVERY_OUTBOX_H
#define BLOCKHEALTH_CORE_ACTIONS_DELIVERY_OUTBOX_H

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/model/delivery.h"
#include "core/util/result.h"

namespace blockhealth {

// Thread-safety: implementations must be safe to call from several threads
// at once (the engine thread adds, the dispatcher's thread updates and
// removes). Every call must be quick (an SQLite statement at most): add()
// runs on the engine thread.
class DeliveryOutbox {
 public:
  virtual ~DeliveryOutbox() = default;
  // Stores `d` (its `id` is ignored) and returns the id it got: > 0, and
  // greater than every id this outbox gave before.
  virtual Result<std::int64_t> add(const Delivery& d) = 0;
  // Stores the new attempts, next_attempt_ms and last_error of delivery
  // `d.id`. Error when there is no such delivery.
  virtual Result<void> update(const Delivery& d) = 0;
  // Forgets delivery `id` (delivered or given up). Removing an id that is
  // not there is not an error.
  virtual Result<void> remove(std::int64_t id) = 0;
  // Every stored delivery, by id ascending.
  virtual Result<std::vector<Delivery>> pending() = 0;
};
using DeliveryOutboxSharedPtr = std::shared_ptr<DeliveryOutbox>;

// In memory; thread-safe. Survives a dispatcher (not a process): tests use
// one outbox under two dispatchers to play a restart.
class MemoryOutbox final : public DeliveryOutbox {
 public:
  Result<std::int64_t> add(const Delivery& d) override;
  Result<void> update(const Delivery& d) override;
  Result<void> remove(std::int64_t id) override;
  Result<std::vector<Delivery>> pending() override;

  std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::int64_t, Delivery> deliveries_;  // GUARDED_BY(mu_)
  std::int64_t last_id_ = 0;                     // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_DELIVERY_OUTBOX_H
