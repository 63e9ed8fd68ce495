#include "core/actions/repeat_tracker.h"

namespace blockhealth {

void RepeatTracker::observe(const Transition& t) {
  auto it = states_.lower_bound(Key{t.block_id, t.instance_id, ""});
  for (; it != states_.end(); ++it) {
    const auto& [block, instance, action] = it->first;
    if (block != t.block_id || instance != t.instance_id) break;
    if (it->second.status != t.to) it->second.armed = false;
  }
}

bool RepeatTracker::admit(const Transition& t, const std::string& action,
                          std::chrono::milliseconds repeat_after, std::int64_t now_ms) {
  observe(t);
  if (repeat_after.count() <= 0) return true;
  auto [it, inserted] = states_.try_emplace(Key{t.block_id, t.instance_id, action});
  State& s = it->second;
  if (!inserted && s.status == t.to && now_ms - s.last_ms < repeat_after.count()) {
    return false;
  }
  s.status = t.to;
  s.last_ms = now_ms;
  s.repeat_after = repeat_after;
  s.armed = true;
  s.due_ms = now_ms + repeat_after.count();
  s.transition = t;
  return true;
}

std::vector<RepeatTracker::Due> RepeatTracker::take_due(std::int64_t now_ms) {
  std::vector<Due> out;
  for (auto it = states_.begin(); it != states_.end();) {
    State& s = it->second;
    if (s.armed && s.due_ms <= now_ms) {
      out.push_back(Due{s.transition, std::get<2>(it->first)});
      s.last_ms = now_ms;
      s.due_ms = now_ms + s.repeat_after.count();
    }
    if (!s.armed && now_ms - s.last_ms >= s.repeat_after.count()) {
      it = states_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<std::int64_t> RepeatTracker::next_due() const {
  std::optional<std::int64_t> next;
  for (const auto& [key, s] : states_) {
    if (s.armed && (!next || s.due_ms < *next)) next = s.due_ms;
  }
  return next;
}

std::size_t RepeatTracker::armed() const {
  std::size_t n = 0;
  for (const auto& [key, s] : states_) n += s.armed ? 1 : 0;
  return n;
}

void RepeatTracker::apply(const ActionPlan& plan) {
  for (auto it = states_.begin(); it != states_.end();) {
    const auto& [block_id, instance, action_name] = it->first;
    const BlockActions* block = plan.block(block_id);
    const PreparedAction* action = nullptr;
    if (block != nullptr && block->repeat_after.count() > 0) {
      for (const PreparedAction& a : block->actions) {
        if (a.name == action_name) action = &a;
      }
    }
    if (action == nullptr || !action->triggers_on(it->second.status)) {
      it = states_.erase(it);
      continue;
    }
    it->second.repeat_after = block->repeat_after;
    ++it;
  }
}

}  // namespace blockhealth
