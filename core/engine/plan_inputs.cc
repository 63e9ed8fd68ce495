#include "core/engine/plan_inputs.h"

#include <algorithm>
#include <set>

#include "core/config/config_loader.h"

namespace blockhealth {
namespace {

std::string api_line(const std::string& id, const BodyProblem& p) {
  return "/v1/blocks/" + id + (p.pointer.empty() ? "" : " " + p.pointer) + ": " + p.message;
}

void add_discovered_instances(
    Config& config, const std::map<std::string, std::vector<InstanceConfig>>& discovered) {
  for (BlockConfig& block : config.blocks) {
    const auto found = discovered.find(block.id);
    if (block.discovery.empty() || found == discovered.end()) continue;
    std::map<std::string, SourceMark> sources;  // describe() -> the item's position
    for (const DiscoveryConfig& d : block.discovery) sources.emplace(d.describe(), d.mark);
    std::set<std::string> ids;
    for (const InstanceConfig& in : block.instances) ids.insert(in.id);
    for (const InstanceConfig& in : found->second) {
      if (block.instances.size() >= config.server.max_instances_per_block) break;
      const auto source = sources.find(in.discovered_by);
      if (source == sources.end() || !ids.insert(in.id).second) continue;
      block.instances.push_back(in);
      block.instances.back().mark = source->second;
    }
  }
}

}  // namespace

Result<const Config*> file_config(const PlanInputs& inputs, PlanCache& cache) {
  if (!cache.file || cache.file_text != inputs.file_text) {
    cache.file.reset();
    cache.api.clear();
    auto read = load_config_string(inputs.file_text, inputs.config_path.string());
    if (!read) return read.error();
    cache.file = std::move(*read);
    cache.file_text = inputs.file_text;
  }
  return &*cache.file;
}

Result<BuiltPlan> build_plan(const PlanInputs& inputs,
                             const std::vector<std::filesystem::path>& builtin_plugin_dirs,
                             std::shared_ptr<const PluginCatalog> catalog,
                             const EnginePlan* previous, const Clock& clock,
                             std::map<std::string, std::vector<BodyProblem>>* api_problems,
                             PlanCache* cache) {
  PlanCache scratch;
  if (cache == nullptr) cache = &scratch;
  auto file = file_config(inputs, *cache);
  if (!file) return file.error();
  // A copy: the plan takes its config (YAML nodes are shared, not copied;
  // the plan only rebinds its own handles).
  std::optional<Config> config = **file;

  for (auto it = cache->api.begin(); it != cache->api.end();) {
    const auto in = inputs.api_bodies.find(it->first);
    it = in == inputs.api_bodies.end() || in->second != it->second.body ? cache->api.erase(it)
                                                                        : std::next(it);
  }
  std::map<std::string, ApiBlock> api;
  std::string message;
  const auto add_line = [&message](const std::string& line) {
    message += (message.empty() ? "" : "\n") + line;
  };
  for (const auto& [id, body] : inputs.api_bodies) {
    if (auto hit = cache->api.find(id); hit != cache->api.end()) {
      api.emplace(id, hit->second);
      continue;
    }
    std::vector<BodyProblem> problems;
    auto read = read_api_block(body, id, *config, &problems);
    if (read) {
      // Stored bodies are compact already; one sent over HTTP is read
      // again from its stored form next time, which is the same block.
      if (read->body == body) cache->api.emplace(id, *read);
      api.emplace(id, std::move(*read));
      continue;
    }
    for (const BodyProblem& p : problems) add_line(api_line(id, p));
    if (api_problems != nullptr) (*api_problems)[id] = std::move(problems);
  }
  if (!message.empty()) return fail(std::move(message));

  BuiltPlan out;
  add_api_blocks(*config, api, &out.shadowed);
  add_discovered_instances(*config, inputs.discovered);
  if (!catalog) {
    std::vector<std::filesystem::path> dirs = builtin_plugin_dirs;
    for (const auto& dir : config->plugin_dirs) {
      if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end()) dirs.push_back(dir);
    }
    catalog = std::make_shared<const PluginCatalog>(PluginCatalog::scan(dirs));
  }
  auto plan = build_engine_plan(std::move(*config), std::move(catalog), previous, clock);
  if (!plan) {
    // Lines about an HTTP block are located in its body; the others are
    // the file's, kept as they are.
    const Error error = plan.error();  // error() returns a copy
    std::string_view rest = error.message;
    while (!rest.empty()) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      std::optional<BodyProblem> mapped;
      std::string id;
      for (const auto& [block_id, block] : api) {
        if ((mapped = api_problem(line, block))) {
          id = block_id;
          break;
        }
      }
      if (!mapped) {
        add_line(std::string(line));
        continue;
      }
      add_line(api_line(id, *mapped));
      if (api_problems != nullptr) (*api_problems)[id].push_back(std::move(*mapped));
    }
    return Error{std::move(message), error.code};
  }
  out.plan = std::move(*plan);
  return out;
}

}  // namespace blockhealth
