// DeliveryQueue: the deliveries a dispatcher holds, in lanes, one lane per
// (block, instance, action), so that one instance's notifications to one
// action go out in order: only a lane's head is ever sent, and it stays the
// head until it is delivered or given up. Pure bookkeeping, no I/O.
#ifndef BLOCKHEALTH_CORE_ACTIONS_DELIVERY_QUEUE_H
#define BLOCKHEALTH_CORE_ACTIONS_DELIVERY_QUEUE_H

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model/delivery.h"

namespace blockhealth {

// Not thread-safe: the dispatcher guards it with its mutex.
class DeliveryQueue {
 public:
  struct Entry {
    Delivery delivery;
    bool durable = true;  // in the outbox (delivery.id > 0)
    bool in_flight = false;
  };

  // Key order is lane order: a key greater than another in the same lane
  // goes after it.
  using Key = std::int64_t;

  std::size_t size() const { return entries_.size(); }
  std::size_t in_flight() const { return in_flight_; }

  // Appends `d` at the end of its lane and returns its key.
  Key push_back(Delivery d, bool durable);

  // Puts deliveries read back from the outbox (by id ascending) before every
  // entry already held, in that order; skips those whose id is already held
  // (added before the load). Returns how many were added.
  std::size_t push_front_loaded(const std::vector<Delivery>& loaded);

  // Lane heads that are not in flight and due at `now_ms`, most overdue
  // first, at most `limit`.
  std::vector<Key> ready(std::int64_t now_ms, std::size_t limit) const;
  // The earliest next_attempt_ms of a lane head not in flight; none when
  // every head is in flight or the queue is empty.
  std::optional<std::int64_t> next_due() const;

  Entry* find(Key key);  // nullptr if gone
  void set_in_flight(Key key, bool in_flight);
  void erase(Key key);

  // Every entry (e.g. to drop those of an action that is gone).
  std::vector<Key> keys() const;

  // Whether the lane of (block, instance, action) holds a delivery.
  bool has_lane(const std::string& block_id, const std::string& instance_id,
                const std::string& action) const;

 private:
  static std::string lane_of(const Delivery& d);

  std::map<Key, Entry> entries_;
  std::map<std::string, std::set<Key>> lanes_;  // never holds an empty set
  Key next_back_ = 1;
  Key next_front_ = 0;
  std::size_t in_flight_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_DELIVERY_QUEUE_H
