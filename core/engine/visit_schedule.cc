#include "core/engine/visit_schedule.h"

#include <algorithm>
#include <limits>

#include "core/engine/block_evaluation.h"
#include "core/engine/health_update.h"

namespace blockhealth {

std::int64_t tick_at_or_after(std::int64_t phase, std::int64_t interval, std::int64_t t) {
  std::int64_t k = (t - phase) / interval;
  std::int64_t at = phase + k * interval;
  while (at < t) at += interval;
  while (at - interval >= t) at -= interval;
  return at;
}

std::int64_t next_block_tick(const BlockState& block, std::int64_t now_ms) {
  const std::int64_t interval = std::max<std::int64_t>(1, block.config.settings.interval.count());
  return tick_at_or_after(block.phase_ms, interval, now_ms + 1);
}

std::int64_t next_visit_ms(const BlockState& block, std::int64_t now_ms) {
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::int64_t best = kNone;
  const auto consider = [&](std::int64_t t) {
    if (t > now_ms) best = std::min(best, t);
  };
  if (block.hold_check_ms != 0) consider(block.hold_check_ms);
  for (std::size_t p = 0; p < block.policies.size(); ++p) {
    const PolicySlot& policy = block.policies[p];
    if (policy.quarantine.active(now_ms)) consider(policy.quarantine.until_ms());
    if (block.paused || policy.in_flight) continue;  // results will reschedule
    const std::int64_t next_tick = std::max(policy.next_tick_ms, now_ms + 1);
    for (const InstanceSlotPtr& in : block.instances) {
      const int t = in->tracker_of[p];
      if (t < 0) continue;
      const PolicyTracker& tracker = in->health.tracker(static_cast<std::size_t>(t));
      const std::int64_t until = tracker.valid_until_ms();
      if (tracker_due(*in, tracker, policy.inputs, next_tick)) {
        consider(next_tick);
        break;  // nothing of this policy can come earlier
      }
      if (until != BH_VALID_UNTIL_NEW_DATA) {
        consider(tick_at_or_after(block.phase_ms, policy.interval_ms, until));
      }
    }
  }
  const std::int64_t stale_ms = block.config.settings.stale_after.count();
  std::int64_t block_tick = 0;
  for (const InstanceSlotPtr& in : block.instances) {
    if (health_needs_each_interval(block, *in, now_ms)) {
      if (block_tick == 0) block_tick = next_block_tick(block, now_ms);
      consider(block_tick);
      continue;
    }
    const std::int64_t last_seen = in->record->last_seen_cell()->load(std::memory_order_relaxed);
    consider(InstanceHealth::stale_at(last_seen, stale_ms));
  }
  return best == kNone ? 0 : best;
}

std::int64_t news_visit_ms(const BlockState& block, std::int64_t now_ms) {
  std::int64_t best = next_block_tick(block, now_ms - 1);
  if (!block.paused) {
    for (const PolicySlot& p : block.policies) best = std::min(best, p.next_tick_ms);
  }
  return std::max(best, now_ms);
}

void DueQueue::schedule(BlockState& block, std::int64_t at_ms) {
  if (block.next_visit_ms != 0 && block.next_visit_ms <= at_ms) return;
  block.next_visit_ms = at_ms;
  heap_.push({at_ms, &block});
}

void DueQueue::drop_stale_top() {
  while (!heap_.empty() && heap_.top().block->next_visit_ms != heap_.top().at) heap_.pop();
}

void DueQueue::pop_due(std::int64_t now_ms, std::vector<BlockState*>& out) {
  while (true) {
    drop_stale_top();
    if (heap_.empty() || heap_.top().at > now_ms) return;
    BlockState* b = heap_.top().block;
    heap_.pop();
    b->next_visit_ms = 0;
    out.push_back(b);
  }
}

std::int64_t DueQueue::earliest() {
  drop_stale_top();
  return heap_.empty() ? 0 : heap_.top().at;
}

void DueQueue::forget(const std::function<bool(const BlockState*)>& gone) {
  std::vector<Entry> keep;
  keep.reserve(heap_.size());
  while (!heap_.empty()) {
    if (!gone(heap_.top().block)) keep.push_back(heap_.top());
    heap_.pop();
  }
  for (const Entry& e : keep) heap_.push(e);
}

}  // namespace blockhealth
