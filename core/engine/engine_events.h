// What the engine tells the rest of the daemon as it runs: transitions (for
// history, actions, event streams) and plugin call outcomes (for metrics).
#ifndef BLOCKHEALTH_CORE_ENGINE_ENGINE_EVENTS_H
#define BLOCKHEALTH_CORE_ENGINE_ENGINE_EVENTS_H

#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/transition.h"

namespace blockhealth {

enum class CallOutcome {
  kOk,           // the plugin returned BH_RESULT_OK
  kError,        // it returned an error (or threw, through the SDK)
  kTimeout,      // the engine stopped waiting at the deadline
  kBusy,         // skipped: the previous call had not returned yet
  kQuarantined,  // skipped: the policy is quarantined
  kRejected,     // skipped: the evaluation queue was full
};
std::string_view to_string(CallOutcome o);

// Why on_notify is called.
enum class NotifyKind {
  kTransition,  // an instance changed status and nothing holds its actions
  kFlapEnded,   // it stopped flapping in a status other than the last one notified
};
std::string_view to_string(NotifyKind k);

// Called on the engine thread only; implementations must be quick and must
// not call back into the engine synchronously.
class EngineListener {
 public:
  virtual ~EngineListener() = default;
  // Every transition, held or not (history, events, metrics).
  virtual void on_transition(const Transition& t) { (void)t; }
  // A transition whose actions should run (not in maintenance, silenced or
  // flapping).
  virtual void on_notify(const Transition& t, NotifyKind kind) {
    (void)t;
    (void)kind;
  }
  virtual void on_policy_call(std::string_view block, std::string_view policy, CallOutcome outcome,
                              double seconds) {
    (void)block;
    (void)policy;
    (void)outcome;
    (void)seconds;
  }
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_ENGINE_EVENTS_H
