#include "core/actions/state_store_outbox.h"

#include <algorithm>

namespace blockhealth {

Result<std::int64_t> StateStoreOutbox::add(const Delivery& d) {
  return store_.add_delivery(d);
}

Result<void> StateStoreOutbox::update(const Delivery& d) {
  return store_.update_delivery(d.id, d.attempts, d.next_attempt_ms, d.last_error);
}

Result<void> StateStoreOutbox::remove(std::int64_t id) {
  return store_.remove_delivery(id);
}

Result<std::vector<Delivery>> StateStoreOutbox::pending() {
  auto deliveries = store_.pending_deliveries();
  if (!deliveries) return deliveries.error();
  std::sort(deliveries->begin(), deliveries->end(),
            [](const Delivery& a, const Delivery& b) { return a.id < b.id; });
  return deliveries;
}

}  // namespace blockhealth
