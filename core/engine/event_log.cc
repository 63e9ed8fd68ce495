#include "core/engine/event_log.h"

#include <algorithm>

namespace blockhealth {

void EventLog::on_transition(const Transition& t) {
  {
    std::lock_guard lock(mu_);
    ring_.push_back({t.seq, t});
    while (ring_.size() > capacity_) {
      evicted_through_ = ring_.front().seq;
      ring_.pop_front();
    }
  }
  notifier_.notify(kEventsKey, t.seq);
}

void EventLog::start_after(std::uint64_t seq) {
  std::lock_guard lock(mu_);
  evicted_through_ = std::max(evicted_through_, seq);
}

EventLog::Page EventLog::after(std::uint64_t after, std::size_t limit,
                               const std::optional<std::string>& block) const {
  Page page;
  page.last_seq = after;
  std::lock_guard lock(mu_);
  page.complete = after >= evicted_through_;
  for (const Entry& e : ring_) {
    if (e.seq <= after) continue;
    if (page.events.size() >= limit) break;
    page.last_seq = e.seq;
    if (block && e.transition.block_id != *block) continue;
    page.events.push_back(e.transition);
  }
  return page;
}

std::uint64_t EventLog::last_seq() const {
  std::lock_guard lock(mu_);
  return ring_.empty() ? evicted_through_ : ring_.back().seq;
}

}  // namespace blockhealth
