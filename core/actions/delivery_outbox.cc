#include "core/actions/delivery_outbox.h"

#include <string>

namespace blockhealth {

Result<std::int64_t> MemoryOutbox::add(const Delivery& d) {
  std::lock_guard lock(mu_);
  Delivery stored = d;
  stored.id = ++last_id_;
  deliveries_.emplace(stored.id, std::move(stored));
  return last_id_;
}

Result<void> MemoryOutbox::update(const Delivery& d) {
  std::lock_guard lock(mu_);
  const auto it = deliveries_.find(d.id);
  if (it == deliveries_.end()) {
    return fail(ErrorCode::kNotFound, "delivery " + std::to_string(d.id) + " is not in the outbox");
  }
  it->second.attempts = d.attempts;
  it->second.next_attempt_ms = d.next_attempt_ms;
  it->second.last_error = d.last_error;
  return {};
}

Result<void> MemoryOutbox::remove(std::int64_t id) {
  std::lock_guard lock(mu_);
  deliveries_.erase(id);
  return {};
}

Result<std::vector<Delivery>> MemoryOutbox::pending() {
  std::lock_guard lock(mu_);
  std::vector<Delivery> out;
  out.reserve(deliveries_.size());
  for (const auto& [id, d] : deliveries_) out.push_back(d);
  return out;
}

std::size_t MemoryOutbox::size() const {
  std::lock_guard lock(mu_);
  return deliveries_.size();
}

}  // namespace blockhealth
