// ActionListener: hands the engine's transitions to an ActionDispatcher.
// Add it to the daemon's ListenerFanout:
//   on_transition(t)   (every transition, held or not) -> dispatcher.observe(t)
//   on_notify(t, kind) (those whose actions run)       -> dispatcher.notify(t, event)
// with NotifyKind::kTransition -> ActionEvent::kTransition and
// NotifyKind::kFlapEnded -> ActionEvent::kFlapEnded. Repeats (repeat_after)
// come from the dispatcher's own timers, not from the engine.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ACTION_LISTENER_H
#define BLOCKHEALTH_CORE_ACTIONS_ACTION_LISTENER_H

#include "core/actions/action_dispatcher.h"
#include "core/engine/engine_events.h"

namespace blockhealth {

// Called on the engine thread (EngineListener); each call returns at once
// (the dispatcher writes to its outbox, never to the network). `dispatcher`
// must outlive the listener's use by the engine.
class ActionListener final : public EngineListener {
 public:
  explicit ActionListener(ActionDispatcher& dispatcher) : dispatcher_(dispatcher) {}

  void on_transition(const Transition& t) override { dispatcher_.observe(t); }
  void on_notify(const Transition& t, NotifyKind kind) override {
    dispatcher_.notify(t, to_action_event(kind));
  }

  static ActionEvent to_action_event(NotifyKind kind) {
    return kind == NotifyKind::kFlapEnded ? ActionEvent::kFlapEnded : ActionEvent::kTransition;
  }

 private:
  ActionDispatcher& dispatcher_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ACTION_LISTENER_H
