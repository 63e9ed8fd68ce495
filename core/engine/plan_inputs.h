// PlanInputs: what a running configuration is made of: the config file's
// text and the blocks defined over HTTP (PUT /v1/blocks/<id>), and the
// building of an EnginePlan from them. A block of the file wins over an HTTP
// one of the same id (docs/http-api.md, "Blocks over HTTP").
#ifndef BLOCKHEALTH_CORE_ENGINE_PLAN_INPUTS_H
#define BLOCKHEALTH_CORE_ENGINE_PLAN_INPUTS_H

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config/api_block_reader.h"
#include "core/engine/engine_plan.h"

namespace blockhealth {

struct PlanInputs {
  std::filesystem::path config_path;  // names the file in messages; its folder resolves paths
  std::string file_text;              // the config file's YAML
  std::map<std::string, std::string> api_bodies;  // block id -> body as stored
  // Block id -> instances its `discovery:` sources found now
  // (DiscoveryManager::snapshot()). A block gets those whose discovered_by
  // is one of its sources and whose id none of its own instances has, up to
  // server.max_instances_per_block.
  std::map<std::string, std::vector<InstanceConfig>> discovered;
};

// What build_plan read before, so that it reads again only what changed:
// the file's config (while the text is the same) and each HTTP block (while
// its body and the file are the same). Blocks written over HTTP one by one
// then cost one read each, not one per block already defined. Used by one
// thread at a time (the one that builds plans).
struct PlanCache {
  std::string file_text;
  std::optional<Config> file;
  std::map<std::string, ApiBlock> api;  // by id; ApiBlock::body is what was read
};

// The file part of `inputs` as read (from the cache when its text did not
// change); error: the file's problems.
Result<const Config*> file_config(const PlanInputs& inputs, PlanCache& cache);

struct BuiltPlan {
  EnginePlanConstSharedPtr plan;
  std::vector<std::string> shadowed;  // ids of HTTP blocks the file also defines
};

// Builds the plan of `inputs`. `catalog` null = scan `builtin_plugin_dirs`
// followed by the config's plugins.dirs (a reload); a write over HTTP passes
// the running plan's catalog (plugins change only on reload). `previous` as
// for build_engine_plan. Problems of the file read
// "<file>:<line>:<col>: ..."; those of an HTTP block
// "/v1/blocks/<id> <pointer>: ..."; *api_problems (when given) gets, per
// HTTP block that had any, its problems located by JSON pointer. Nothing
// running is touched. [control-thread]
Result<BuiltPlan> build_plan(
    const PlanInputs& inputs, const std::vector<std::filesystem::path>& builtin_plugin_dirs,
    std::shared_ptr<const PluginCatalog> catalog, const EnginePlan* previous, const Clock& clock,
    std::map<std::string, std::vector<BodyProblem>>* api_problems = nullptr,
    PlanCache* cache = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_PLAN_INPUTS_H
