#include "core/engine/engine_events.h"

namespace blockhealth {

std::string_view to_string(CallOutcome o) {
  switch (o) {
    case CallOutcome::kOk:
      return "ok";
    case CallOutcome::kError:
      return "error";
    case CallOutcome::kTimeout:
      return "timeout";
    case CallOutcome::kBusy:
      return "busy";
    case CallOutcome::kQuarantined:
      return "quarantined";
    case CallOutcome::kRejected:
      return "rejected";
  }
  return "error";
}

std::string_view to_string(NotifyKind k) {
  return k == NotifyKind::kFlapEnded ? "flap_ended" : "transition";
}

}  // namespace blockhealth
