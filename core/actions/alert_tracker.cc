#include "core/actions/alert_tracker.h"

#include <algorithm>
#include <utility>

#include "core/actions/alertmanager_alert.h"

namespace blockhealth {

void AlertTracker::set_self_url(std::string url) {
  self_url_ = std::move(url);
  for (auto& [key, a] : alerts_)
    a.sent.generator_url = generator_url_for(self_url_, std::get<0>(key));
}

AlertTracker::Post AlertTracker::post_for(const Key& key, std::uint64_t seq) const {
  Post p;
  p.block_id = std::get<0>(key);
  p.instance_id = std::get<1>(key);
  p.action = std::get<2>(key);
  p.transition_seq = seq;
  return p;
}

std::optional<AlertTracker::Post> AlertTracker::resolve(std::map<Key, Alert>::iterator it,
                                                        std::uint64_t seq, std::int64_t at_ms) {
  Post p = post_for(it->first, seq);
  if (it->second.firing) p.alerts.push_back(resolved_copy(it->second.sent, at_ms));
  alerts_.erase(it);
  if (p.alerts.empty()) return std::nullopt;
  return p;
}

std::optional<AlertTracker::Post> AlertTracker::fire(const Key& key, const Transition& t,
                                                     const PreparedAction& action,
                                                     std::int64_t now_ms) {
  Post p = post_for(key, t.seq);
  wire::PostableAlert next = alert_for(t, action, self_url_);
  if (const auto it = alerts_.find(key); it != alerts_.end()) {
    const Alert& old = it->second;
    if (old.sent.labels == next.labels) {
      next.starts_ms = old.sent.starts_ms;  // the same alert, still on
    } else if (old.firing) {
      p.alerts.push_back(resolved_copy(old.sent, std::min(t.time_ms, now_ms)));
    }
  }
  Alert& a = alerts_[key];
  a.url = action.url.text;
  a.transition = t;
  a.sent = next;
  a.resend_every = action.resend_every;
  a.firing = true;
  a.confirmed = true;
  a.due_ms = now_ms + action.resend_every.count();
  p.alerts.push_back(firing_copy(std::move(next), now_ms, action.resend_every));
  return p;
}

std::optional<AlertTracker::Post> AlertTracker::notify(const Transition& t,
                                                       const PreparedAction& action,
                                                       std::int64_t now_ms) {
  const Key key{t.block_id, t.instance_id, action.name};
  if (action.triggers_on(t.to)) return fire(key, t, action, now_ms);
  const auto it = alerts_.find(key);
  if (it == alerts_.end()) return std::nullopt;
  return resolve(it, t.seq, std::min(t.time_ms, now_ms));
}

std::optional<AlertTracker::Post> AlertTracker::held(const Transition& t,
                                                     const PreparedAction& action,
                                                     std::int64_t now_ms) {
  switch (t.hold) {
    case HoldKind::kNone:
    case HoldKind::kFlapping:
      return std::nullopt;
    case HoldKind::kNotifiedBeforeRestart:
      return notify(t, action, now_ms);
    case HoldKind::kRemoved: {  // gone from the block: its alert resolves
      const auto gone = alerts_.find(Key{t.block_id, t.instance_id, action.name});
      if (gone == alerts_.end()) return std::nullopt;
      return resolve(gone, t.seq, std::min(t.time_ms, now_ms));
    }
    case HoldKind::kMaintenance:
    case HoldKind::kSilence:
      break;
  }
  const auto it = alerts_.find(Key{t.block_id, t.instance_id, action.name});
  if (it == alerts_.end()) return std::nullopt;
  Alert& a = it->second;
  if (a.transition.to != t.to || !action.triggers_on(t.to)) {
    return resolve(it, t.seq, std::min(t.time_ms, now_ms));
  }
  // Held in the alert's own status (a restored alert, confirmed here):
  // resolved while held, fired again when the hold ends (take_due).
  Post p = post_for(it->first, t.seq);
  if (a.firing) p.alerts.push_back(resolved_copy(a.sent, now_ms));
  wire::PostableAlert next = alert_for(t, action, self_url_);
  if (next.labels == a.sent.labels) next.starts_ms = a.sent.starts_ms;
  a.url = action.url.text;
  a.transition = t;
  a.sent = std::move(next);
  a.resend_every = action.resend_every;
  a.firing = false;
  a.confirmed = true;
  a.due_ms = now_ms + a.resend_every.count();
  if (p.alerts.empty()) return std::nullopt;
  return p;
}

std::vector<AlertTracker::Post> AlertTracker::take_due(std::int64_t now_ms, const OpenFn& open,
                                                       const BusyFn& busy, const OpenFn& known) {
  std::vector<Post> out;
  for (auto it = alerts_.begin(); it != alerts_.end();) {
    Alert& a = it->second;
    if (a.due_ms > now_ms) {
      ++it;
      continue;
    }
    if (!a.confirmed) {  // restored, and Alertmanager has ended it by now
      it = alerts_.erase(it);
      continue;
    }
    a.due_ms = now_ms + a.resend_every.count();
    const auto& [block, instance, action] = it->first;
    if (known && !known(block, instance)) {
      if (auto p = resolve(it++, a.transition.seq, now_ms)) out.push_back(std::move(*p));
      continue;
    }
    if (busy && busy(block, instance, action)) {
      ++it;
      continue;
    }
    if (!open || open(block, instance)) {
      Post p = post_for(it->first, a.transition.seq);
      p.alerts.push_back(firing_copy(a.sent, now_ms, a.resend_every));
      p.resend = a.firing;
      a.firing = true;
      out.push_back(std::move(p));
    } else if (a.firing) {
      Post p = post_for(it->first, a.transition.seq);
      p.alerts.push_back(resolved_copy(a.sent, now_ms));
      a.firing = false;
      out.push_back(std::move(p));
    }
    ++it;
  }
  return out;
}

std::optional<std::int64_t> AlertTracker::next_due() const {
  std::optional<std::int64_t> next;
  for (const auto& [key, a] : alerts_) {
    if (!next || a.due_ms < *next) next = a.due_ms;
  }
  return next;
}

std::vector<AlertTracker::Post> AlertTracker::apply(const ActionPlan& plan, std::int64_t now_ms) {
  std::vector<Post> out;
  std::map<Key, Alert> kept;
  for (auto& [key, a] : alerts_) {
    const auto& [block_id, instance, name] = key;
    const BlockActions* block = plan.block(block_id);
    const PreparedAction* action = block != nullptr ? block->find(name, a.url) : nullptr;
    if (action == nullptr || action->kind != ActionKind::kAlertmanager) continue;
    const Key now_key{block_id, instance, action->name};
    if (!action->triggers_on(a.transition.to)) {
      if (a.firing) {
        Post p = post_for(now_key, a.transition.seq);
        p.alerts.push_back(resolved_copy(a.sent, now_ms));
        out.push_back(std::move(p));
      }
      continue;
    }
    wire::PostableAlert next = alert_for(a.transition, *action, self_url_);
    next.starts_ms = a.sent.starts_ms;
    if (next.labels != a.sent.labels && a.firing) {
      Post p = post_for(now_key, a.transition.seq);
      p.alerts.push_back(resolved_copy(a.sent, now_ms));
      if (a.confirmed) {
        p.alerts.push_back(firing_copy(next, now_ms, action->resend_every));
      } else {
        a.firing = false;  // the new labels fire once the restart's alert is confirmed
      }
      out.push_back(std::move(p));
    }
    a.sent = std::move(next);
    a.resend_every = action->resend_every;
    if (a.confirmed) a.due_ms = std::min(a.due_ms, now_ms + a.resend_every.count());
    kept.emplace(now_key, std::move(a));
  }
  alerts_ = std::move(kept);
  return out;
}

void AlertTracker::restore(const std::vector<Transition>& recent, const ActionPlan& plan,
                           std::int64_t now_ms) {
  std::map<std::pair<std::string, std::string>, const Transition*> last;
  for (const Transition& t : recent) {
    const Transition*& slot = last[{t.block_id, t.instance_id}];
    if (slot == nullptr || t.seq > slot->seq) slot = &t;
  }
  for (const auto& [instance, t] : last) {
    const BlockActions* block = plan.block(t->block_id);
    if (block == nullptr) continue;
    for (const PreparedAction& action : block->actions) {
      if (action.kind != ActionKind::kAlertmanager || !action.triggers_on(t->to)) continue;
      const Key key{t->block_id, t->instance_id, action.name};
      if (alerts_.count(key) != 0) continue;
      Alert a;
      a.url = action.url.text;
      a.transition = *t;
      a.sent = alert_for(*t, action, self_url_);
      a.resend_every = action.resend_every;
      a.firing = true;
      a.confirmed = false;
      a.due_ms = now_ms + firing_ttl(action.resend_every).count();
      alerts_.emplace(key, std::move(a));
    }
  }
}

std::size_t AlertTracker::firing() const {
  std::size_t n = 0;
  for (const auto& [key, a] : alerts_) n += a.firing && a.confirmed ? 1 : 0;
  return n;
}

}  // namespace blockhealth
