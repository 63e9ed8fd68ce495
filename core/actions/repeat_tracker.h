// RepeatTracker: `repeat_after` bookkeeping for one dispatcher. Pure
// bookkeeping over times given by the caller, no timers, no I/O.
//
// Per (block, instance, action), for blocks whose repeat_after > 0:
// - suppression: a notification with the same status as the previous one
//   that went out for that action less than repeat_after ago is suppressed;
// - repeats: after a notification went out, while the instance stays in
//   that status, the same notification is due again every repeat_after.
//   Any change of the instance's status (observe(), held transitions
//   included) disarms it; the next notification arms it again.
// With repeat_after == 0 nothing is tracked: every notification goes out
// once and none is repeated.
#ifndef BLOCKHEALTH_CORE_ACTIONS_REPEAT_TRACKER_H
#define BLOCKHEALTH_CORE_ACTIONS_REPEAT_TRACKER_H

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/actions/action_plan.h"
#include "core/model/transition.h"

namespace blockhealth {

// Not thread-safe: the dispatcher guards it with its mutex.
class RepeatTracker {
 public:
  // The instance is now in t.to: repeats armed for another status of this
  // instance are disarmed.
  void observe(const Transition& t);

  // Whether a notification of t.to for `action` goes out at `now_ms`, and
  // records it when it does (arming its repeat when repeat_after > 0).
  // Implies observe(t).
  bool admit(const Transition& t, const std::string& action, std::chrono::milliseconds repeat_after,
             std::int64_t now_ms);

  struct Due {
    Transition transition;  // the transition first notified
    std::string action;
  };
  // The repeats due at `now_ms`, each re-armed repeat_after later (and
  // recorded as gone out: the caller sends it or, when held, skips it).
  // Forgets entries that can no longer matter (disarmed, and their
  // suppression window over).
  std::vector<Due> take_due(std::int64_t now_ms);

  // The earliest armed repeat; none when nothing is armed.
  std::optional<std::int64_t> next_due() const;
  std::size_t armed() const;
  std::size_t tracked() const { return states_.size(); }  // (instance, action) pairs remembered

  // After a reload: forgets the entries of blocks and actions that are gone,
  // of blocks whose repeat_after is now 0, and of actions that no longer
  // trigger on the status they track; takes the new repeat_after.
  void apply(const ActionPlan& plan);

 private:
  struct State {
    Status status = Status::kUnknown;  // of the last notification that went out
    std::int64_t last_ms = 0;          // when it went out
    std::chrono::milliseconds repeat_after{0};
    bool armed = false;
    std::int64_t due_ms = 0;
    Transition transition;
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // block, instance, action

  std::map<Key, State> states_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_REPEAT_TRACKER_H
