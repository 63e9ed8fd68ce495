// PluginsView: what GET /v1/plugins shows, as plain structs: the plugins
// loaded, the files refused, the folders scanned and every policy's state.
#ifndef BLOCKHEALTH_CORE_ENGINE_PLUGINS_VIEW_H
#define BLOCKHEALTH_CORE_ENGINE_PLUGINS_VIEW_H

#include <filesystem>
#include <string>
#include <vector>

#include "core/engine/block_view.h"
#include "core/plugins/plugin_catalog.h"

namespace blockhealth {

struct BlockPolicyState {
  std::string block_id;
  PolicyStateView state;
};

struct PluginsView {
  std::vector<std::filesystem::path> dirs;
  std::vector<PolicyPluginConstSharedPtr> plugins;
  std::vector<PluginProblem> refused;
  std::vector<BlockPolicyState> policies;  // blocks in id order, policies in config order
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_PLUGINS_VIEW_H
