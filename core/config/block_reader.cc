#include "core/config/block_reader.h"

#include <algorithm>
#include <charconv>

#include "core/config/block_parts.h"
#include "core/config/settings_reader.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {
namespace {

constexpr int kMaxMinHealthy = 100'000;
constexpr int kMaxFlapWindow = 1000;

std::optional<int> to_small_int(std::string_view s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<MinHealthy> read_min_healthy(const MapReader& r) {
  const auto f = r.get("min_healthy");
  if (!f) return std::nullopt;
  const std::string expected = "expected a count like 2 or a percentage like 50%, got ";
  if (!f->value.IsScalar()) {
    r.report(*f, expected + describe_node(f->value));
    return std::nullopt;
  }
  std::string_view text = f->value.Scalar();
  MinHealthy out;
  if (!text.empty() && text.back() == '%') {
    out.kind = MinHealthy::Kind::kPercent;
    text.remove_suffix(1);
  }
  const auto v = to_small_int(text);
  if (!v) {
    r.report(*f, expected + describe_node(f->value));
    return std::nullopt;
  }
  const int max = out.kind == MinHealthy::Kind::kPercent ? 100 : kMaxMinHealthy;
  if (*v < 0 || *v > max) {
    r.report(*f, out.kind == MinHealthy::Kind::kPercent
                     ? "a percentage must be from 0% to 100%, got " + f->value.Scalar()
                     : "a count must be from 0 to " + std::to_string(max) + ", got " +
                           f->value.Scalar());
    return std::nullopt;
  }
  out.value = *v;
  return out;
}

std::optional<FlappingConfig> read_flapping(const MapReader& block) {
  const auto node = block.map("flapping");
  if (!node) return std::nullopt;
  const MapReader r(*node, block.get("flapping")->mark(), "flapping in " + block.where(),
                    {"window", "start_percent", "stop_percent"}, block.problems());
  FlappingConfig out;
  if (auto v = r.integer("window", 2, kMaxFlapWindow)) out.window = static_cast<int>(*v);
  if (auto v = r.integer("start_percent", 1, 100)) out.start_percent = static_cast<int>(*v);
  if (auto v = r.integer("stop_percent", 0, 99)) out.stop_percent = static_cast<int>(*v);
  if (out.stop_percent >= out.start_percent) {
    const std::string what = "stop_percent (" + std::to_string(out.stop_percent) +
                             ") must be lower than start_percent (" +
                             std::to_string(out.start_percent) + ")";
    if (const auto f = r.has("stop_percent") ? r.get("stop_percent") : r.get("start_percent")) {
      r.problems().add(f->mark(), r.where() + ": " + what);
    }
  }
  return out;
}

// A health_url is a check of its own, and an executor (role: executor) is
// listed as AIOS lists it; anything else needs a policy. Pushed
// instances are not known here, so a push-only block needs a policy.
void check_block_checks_something(const BlockConfig& block, const std::string& where,
                                  ProblemList& problems) {
  if (!block.policies.empty()) return;
  const bool discovered_are_probed =
      !block.discovery.empty() &&
      std::all_of(block.discovery.begin(), block.discovery.end(),
                  [](const DiscoveryConfig& d) { return d.health_url_template.has_value(); });
  if (block.instances.empty() && discovered_are_probed) return;
  if (block.instances.empty()) {
    problems.add(block.mark, where +
                                 " checks nothing: it has no policies and no instances; add "
                                 "a policy under 'policies:'");
    return;
  }
  for (const auto& inst : block.instances) {
    if (!inst.health_url && !inst.executor) {  // an executor is listed AIOS's way
      problems.add(inst.mark, where + " checks nothing for instance '" + inst.id +
                                  "': it has no health_url and the block has no policies");
    }
  }
}

std::vector<std::string_view> block_keys() {
  std::vector<std::string_view> keys = {"id",       "min_healthy",   "flapping", "instances",
                                        "policies", "on_transition", "discovery"};
  const auto& settings = block_setting_keys();
  keys.insert(keys.end(), settings.begin(), settings.end());
  return keys;
}

}  // namespace

std::optional<BlockConfig> read_block_item(const YAML::Node& item, int index,
                                           const BlockSettings& defaults,
                                           const std::filesystem::path& base_dir,
                                           ProblemList& problems) {
  if (!item.IsMap()) {
    problems.add(item.Mark(), "blocks: item " + std::to_string(index) +
                                  ": expected a map with 'id:', got " + describe_node(item));
    return std::nullopt;
  }
  const std::string peeked = peek_scalar(item, "id");
  const std::string where =
      is_valid_id(peeked) ? "block '" + peeked + "'" : "block #" + std::to_string(index);
  const MapReader r(item, to_source_mark(item.Mark()), where, block_keys(), problems);
  BlockConfig out;
  out.mark = r.mark();
  out.settings = defaults;
  read_block_settings(r, out.settings, base_dir);
  out.min_healthy = read_min_healthy(r);
  out.flapping = read_flapping(r);

  // Whether every instance and policy was read; if not, "checks nothing"
  // would only echo the problem already reported.
  const auto instances = r.list("instances");
  const auto policies = r.list("policies");
  bool complete =
      r.has("instances") == instances.has_value() && r.has("policies") == policies.has_value();
  int i = 0;
  if (instances) {
    for (const auto& n : *instances) {
      auto inst = read_instance(n, ++i, where, base_dir, out.settings.tls, problems);
      complete = complete && inst.has_value();
      if (inst) out.instances.push_back(std::move(*inst));
    }
  }
  i = 0;
  if (policies) {
    for (const auto& n : *policies) {
      auto p = read_policy(n, ++i, where, out.settings, problems);
      complete = complete && p.has_value();
      if (p) out.policies.push_back(std::move(*p));
    }
  }
  i = 0;
  if (const auto list = r.list("on_transition")) {
    for (const auto& n : *list) {
      if (auto a = read_action(n, ++i, where, base_dir, out.settings.tls, problems)) {
        out.on_transition.push_back(std::move(*a));
      }
    }
  }

  i = 0;
  if (const auto list = r.list("discovery")) {
    for (const auto& n : *list) {
      auto d = read_discovery(n, ++i, where, base_dir, out.settings.tls, problems);
      complete = complete && d.has_value();
      if (d) out.discovery.push_back(std::move(*d));
    }
  }

  if (complete) check_block_checks_something(out, where, problems);

  auto id = r.required_id(" (each block needs a unique id)");
  if (!id) return std::nullopt;
  out.id = std::move(*id);
  return out;
}

std::vector<BlockConfig> read_blocks(const YAML::Node& list, const BlockSettings& defaults,
                                     const std::filesystem::path& base_dir, ProblemList& problems) {
  std::vector<BlockConfig> out;
  int index = 0;
  for (const auto& item : list) {
    if (auto block = read_block_item(item, ++index, defaults, base_dir, problems)) {
      out.push_back(std::move(*block));
    }
  }
  return out;
}

}  // namespace blockhealth
