#include "core/engine/engine_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/config/config_loader.h"
#include "core/engine/plan_inputs.h"
#include "core/plugins/params_validator.h"

namespace blockhealth {
namespace {

// The name positions in `block` carry: the file's, or the block's own
// (a block defined over HTTP).
const std::string& position_label(const Config& config, const BlockConfig& block) {
  return block.position_label.empty() ? config.source : block.position_label;
}

std::string position(const std::string& label, const SourceMark& mark) {
  return label + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
}

std::string loaded_names(const PluginCatalog& catalog) {
  std::string names;
  for (const auto& plugin : catalog.plugins()) {
    names += names.empty() ? "" : ", ";
    names += plugin->name();
  }
  if (!names.empty()) return names;
  // Nothing loaded: say why (missing folder, refused files).
  std::string why;
  for (const PluginProblem& p : catalog.problems()) why += "; " + p.message;
  return "none" + why;
}

// Why a policy's plugin may be missing: a refused file named after it, or
// a refused folder (none of whose files was looked at), is the most useful
// hint; failing those, every refused file (up to a few), since a file's
// name need not be its policy's.
std::string missing_plugin_hint(const PluginCatalog& catalog, const std::string& use) {
  constexpr std::size_t kMaxListed = 5;
  std::string hint;
  for (const PluginProblem& p : catalog.problems()) {
    std::error_code ec;
    if (p.path.stem() == use || std::filesystem::is_directory(p.path, ec)) {
      hint += "; " + p.message;
    }
  }
  if (!hint.empty() || catalog.problems().empty() || catalog.plugins().empty()) return hint;
  const auto& refused = catalog.problems();
  hint = "; refused plugin files:";
  for (std::size_t i = 0; i < refused.size() && i < kMaxListed; ++i) {
    hint += (i == 0 ? " " : "; ") + refused[i].message;
  }
  if (refused.size() > kMaxListed) {
    hint += " (and " + std::to_string(refused.size() - kMaxListed) + " more)";
  }
  return hint;
}

using ReuseKey = std::tuple<std::string, std::string, std::string, std::string>;

}  // namespace

Result<EnginePlanConstSharedPtr> build_engine_plan(Config config,
                                                   std::shared_ptr<const PluginCatalog> catalog,
                                                   const EnginePlan* previous, const Clock& clock) {
  std::map<ReuseKey, PolicyHandleSharedPtr> reusable;
  if (previous != nullptr) {
    for (const PlannedBlock& block : previous->blocks) {
      for (const PlannedPolicy& p : block.policies) {
        reusable[{block.config->id, p.config->id, p.handle->instance->plugin().content_hash(),
                  p.handle->params_json}] = p.handle;
      }
    }
  }

  auto plan = std::make_shared<EnginePlan>();
  // The plan owns the configuration first, so that its parts can point
  // into it.
  plan->config = std::move(config);
  // Kept as long as the plan: no spare capacity (before anything points in).
  plan->config.blocks.shrink_to_fit();
  for (BlockConfig& block : plan->config.blocks) {
    block.instances.shrink_to_fit();
    block.policies.shrink_to_fit();
  }
  const Config& cfg = plan->config;
  std::vector<std::string> problems;
  for (const BlockConfig& block : cfg.blocks) {
    PlannedBlock planned{&block, {}};
    const std::string& label = position_label(cfg, block);
    for (const PolicyConfig& policy : block.policies) {
      const std::string where = position(label, policy.mark);
      PolicyPluginConstSharedPtr plugin = catalog->find(policy.use);
      if (!plugin) {
        problems.push_back(where + ": block '" + block.id + "' policy '" + policy.id +
                           "': no plugin provides policy '" + policy.use +
                           "' (loaded: " + loaded_names(*catalog) + ")" +
                           missing_plugin_hint(*catalog, policy.use));
        continue;
      }
      if (policy.isolation == Isolation::kProcess) {
        problems.push_back(where + ": block '" + block.id + "' policy '" + policy.id +
                           "': isolation: process is not supported by this version; use "
                           "in_process");
        continue;
      }
      std::vector<Error> param_errors;
      auto params = validate_policy_params(*plugin, policy.with, label, &param_errors);
      if (!params) {
        if (param_errors.empty()) param_errors.push_back(params.error());
        for (const Error& e : param_errors) problems.push_back(e.message);
        continue;
      }
      const ReuseKey key{block.id, policy.id, plugin->content_hash(), *params};
      PolicyHandleSharedPtr handle;
      if (auto it = reusable.find(key); it != reusable.end()) {
        handle = it->second;
      } else {
        auto instance = PolicyInstance::create(plugin, *params, block.id + "/" + policy.id, clock,
                                               policy.timeout);
        if (!instance) {
          problems.push_back(where + ": block '" + block.id + "' policy '" + policy.id +
                             "': " + instance.error().message);
          continue;
        }
        handle = std::make_shared<PolicyHandle>();
        handle->instance = std::move(*instance);
        handle->params_json = *params;
      }
      planned.policies.push_back({&policy, std::move(handle)});
    }
    plan->blocks.push_back(std::move(planned));
  }
  if (!problems.empty()) {
    std::string message;
    for (const std::string& p : problems) message += (message.empty() ? "" : "\n") + p;
    return fail(std::move(message));
  }
  plan->catalog = std::move(catalog);
  // Every `with:` is validated and turned into params (PolicyHandle::
  // params_json): drop the YAML nodes, so that the parse tree of the whole
  // file is freed (a node costs ~100 bytes; a config of 10,000 instances
  // would otherwise hold its every node for as long as it runs). Action
  // parameters are read later (ActionPlan): they are detached as clones.
  for (BlockConfig& block : plan->config.blocks) {
    for (PolicyConfig& policy : block.policies) {
      // reset(), not operator=: assigning a yaml-cpp node writes through it.
      policy.with.reset();
    }
    for (ActionConfig& action : block.on_transition) {
      if (action.parameters.IsDefined()) action.parameters.reset(YAML::Clone(action.parameters));
    }
  }
  return EnginePlanConstSharedPtr(std::move(plan));
}

Result<EnginePlanConstSharedPtr> plan_from_file(
    const std::filesystem::path& config_file,
    const std::vector<std::filesystem::path>& builtin_plugin_dirs, const EnginePlan* previous,
    const Clock& clock) {
  auto text = read_config_text(config_file);
  if (!text) return text.error();
  auto built = build_plan(PlanInputs{config_file, std::move(*text), {}}, builtin_plugin_dirs,
                          nullptr, previous, clock);
  if (!built) return built.error();
  return std::move(built->plan);
}

}  // namespace blockhealth
