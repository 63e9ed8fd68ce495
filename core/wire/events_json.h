// GET /v1/events: {"events":[...],"next":N,"complete":true}.
#ifndef BLOCKHEALTH_CORE_WIRE_EVENTS_JSON_H
#define BLOCKHEALTH_CORE_WIRE_EVENTS_JSON_H

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/transition.h"

namespace blockhealth::wire {

// `events` oldest first; `next` is the cursor to ask after next.
std::string events_body(const std::vector<Transition>& events, std::uint64_t next, bool complete);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_EVENTS_JSON_H
