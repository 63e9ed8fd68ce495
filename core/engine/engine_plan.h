// EnginePlan: a configuration made runnable. Every policy of every block has
// its plugin found, its `with:` validated against the plugin's schema and an
// instance created. Built on the control thread before anything is swapped
// in, so a bad config never touches the running engine.
#ifndef BLOCKHEALTH_CORE_ENGINE_ENGINE_PLAN_H
#define BLOCKHEALTH_CORE_ENGINE_ENGINE_PLAN_H

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/plugins/plugin_catalog.h"
#include "core/plugins/policy_instance.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace blockhealth {

// A created policy instance and the gate that keeps two calls out of it.
// Shared by the plan that made it, later plans that reuse it, and every call
// in flight; the instance is destroyed when the last of them lets go.
struct PolicyHandle {
  PolicyInstanceSharedPtr instance;
  std::string params_json;
  // true while a call is inside the plugin. Set by the engine thread before
  // a call is queued, cleared by the worker when the plugin returns (even
  // after the engine gave up waiting).
  std::atomic<bool> busy{false};
};
using PolicyHandleSharedPtr = std::shared_ptr<PolicyHandle>;

// A policy of a block, made runnable. `config` points into the owning
// EnginePlan's config and lives as long as the plan (hold the plan to hold
// it): the configuration is kept once, however many parts refer to it.
struct PlannedPolicy {
  const PolicyConfig* config = nullptr;
  PolicyHandleSharedPtr handle;
};

struct PlannedBlock {
  const BlockConfig* config = nullptr;  // into the owning EnginePlan's config
  std::vector<PlannedPolicy> policies;  // config order
};

// Immutable once built; shared by the engine's blocks, which keep it alive.
// Its config's YAML nodes (PolicyConfig::with, ActionConfig::parameters) are
// detached copies without marks: `with:` was validated while building, and
// parameters are read without reporting positions.
struct EnginePlan {
  Config config;
  std::shared_ptr<const PluginCatalog> catalog;
  std::vector<PlannedBlock> blocks;  // config order
};
using EnginePlanConstSharedPtr = std::shared_ptr<const EnginePlan>;

// Builds the plan. A policy of `previous` is reused (keeping its state, e.g.
// counters a policy tracks) when its block id, policy id, plugin file
// content and params are all unchanged; otherwise a new instance is created.
// On failure returns every problem, one per line, each naming
// "<file>:<line>:<col>: ..." (unknown policy name with the loaded ones
// listed, params not matching the schema, create() refusing); instances
// created for the failed plan are destroyed. [control-thread]
Result<EnginePlanConstSharedPtr> build_engine_plan(Config config,
                                                   std::shared_ptr<const PluginCatalog> catalog,
                                                   const EnginePlan* previous, const Clock& clock);

// Loads the config file, scans `builtin_plugin_dirs` followed by the
// config's plugins.dirs, and builds the plan (see build_engine_plan). Every
// problem is reported; nothing running is touched. [control-thread]
Result<EnginePlanConstSharedPtr> plan_from_file(
    const std::filesystem::path& config_file,
    const std::vector<std::filesystem::path>& builtin_plugin_dirs, const EnginePlan* previous,
    const Clock& clock);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_ENGINE_PLAN_H
