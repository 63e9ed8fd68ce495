// Visit schedule: when the engine must look at a block again. A block is
// visited only when something may have changed: news from its records, a
// verdict that held until now, a pending switch, a staleness limit, a
// moving flap detector, a hold or a quarantine that ends.
#ifndef BLOCKHEALTH_CORE_ENGINE_VISIT_SCHEDULE_H
#define BLOCKHEALTH_CORE_ENGINE_VISIT_SCHEDULE_H

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "core/engine/block_state.h"

namespace blockhealth {

// The first time phase + k * interval (k an integer) at or after `t`.
// REQUIRES: interval > 0.
std::int64_t tick_at_or_after(std::int64_t phase, std::int64_t interval, std::int64_t t);

// The next tick of the block's own interval after `now_ms` (health,
// staleness and flapping follow it).
std::int64_t next_block_tick(const BlockState& block, std::int64_t now_ms);

// When `block` needs its next visit after one at `now_ms`, or 0 when
// nothing will change without news. Always later than now_ms.
std::int64_t next_visit_ms(const BlockState& block, std::int64_t now_ms);

// When news that just arrived should be looked at: the next tick of any
// policy, or of the block itself, and not before now.
std::int64_t news_visit_ms(const BlockState& block, std::int64_t now_ms);

// Blocks waiting for their next visit, earliest first. An entry counts only
// while block->next_visit_ms still equals its time (a block rescheduled
// earlier or later leaves stale entries behind, skipped when popped).
// Engine thread only.
class DueQueue {
 public:
  // Queues `block` at `at_ms` unless it is already queued at or before it.
  void schedule(BlockState& block, std::int64_t at_ms);
  // Pops the blocks due at or before `now_ms` into `out`.
  void pop_due(std::int64_t now_ms, std::vector<BlockState*>& out);
  // The earliest live entry's time, or 0 when none.
  std::int64_t earliest();
  // Drops every entry of the blocks `gone` names (they are stopping).
  void forget(const std::function<bool(const BlockState*)>& gone);
  std::size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    std::int64_t at;
    BlockState* block;
    bool operator>(const Entry& o) const { return at > o.at; }
  };
  void drop_stale_top();
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_VISIT_SCHEDULE_H
