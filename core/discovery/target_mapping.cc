#include "core/discovery/target_mapping.h"

#include <map>

#include "core/config/net_address.h"

namespace blockhealth {
namespace {

constexpr std::size_t kMaxIdLength = 128;

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

Result<std::optional<InstanceTemplate>> optional_template(const std::optional<std::string>& text,
                                                          const char* key) {
  if (!text) return std::optional<InstanceTemplate>();
  auto parsed = InstanceTemplate::parse(*text);
  if (!parsed) return fail(std::string(key) + ": " + parsed.error().message);
  return std::optional<InstanceTemplate>(std::move(*parsed));
}

}  // namespace

Result<TargetMapping> TargetMapping::make(const DiscoveryConfig& config,
                                          const std::filesystem::path& base_dir) {
  auto id = InstanceTemplate::parse(config.id_template);
  if (!id) return fail("id: " + id.error().message);
  auto health = optional_template(config.health_url_template, "health_url");
  if (!health) return health.error();
  auto metrics = optional_template(config.metrics_url_template, "metrics_url");
  if (!metrics) return metrics.error();
  auto log = optional_template(config.log_file_template, "log_file");
  if (!log) return log.error();
  return TargetMapping{config.describe(), std::move(*id), std::move(*health), std::move(*metrics),
                       std::move(*log),   base_dir,       config.tls};
}

Result<std::vector<InstanceConfig>> map_targets(const std::vector<DiscoveredTarget>& targets,
                                                const TargetMapping& mapping) {
  std::vector<InstanceConfig> out;
  out.reserve(targets.size());
  std::map<std::string, std::size_t> seen;  // id -> index of the target that made it
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const DiscoveredTarget& t = targets[i];
    const std::string which = "target " + std::to_string(i + 1) + " ('" + t.target + "')";
    auto id = mapping.id.expand(t);
    if (!id) return fail(which + ": id: " + id.error().message);
    for (char& c : *id) {
      if (!id_char(c)) c = '-';
    }
    if (id->empty() || id->size() > kMaxIdLength) {
      return fail(which + ": id '" + *id + "' must be 1 to 128 characters");
    }
    if (auto [it, added] = seen.emplace(*id, i); !added) {
      return fail(which + ": id '" + *id + "' is also target " + std::to_string(it->second + 1) +
                  "'s; make the id template tell them apart (e.g. ${target})");
    }
    InstanceConfig in;
    in.id = std::move(*id);
    in.discovered_by = mapping.source;
    in.tls = mapping.tls;
    const auto url = [&](const std::optional<InstanceTemplate>& tmpl, const char* key,
                         std::optional<HttpUrl>* into) -> Result<void> {
      if (!tmpl) return {};
      auto text = tmpl->expand(t);
      if (!text) return fail(which + ": " + key + ": " + text.error().message);
      auto parsed = parse_http_url(*text);
      if (!parsed) return fail(which + ": " + key + " '" + *text + "': " + parsed.error().message);
      *into = std::move(*parsed);
      return {};
    };
    if (auto r = url(mapping.health_url, "health_url", &in.health_url); !r) return r.error();
    if (auto r = url(mapping.metrics_url, "metrics_url", &in.metrics_url); !r) return r.error();
    if (mapping.log_file) {
      auto text = mapping.log_file->expand(t);
      if (!text) return fail(which + ": log_file: " + text.error().message);
      in.log_file = (mapping.base_dir / *text).lexically_normal();
    }
    for (const auto& [name, value] : t.labels) {
      if (name.substr(0, 2) != "__") in.labels.emplace(name, value);
    }
    out.push_back(std::move(in));
  }
  return out;
}

}  // namespace blockhealth
