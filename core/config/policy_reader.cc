#include "core/config/block_parts.h"
#include "core/config/settings_reader.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {
namespace {

bool is_policy_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::vector<std::string_view> policy_keys() {
  std::vector<std::string_view> keys = {"use", "id", "with", "isolation", "instances"};
  const auto& settings = policy_setting_keys();
  keys.insert(keys.end(), settings.begin(), settings.end());
  return keys;
}

}  // namespace

std::optional<PolicyConfig> read_policy(const YAML::Node& item, int index,
                                        const std::string& block_where, const BlockSettings& block,
                                        ProblemList& problems) {
  if (!expect_item_map(item, index, block_where, "policies", problems)) return std::nullopt;
  std::string name = peek_scalar(item, "id");
  if (name.empty()) name = peek_scalar(item, "use");
  const MapReader r(item, to_source_mark(item.Mark()),
                    item_where("policy", name, index, block_where), policy_keys(), problems);

  PolicyConfig out;
  out.mark = r.mark();
  out.interval = block.interval;
  out.timeout = block.timeout;
  out.thresholds = block.thresholds;
  read_policy_settings(r, out.interval, out.timeout, out.thresholds);

  out.with_mark = out.mark;
  if (auto with = r.map("with")) {
    if (const auto f = r.get("with"); f && !f->value.IsNull()) {
      out.with = *with;
      out.with_mark = f->mark();
      check_duplicate_keys(out.with, r.label("with"), problems);
    }
  }

  if (const auto f = r.get("isolation")) {
    const std::string value = f->value.IsScalar() ? f->value.Scalar() : std::string();
    if (value == "in_process") {
      out.isolation = Isolation::kInProcess;
    } else if (value == "process") {
      out.isolation = Isolation::kProcess;
    } else {
      r.report(*f, "expected in_process or process, got " + describe_node(f->value));
    }
  }

  if (auto list = r.list("instances")) {
    for (const YAML::Node& item : *list) {
      const SourceMark at = to_source_mark(item.Mark());
      auto id = read_string(item, at, r.label("instances"), problems);
      if (!id) continue;
      if (!is_valid_id(*id)) {
        problems.add(at, r.label("instances") + ": '" + *id +
                             "' is not a valid instance id (use letters, digits, '.', '_', '-')");
        continue;
      }
      out.instances.push_back(std::move(*id));
    }
    if (out.instances.empty() && r.has("instances")) {
      r.report(*r.get("instances"),
               "expected a list of instance ids; leave 'instances:' out to judge every instance");
    }
  }

  const auto use = r.string("use");
  if (!r.has("use")) {
    r.report_missing("use", " (the name of the policy plugin to run, like gpu_temperature)");
  } else if (use && !is_policy_name(*use)) {
    r.report(*r.get("use"),
             "'" + *use + "' is not a policy name (lower-case letters, digits and '_')");
  } else if (use) {
    out.use = *use;
  }

  if (r.has("id")) {
    const auto id = r.string("id");
    if (!id) return std::nullopt;
    if (!is_valid_id(*id)) {
      r.report(*r.get("id"),
               "'" + *id + "' is not a valid id (use letters, digits, '.', '_', '-'; at most 128)");
      return std::nullopt;
    }
    out.id = *id;
  } else {
    out.id = out.use;
  }
  if (out.id.empty()) return std::nullopt;
  return out;
}

}  // namespace blockhealth
