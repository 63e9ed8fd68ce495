#include "core/actions/delivery_queue.h"

#include <algorithm>
#include <utility>

namespace blockhealth {

std::string DeliveryQueue::lane_of(const Delivery& d) {
  std::string lane = d.block_id;
  lane += '\0';
  lane += d.instance_id;
  lane += '\0';
  lane += d.action;
  return lane;
}

bool DeliveryQueue::has_lane(const std::string& block_id, const std::string& instance_id,
                             const std::string& action) const {
  std::string lane = block_id;
  lane += '\0';
  lane += instance_id;
  lane += '\0';
  lane += action;
  return lanes_.count(lane) != 0;
}

DeliveryQueue::Key DeliveryQueue::push_back(Delivery d, bool durable) {
  const Key key = next_back_++;
  lanes_[lane_of(d)].insert(key);
  entries_.emplace(key, Entry{std::move(d), durable, false});
  return key;
}

std::size_t DeliveryQueue::push_front_loaded(const std::vector<Delivery>& loaded) {
  std::set<std::int64_t> held;
  for (const auto& [key, e] : entries_) {
    if (e.durable) held.insert(e.delivery.id);
  }
  std::size_t added = 0;
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    if (held.count(it->id) > 0) continue;
    const Key key = next_front_--;
    lanes_[lane_of(*it)].insert(key);
    entries_.emplace(key, Entry{*it, true, false});
    ++added;
  }
  return added;
}

std::vector<DeliveryQueue::Key> DeliveryQueue::ready(std::int64_t now_ms, std::size_t limit) const {
  std::vector<std::pair<std::int64_t, Key>> due;
  for (const auto& [lane, keys] : lanes_) {
    const Entry& head = entries_.at(*keys.begin());
    if (head.in_flight || head.delivery.next_attempt_ms > now_ms) continue;
    due.emplace_back(head.delivery.next_attempt_ms, *keys.begin());
  }
  std::sort(due.begin(), due.end());
  std::vector<Key> out;
  for (std::size_t i = 0; i < due.size() && i < limit; ++i) out.push_back(due[i].second);
  return out;
}

std::optional<std::int64_t> DeliveryQueue::next_due() const {
  std::optional<std::int64_t> next;
  for (const auto& [lane, keys] : lanes_) {
    const Entry& head = entries_.at(*keys.begin());
    if (head.in_flight) continue;
    if (!next || head.delivery.next_attempt_ms < *next) next = head.delivery.next_attempt_ms;
  }
  return next;
}

DeliveryQueue::Entry* DeliveryQueue::find(Key key) {
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void DeliveryQueue::set_in_flight(Key key, bool in_flight) {
  Entry* e = find(key);
  if (e == nullptr || e->in_flight == in_flight) return;
  e->in_flight = in_flight;
  if (in_flight) {
    ++in_flight_;
  } else {
    --in_flight_;
  }
}

void DeliveryQueue::erase(Key key) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.in_flight) --in_flight_;
  const auto lane = lanes_.find(lane_of(it->second.delivery));
  if (lane != lanes_.end()) {
    lane->second.erase(key);
    if (lane->second.empty()) lanes_.erase(lane);
  }
  entries_.erase(it);
}

std::vector<DeliveryQueue::Key> DeliveryQueue::keys() const {
  std::vector<Key> out;
  out.reserve(entries_.size());
  for (const auto& [key, e] : entries_) out.push_back(key);
  return out;
}

}  // namespace blockhealth
