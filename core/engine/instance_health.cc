#include "core/engine/instance_health.h"

#include <utility>

namespace blockhealth {
namespace {

std::string seconds_text(std::int64_t ms) {
  return std::to_string(ms / 1000) + (ms % 1000 == 0 ? "" : "." + std::to_string(ms % 1000 / 100)) +
         "s";
}

}  // namespace

InstanceHealth::InstanceHealth(std::string block_id, std::string instance_id,
                               std::size_t history_size)
    : block_id_(std::move(block_id)),
      instance_id_(std::move(instance_id)),
      history_size_(history_size) {}

void InstanceHealth::set_policies(const std::vector<std::string>& policy_ids,
                                  const std::vector<Thresholds>& thresholds) {
  std::vector<Entry> next;
  next.reserve(policy_ids.size());
  for (std::size_t i = 0; i < policy_ids.size(); ++i) {
    Entry entry{policy_ids[i], PolicyTracker(thresholds[i])};
    for (Entry& old : trackers_) {
      if (old.id == policy_ids[i]) {
        entry.tracker = old.tracker;
        entry.tracker.set_thresholds(thresholds[i]);
        break;
      }
    }
    next.push_back(std::move(entry));
  }
  trackers_ = std::move(next);
}

PolicyTracker* InstanceHealth::find_tracker(std::string_view id) {
  for (Entry& e : trackers_) {
    if (e.id == id) return &e.tracker;
  }
  return nullptr;
}

void InstanceHealth::set_history_size(std::size_t n) {
  history_size_ = n;
  while (history_.size() > history_size_) history_.pop_front();
}

InstanceVerdict InstanceHealth::combine(std::int64_t now_ms, std::int64_t last_seen_ms,
                                        std::int64_t stale_after_ms,
                                        std::string_view stale_detail) const {
  const std::string detail = stale_detail.empty() ? "" : "; " + std::string(stale_detail);
  if (last_seen_ms == 0) return {Status::kUnknown, "staleness", "no observations yet" + detail, {}};
  if (stale_after_ms > 0 && now_ms - last_seen_ms > stale_after_ms) {
    return {Status::kUnknown,
            "staleness",
            "no observations for " + seconds_text(now_ms - last_seen_ms) + " (stale_after " +
                seconds_text(stale_after_ms) + ")" + detail,
            {}};
  }
  if (trackers_.empty()) return {Status::kOk, "", "observed, no policies configured", {}};
  const Entry* worst = &trackers_.front();
  for (const Entry& e : trackers_) {
    if (severity(e.tracker.effective().status) > severity(worst->tracker.effective().status)) {
      worst = &e;
    }
  }
  const PolicyVerdict& v = worst->tracker.effective();
  return {v.status, worst->id, worst->id + ": " + v.reason, v.evidence};
}

std::optional<Transition> InstanceHealth::update(std::int64_t now_ms, std::int64_t last_seen_ms,
                                                 std::int64_t stale_after_ms, std::uint64_t& seq,
                                                 std::string_view stale_detail) {
  InstanceVerdict next = combine(now_ms, last_seen_ms, stale_after_ms, stale_detail);
  const Status from = verdict_.status;
  const bool changed = next.status != from;
  verdict_ = std::move(next);
  if (since_ms_ == 0) since_ms_ = now_ms;
  if (!changed) return std::nullopt;
  since_ms_ = now_ms;
  Transition t;
  t.seq = ++seq;
  t.time_ms = now_ms;
  t.block_id = block_id_;
  t.instance_id = instance_id_;
  t.from = from;
  t.to = verdict_.status;
  t.policy = verdict_.policy;
  t.reason = verdict_.reason;
  t.evidence = verdict_.evidence;
  history_.push_back(t);
  while (history_.size() > history_size_) history_.pop_front();
  return t;
}

void InstanceHealth::restore_history(std::deque<Transition> history) {
  for (Transition& t : history_) history.push_back(std::move(t));
  history_ = std::move(history);
  while (history_.size() > history_size_) history_.pop_front();
}

}  // namespace blockhealth
