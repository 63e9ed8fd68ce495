// GET /v1/plugins: {"dirs":[...],"plugins":[{name, version, description,
// abi, path, content_hash, has_manage, whole_block}],"refused":[{path,
// error}],"policies":[{block_id, ...policy state}]}.
#ifndef BLOCKHEALTH_CORE_WIRE_PLUGINS_JSON_H
#define BLOCKHEALTH_CORE_WIRE_PLUGINS_JSON_H

#include <string>

#include "core/engine/plugins_view.h"

namespace blockhealth::wire {

std::string plugins_body(const PluginsView& view);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_PLUGINS_JSON_H
