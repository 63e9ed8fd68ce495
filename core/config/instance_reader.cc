// read_instance, and the helpers shared by the block_parts.h readers.
#include "core/config/block_parts.h"
#include "core/config/tls_reader.h"
#include "core/config/yaml_reader.h"
#include "core/prometheus/names.h"

namespace blockhealth {

std::string check_label_name(std::string_view name) {
  if (!prometheus::is_valid_label_name(name)) {
    return "label name '" + std::string(name) +
           "' must be letters, digits and '_', not starting with a digit";
  }
  if (name.substr(0, 2) == "__") {
    return "label name '" + std::string(name) + "' must not start with '__' (reserved)";
  }
  return {};
}

bool expect_item_map(const YAML::Node& item, int index, const std::string& block_where,
                     std::string_view list, ProblemList& problems) {
  if (item.IsMap()) return true;
  problems.add(item.Mark(), block_where + ": " + std::string(list) + ": item " +
                                std::to_string(index) + ": expected a map, got " +
                                describe_node(item));
  return false;
}

std::string item_where(std::string_view what, const std::string& id, int index,
                       const std::string& block_where) {
  const std::string name = is_valid_id(id) ? "'" + id + "'" : "#" + std::to_string(index);
  return std::string(what) + " " + name + " in " + block_where;
}

std::optional<InstanceConfig> read_instance(const YAML::Node& item, int index,
                                            const std::string& block_where,
                                            const std::filesystem::path& base_dir,
                                            const TlsConfig& inherited_tls, ProblemList& problems) {
  if (!expect_item_map(item, index, block_where, "instances", problems)) return std::nullopt;
  const MapReader r(item, to_source_mark(item.Mark()),
                    item_where("instance", peek_scalar(item, "id"), index, block_where),
                    {"id", "health_url", "metrics_url", "log_file", "labels", "role", "tls"},
                    problems);
  InstanceConfig out;
  out.mark = r.mark();
  out.health_url = r.http_url("health_url");
  out.metrics_url = r.http_url("metrics_url");
  out.log_file = r.path("log_file", base_dir);
  out.tls = read_client_tls(r, base_dir).value_or(inherited_tls);
  if (auto labels = r.string_map("labels", &check_label_name)) out.labels = std::move(*labels);
  if (auto role = r.choice("role", {"instance", "executor"})) out.executor = *role == "executor";

  auto id = r.required_id(" (each instance needs an id, unique in its block)");
  if (!id) return std::nullopt;
  out.id = std::move(*id);
  return out;
}

}  // namespace blockhealth
