// The JSON bodies actions POST (docs/actions.md). Pure functions; thread-safe.
#ifndef BLOCKHEALTH_CORE_WIRE_ACTION_BODIES_H
#define BLOCKHEALTH_CORE_WIRE_ACTION_BODIES_H

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "core/model/action_event.h"
#include "core/model/transition.h"

namespace blockhealth::wire {

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

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_ACTION_BODIES_H
