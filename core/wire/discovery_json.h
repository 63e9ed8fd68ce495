// The "discovery" member of GET /v1/blocks/<id> (docs/http-api.md).
#ifndef BLOCKHEALTH_CORE_WIRE_DISCOVERY_JSON_H
#define BLOCKHEALTH_CORE_WIRE_DISCOVERY_JSON_H

#include <string>
#include <string_view>
#include <vector>

#include "core/discovery/discovery_manager.h"

namespace blockhealth::wire {

// [{"source", "ok", "error", "last_read", "last_ok", "instances",
// "vanished"}], one per source in the block's discovery: order.
std::string discovery_json(const std::vector<DiscoverySourceStatus>& sources);

// `detail` (a block's JSON object) with "discovery": `sources` added as its
// last member; `detail` as is when there are none.
std::string with_discovery(std::string_view detail,
                           const std::vector<DiscoverySourceStatus>& sources);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_DISCOVERY_JSON_H
