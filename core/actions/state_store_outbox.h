// StateStoreOutbox: the dispatcher's outbox in the daemon's SQLite state
// store (the `deliveries` table of <state_dir>/blockhealth.db), so pending
// deliveries survive a restart or a crash.
#ifndef BLOCKHEALTH_CORE_ACTIONS_STATE_STORE_OUTBOX_H
#define BLOCKHEALTH_CORE_ACTIONS_STATE_STORE_OUTBOX_H

#include "core/actions/delivery_outbox.h"
#include "core/state/state_store.h"

namespace blockhealth {

// Thread-safe (the store is). `store` must outlive the outbox. Errors are
// the store's ("<operation>: <path>: <sqlite message>").
class StateStoreOutbox final : public DeliveryOutbox {
 public:
  explicit StateStoreOutbox(StateStore& store) : store_(store) {}

  Result<std::int64_t> add(const Delivery& d) override;
  Result<void> update(const Delivery& d) override;
  Result<void> remove(std::int64_t id) override;
  Result<std::vector<Delivery>> pending() override;  // by id, as the interface says

 private:
  StateStore& store_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_STATE_STORE_OUTBOX_H
