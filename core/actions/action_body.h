// The JSON bodies actions POST (docs/actions.md). Pure functions; thread-safe.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ACTION_BODY_H
#define BLOCKHEALTH_CORE_ACTIONS_ACTION_BODY_H

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/model/transition.h"

namespace blockhealth {

// Why a notification goes out.
enum class ActionEvent {
  kTransition,  // the instance changed status (engine: NotifyKind::kTransition)
  kFlapEnded,   // it stopped flapping, settled in t.to (engine: NotifyKind::kFlapEnded)
  kRepeat,      // it is still in t.to after repeat_after (the dispatcher's own timer)
};
std::string_view to_string(ActionEvent e);  // "transition", "flap_ended", "repeat"

// A webhook's body, keys in this order:
//   {"event":"transition"|"flap_ended","seq":7,"time":"2026-01-15T08:00:00.000Z",
//    "block_id":"b","instance_id":"i","from":"ok","to":"unhealthy","policy":"p",
//    "reason":"...","evidence":{"metric":"m","observed":91.0,"limit":88.0}|null,
//    "repeat":false}
// A repeat says "event":"transition" and "repeat":true (the transition
// repeated, with its own seq and time).
std::string webhook_body(const Transition& t, ActionEvent event);

// A failure-policy call's body, exactly the AIOS shape:
//   {"failure_policy_id":"id","inputs":{"block_id":"b","instance_id":"i",
//    "status":"unhealthy","reason":"..."},"parameters":{...}}
// `parameters` is the action's `parameters:` as JSON ({} when absent).
std::string failure_policy_body(const Transition& t, std::string_view failure_policy_id,
                                const boost::json::value& parameters);

// "2026-01-15T08:00:00.123Z" (UTC, milliseconds), as /v1/events writes times.
std::string format_utc_ms(std::int64_t ms);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ACTION_BODY_H
