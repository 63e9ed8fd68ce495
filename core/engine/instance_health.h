// InstanceHealth: one instance's status, combined from its policies'
// trackers and the built-in staleness check, with its transition history.
#ifndef BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H
#define BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H

#include <cstdint>
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
  friend bool operator==(const InstanceVerdict&, const InstanceVerdict&) = default;
};

// What one update() found.
struct HealthUpdate {
  bool shown = false;                    // the verdict (status, policy, reason, evidence) changed
  bool significant = false;              // its status, policy or reason changed
  std::optional<Transition> transition;  // the status changed
};

// Not thread-safe: owned by the engine thread; readers that build views
// hold the block's lock (see BlockBoard).
class InstanceHealth {
 public:
  explicit InstanceHealth(std::size_t history_size) : history_size_(history_size) {}

  // Makes the trackers match `policy_ids` (in config order): trackers of ids
  // that stay keep their state, new ids start fresh, gone ids are dropped.
  void set_policies(const std::vector<std::string>& policy_ids,
                    const std::vector<Thresholds>& thresholds);
  void set_history_size(std::size_t n);

  // The tracker of policy `id`; nullptr when the instance has none (the
  // policy does not judge this instance).
  PolicyTracker* find_tracker(std::string_view id);
  // Its index, or -1.
  int tracker_index(std::string_view id) const;

  // REQUIRES: index < policy count.
  PolicyTracker& tracker(std::size_t index) { return trackers_[index].tracker; }
  const PolicyTracker& tracker(std::size_t index) const { return trackers_[index].tracker; }
  const std::string& policy_id(std::size_t index) const { return trackers_[index].id; }
  std::size_t policy_count() const { return trackers_.size(); }

  // Recomputes the combined verdict at `now_ms` given when the instance was
  // last heard of (0 = never) and the staleness limit. A changed status is
  // appended to the history (bounded; the oldest goes first) and returned
  // as a transition of `block_id`/`instance_id`. `seq` numbers the
  // transition and is advanced only when one is returned. `stale_detail`,
  // when not empty, ends the reason of an instance with no (recent)
  // observations: why its sources bring none ("metrics http://h/metrics:
  // HTTP 503"). Allocates only when the reason grows or a transition is
  // made.
  HealthUpdate update(std::string_view block_id, std::string_view instance_id, std::int64_t now_ms,
                      std::int64_t last_seen_ms, std::int64_t stale_after_ms, std::uint64_t& seq,
                      std::string_view stale_detail = {});

  // When the staleness verdict next changes by itself for an instance last
  // seen at `last_seen_ms` (0 when never: it stays "no observations yet").
  static std::int64_t stale_at(std::int64_t last_seen_ms, std::int64_t stale_after_ms);

  const InstanceVerdict& verdict() const { return verdict_; }
  // Whether the verdict is the staleness check's (no recent observation).
  bool stale() const { return stale_; }
  std::int64_t since_ms() const { return since_ms_; }  // current status began
  // Oldest first. A vector, not a deque: an empty one costs no heap, and
  // transitions are rare enough that dropping the oldest by moving is fine.
  const std::vector<Transition>& history() const { return history_; }
  // Adds transitions recorded earlier (e.g. loaded from disk), oldest first.
  void restore_history(std::vector<Transition> history);

 private:
  struct Entry {
    std::string id;
    PolicyTracker tracker;
  };

  std::size_t history_size_;
  std::vector<Entry> trackers_;
  InstanceVerdict verdict_{Status::kUnknown, "", "no observations yet", {}};
  std::int64_t since_ms_ = 0;
  bool stale_ = true;  // "no observations yet" to begin with
  std::vector<Transition> history_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_INSTANCE_HEALTH_H
