// InstanceHealth: one instance's status, combined from its policies'
// trackers and the built-in staleness check, with its transition history.
#ifndef BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H
#define BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/policy_tracker.h"
#include "core/model/transition.h"

namespace blockhealth {

// The combined verdict of an instance at one moment.
struct InstanceVerdict {
  Status status = Status::kUnknown;
  std::string policy;  // which policy (or built-in check) decided it; "" = none yet
  std::string reason;
  std::optional<Evidence> evidence;
};

// Not thread-safe: owned and used by the engine thread only.
class InstanceHealth {
 public:
  InstanceHealth(std::string block_id, std::string instance_id, std::size_t history_size);

  // Makes the trackers match `policy_ids` (in config order): trackers of ids
  // that stay keep their state, new ids start fresh, gone ids are dropped.
  void set_policies(const std::vector<std::string>& policy_ids,
                    const std::vector<Thresholds>& thresholds);
  void set_history_size(std::size_t n);

  // The tracker of policy `id`; nullptr when the instance has none (the
  // policy does not judge this instance).
  PolicyTracker* find_tracker(std::string_view id);

  // REQUIRES: index < policy count.
  PolicyTracker& tracker(std::size_t index) { return trackers_[index].tracker; }
  const PolicyTracker& tracker(std::size_t index) const { return trackers_[index].tracker; }
  const std::string& policy_id(std::size_t index) const { return trackers_[index].id; }
  std::size_t policy_count() const { return trackers_.size(); }

  // Recomputes the combined verdict at `now_ms` given when the instance was
  // last heard of (0 = never) and the staleness limit. A changed status is
  // appended to the history (bounded; the oldest goes first) and returned.
  // `seq` numbers the transition and is advanced only when one is returned.
  // `stale_detail`, when not empty, ends the reason of an instance with no
  // (recent) observations: why its sources bring none ("metrics
  // http://h/metrics: HTTP 503").
  std::optional<Transition> update(std::int64_t now_ms, std::int64_t last_seen_ms,
                                   std::int64_t stale_after_ms, std::uint64_t& seq,
                                   std::string_view stale_detail = {});

  const InstanceVerdict& verdict() const { return verdict_; }
  std::int64_t since_ms() const { return since_ms_; }  // current status began
  const std::deque<Transition>& history() const { return history_; }
  // Adds transitions recorded earlier (e.g. loaded from disk), oldest first.
  void restore_history(std::deque<Transition> history);

 private:
  struct Entry {
    std::string id;
    PolicyTracker tracker;
  };
  InstanceVerdict combine(std::int64_t now_ms, std::int64_t last_seen_ms,
                          std::int64_t stale_after_ms, std::string_view stale_detail) const;

  std::string block_id_;
  std::string instance_id_;
  std::size_t history_size_;
  std::vector<Entry> trackers_;
  InstanceVerdict verdict_{Status::kUnknown, "", "no observations yet", {}};
  std::int64_t since_ms_ = 0;
  std::deque<Transition> history_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H
