#include "core/discovery/target_groups.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <string>

#include "core/prometheus/names.h"
#include "core/util/json_parse.h"

namespace blockhealth {
namespace {

namespace json = boost::json;

std::string too_many(std::size_t max_targets) {
  return "more than " + std::to_string(max_targets) +
         " targets (a block's server.max_instances_per_block)";
}

Result<std::vector<DiscoveredTarget>> from_json(std::string_view text, std::size_t max_targets) {
  auto doc = parse_json_body(text);
  if (!doc) return fail("not JSON: " + doc.error().message);
  const json::array* groups = doc->if_array();
  if (groups == nullptr) return fail("expected a JSON list of target groups");
  std::vector<DiscoveredTarget> out;
  for (std::size_t g = 0; g < groups->size(); ++g) {
    const std::string at = "/" + std::to_string(g);
    const json::object* group = (*groups)[g].if_object();
    if (group == nullptr) return fail(at + ": expected a map with targets and labels");
    std::map<std::string, std::string> labels;
    for (const auto& member : *group) {
      if (member.key() != "targets" && member.key() != "labels") {
        std::string what = at;
        what.append("/")
            .append(member.key())
            .append(": unknown key (a group has targets and labels)");
        return fail(std::move(what));
      }
    }
    if (const json::value* l = group->if_contains("labels"); l != nullptr && !l->is_null()) {
      const json::object* map = l->if_object();
      if (map == nullptr) return fail(at + "/labels: expected a map of label names to strings");
      for (const auto& member : *map) {
        const std::string name(member.key());
        if (!prometheus::is_valid_label_name(name)) {
          std::string what = at;
          what.append("/labels/")
              .append(name)
              .append(": a label name is letters, digits and '_', not starting with a digit");
          return fail(std::move(what));
        }
        const json::string* value = member.value().if_string();
        if (value == nullptr) {
          std::string what = at;
          what.append("/labels/").append(name).append(": expected a string");
          return fail(std::move(what));
        }
        labels.emplace(name, std::string(*value));
      }
    }
    const json::value* t = group->if_contains("targets");
    const json::array* targets = t == nullptr ? nullptr : t->if_array();
    if (targets == nullptr) return fail(at + "/targets: expected a list of \"host:port\" strings");
    for (std::size_t i = 0; i < targets->size(); ++i) {
      const json::string* target = (*targets)[i].if_string();
      if (target == nullptr || target->empty()) {
        return fail(at + "/targets/" + std::to_string(i) + ": expected a non-empty string");
      }
      if (out.size() >= max_targets) return fail(too_many(max_targets));
      out.push_back({std::string(*target), labels});
    }
  }
  return out;
}

std::string mark_text(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Result<std::vector<DiscoveredTarget>> from_yaml(std::string_view text, std::size_t max_targets) {
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(mark_text(e.mark) + ": not YAML: " + e.msg);
  }
  if (doc.IsNull()) return std::vector<DiscoveredTarget>{};
  if (!doc.IsSequence()) return fail(mark_text(doc.Mark()) + ": expected a list of target groups");
  std::vector<DiscoveredTarget> out;
  for (const YAML::Node& group : doc) {
    if (!group.IsMap()) {
      return fail(mark_text(group.Mark()) + ": expected a map with targets and labels");
    }
    std::map<std::string, std::string> labels;
    YAML::Node targets;
    for (const auto& kv : group) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      if (key == "targets") {
        targets = kv.second;
      } else if (key == "labels") {
        if (kv.second.IsNull()) continue;
        if (!kv.second.IsMap()) {
          return fail(mark_text(kv.second.Mark()) +
                      ": labels: expected a map of label names to strings");
        }
        for (const auto& label : kv.second) {
          const std::string name = label.first.IsScalar() ? label.first.Scalar() : std::string();
          if (!prometheus::is_valid_label_name(name)) {
            return fail(mark_text(label.first.Mark()) + ": label name '" + name +
                        "': letters, digits and '_', not starting with a digit");
          }
          if (!label.second.IsScalar()) {
            return fail(mark_text(label.second.Mark()) + ": label " + name + ": expected a string");
          }
          labels.emplace(name, label.second.Scalar());
        }
      } else {
        return fail(mark_text(kv.first.Mark()) + ": unknown key '" + key +
                    "' (a group has targets and labels)");
      }
    }
    if (!targets.IsDefined() || !targets.IsSequence()) {
      return fail(mark_text(group.Mark()) + ": targets: expected a list of \"host:port\" strings");
    }
    for (const YAML::Node& target : targets) {
      if (!target.IsScalar() || target.Scalar().empty()) {
        return fail(mark_text(target.Mark()) + ": targets: expected a non-empty string");
      }
      if (out.size() >= max_targets) return fail(too_many(max_targets));
      out.push_back({target.Scalar(), labels});
    }
  }
  return out;
}

}  // namespace

Result<std::vector<DiscoveredTarget>> parse_target_groups(std::string_view text,
                                                          TargetFormat format,
                                                          std::size_t max_targets) {
  return format == TargetFormat::kJson ? from_json(text, max_targets)
                                       : from_yaml(text, max_targets);
}

}  // namespace blockhealth
