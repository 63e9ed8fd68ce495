// ActionEvent: why a notification goes out. The bodies actions POST are
// built by core/wire/action_bodies.h (docs/actions.md).
#ifndef BLOCKHEALTH_CORE_MODEL_ACTION_EVENT_H
#define BLOCKHEALTH_CORE_MODEL_ACTION_EVENT_H

#include <string_view>

namespace blockhealth {

enum class ActionEvent {
  kTransition,  // the instance changed status (engine: NotifyKind::kTransition)
  kFlapEnded,   // it stopped flapping, settled in t.to (engine: NotifyKind::kFlapEnded)
  kRepeat,      // it is still in t.to after repeat_after (the dispatcher's own timer)
};
std::string_view to_string(ActionEvent e);  // "transition", "flap_ended", "repeat"

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_ACTION_EVENT_H
