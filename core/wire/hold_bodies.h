// The bodies of the maintenance and silence endpoints.
#ifndef BLOCKHEALTH_CORE_WIRE_HOLD_BODIES_H
#define BLOCKHEALTH_CORE_WIRE_HOLD_BODIES_H

#include <optional>
#include <string>
#include <vector>

#include "core/model/silence.h"

namespace blockhealth::wire {

// {"success":true,"maintenance":{...}} (PUT .../maintenance)
std::string maintenance_set_body(const Maintenance& m);
// {"success":true,"silence":{...}} (POST /v1/silences)
std::string silence_set_body(const Silence& s);
// {"silences":[...],"maintenance":[...]} (GET /v1/silences), with
// "next":"<cursor>" when `next` is not empty (more are on the next page).
std::string holds_body(const std::vector<Silence>& silences,
                       const std::vector<Maintenance>& maintenance, const std::string& next = "");

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_HOLD_BODIES_H
