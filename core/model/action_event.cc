#include "core/model/action_event.h"

namespace blockhealth {

std::string_view to_string(ActionEvent e) {
  switch (e) {
    case ActionEvent::kTransition:
      return "transition";
    case ActionEvent::kFlapEnded:
      return "flap_ended";
    case ActionEvent::kRepeat:
      return "repeat";
  }
  return "transition";
}

}  // namespace blockhealth
