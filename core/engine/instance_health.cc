#include "core/engine/instance_health.h"

#include <charconv>
#include <utility>

namespace blockhealth {
namespace {

// "45s", "45.5s" (tenths, cut).
void append_seconds(std::string& out, std::int64_t ms) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ms / 1000);
  out.append(digits, end);
  if (ms % 1000 != 0) {
    out += '.';
    out += static_cast<char>('0' + ms % 1000 / 100);
  }
  out += 's';
}

void trim_history(std::vector<Transition>& history, std::size_t size) {
  if (history.size() > size) {
    history.erase(history.begin(),
                  history.begin() + static_cast<std::ptrdiff_t>(history.size() - size));
  }
}

}  // namespace

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
  const int i = tracker_index(id);
  return i < 0 ? nullptr : &trackers_[static_cast<std::size_t>(i)].tracker;
}

int InstanceHealth::tracker_index(std::string_view id) const {
  for (std::size_t i = 0; i < trackers_.size(); ++i) {
    if (trackers_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

void InstanceHealth::set_history_size(std::size_t n) {
  history_size_ = n;
  trim_history(history_, history_size_);
}

std::int64_t InstanceHealth::stale_at(std::int64_t last_seen_ms, std::int64_t stale_after_ms) {
  if (last_seen_ms == 0 || stale_after_ms <= 0) return 0;
  return last_seen_ms + stale_after_ms + 1;
}

HealthUpdate InstanceHealth::update(std::string_view block_id, std::string_view instance_id,
                                    std::int64_t now_ms, std::int64_t last_seen_ms,
                                    std::int64_t stale_after_ms, std::uint64_t& seq,
                                    std::string_view stale_detail) {
  // The next verdict is composed in a per-thread buffer and copied into
  // verdict_ only where it differs: no allocation in the steady state.
  thread_local std::string reason;
  reason.clear();
  Status status = Status::kOk;
  std::string_view policy;
  const std::optional<Evidence>* evidence = nullptr;
  const bool never = last_seen_ms == 0;
  if (never || (stale_after_ms > 0 && now_ms - last_seen_ms > stale_after_ms)) {
    status = Status::kUnknown;
    policy = "staleness";
    if (never) {
      reason = "no observations yet";
    } else {
      reason = "no observations for ";
      append_seconds(reason, now_ms - last_seen_ms);
      reason += " (stale_after ";
      append_seconds(reason, stale_after_ms);
      reason += ')';
    }
    if (!stale_detail.empty()) {
      reason += "; ";
      reason += stale_detail;
    }
  } else if (trackers_.empty()) {
    reason = "observed, no policies configured";
  } else {
    const Entry* worst = &trackers_.front();
    for (const Entry& e : trackers_) {
      if (severity(e.tracker.effective().status) > severity(worst->tracker.effective().status)) {
        worst = &e;
      }
    }
    const PolicyVerdict& v = worst->tracker.effective();
    status = v.status;
    policy = worst->id;
    reason.append(worst->id);
    reason += ": ";
    reason += v.reason;
    evidence = &v.evidence;
  }

  HealthUpdate out;
  stale_ = policy == "staleness";
  const Status from = verdict_.status;
  const bool same_evidence =
      evidence == nullptr ? !verdict_.evidence.has_value() : verdict_.evidence == *evidence;
  out.significant = status != from || verdict_.policy != policy || verdict_.reason != reason;
  if (out.significant || !same_evidence) {
    out.shown = true;
    verdict_.status = status;
    verdict_.policy.assign(policy);
    verdict_.reason.assign(reason);
    if (evidence == nullptr) {
      verdict_.evidence.reset();
    } else {
      verdict_.evidence = *evidence;
    }
  }
  if (since_ms_ == 0) {
    since_ms_ = now_ms;
    out.shown = true;
  }
  if (status == from) return out;
  since_ms_ = now_ms;
  Transition t;
  t.seq = ++seq;
  t.time_ms = now_ms;
  t.block_id = block_id;
  t.instance_id = instance_id;
  t.from = from;
  t.to = verdict_.status;
  t.policy = verdict_.policy;
  t.reason = verdict_.reason;
  t.evidence = verdict_.evidence;
  history_.push_back(t);
  trim_history(history_, history_size_);
  out.transition = std::move(t);
  return out;
}

void InstanceHealth::restore_history(std::vector<Transition> history) {
  for (Transition& t : history_) history.push_back(std::move(t));
  history_ = std::move(history);
  trim_history(history_, history_size_);
}

}  // namespace blockhealth
