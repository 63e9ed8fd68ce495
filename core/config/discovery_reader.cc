// read_discovery: one item of a block's `discovery:` list.
#include <algorithm>

#include "core/config/block_parts.h"
#include "core/config/tls_reader.h"
#include "core/config/yaml_reader.h"
#include "core/discovery/instance_template.h"

namespace blockhealth {
namespace {

constexpr std::chrono::milliseconds kMinRefresh{1'000};
constexpr std::chrono::milliseconds kMaxRefresh{24LL * 3600 * 1000};
constexpr std::chrono::milliseconds kMinDiscoveryTimeout{100};
constexpr std::chrono::milliseconds kMaxDiscoveryTimeout{60'000};
constexpr std::chrono::milliseconds kMaxGrace{7LL * 24 * 3600 * 1000};

// A template under `instance:`; `null` (~) turns an optional one off.
void read_template(const MapReader& r, std::string_view key, std::optional<std::string>* into) {
  const auto f = r.get(key);
  if (!f) return;
  if (f->value.IsNull()) {
    into->reset();
    return;
  }
  auto text = r.string(key);
  if (!text) return;
  if (auto parsed = InstanceTemplate::parse(*text); !parsed) {
    r.report(*f, parsed.error().message);
    return;
  }
  *into = std::move(*text);
}

}  // namespace

std::optional<DiscoveryConfig> read_discovery(const YAML::Node& item, int index,
                                              const std::string& block_where,
                                              const std::filesystem::path& base_dir,
                                              const TlsConfig& inherited_tls,
                                              ProblemList& problems) {
  if (!expect_item_map(item, index, block_where, "discovery", problems)) return std::nullopt;
  const MapReader r(item, to_source_mark(item.Mark()),
                    "discovery #" + std::to_string(index) + " in " + block_where,
                    {"file", "http", "refresh", "timeout", "grace", "instance", "tls"}, problems);
  DiscoveryConfig out;
  out.mark = r.mark();
  out.tls = read_client_tls(r, base_dir).value_or(inherited_tls);
  if (r.has("file") == r.has("http")) {
    problems.add(r.mark(), r.where() +
                               ": give exactly one of 'file:' (a JSON or YAML target list) "
                               "and 'http:' (a Prometheus http_sd URL)");
    return std::nullopt;
  }
  if (r.has("file")) {
    auto file = r.path("file", base_dir);
    if (!file) return std::nullopt;
    const std::string ext = file->extension().string();
    if (ext != ".json" && ext != ".yaml" && ext != ".yml") {
      r.report(*r.get("file"), "expected a file named *.json, *.yaml or *.yml (its format), got '" +
                                   file->filename().string() + "'");
      return std::nullopt;
    }
    out.kind = DiscoveryConfig::Kind::kFile;
    out.file = std::move(*file);
    out.refresh = std::chrono::minutes(1);
  } else {
    auto url = r.http_url("http");
    if (!url) return std::nullopt;
    out.kind = DiscoveryConfig::Kind::kHttp;
    out.url = std::move(*url);
  }
  if (auto v = r.duration("refresh", kMinRefresh, kMaxRefresh)) out.refresh = *v;
  out.timeout = std::min(out.timeout, out.refresh);  // the default, 5s, fits the refresh
  const auto timeout = r.duration("timeout", kMinDiscoveryTimeout, kMaxDiscoveryTimeout);
  if (timeout) out.timeout = *timeout;
  if (auto v = r.duration("grace", std::chrono::milliseconds(0), kMaxGrace)) out.grace = *v;
  if (out.kind == DiscoveryConfig::Kind::kHttp && timeout && out.timeout > out.refresh) {
    problems.add(r.mark(), r.where() + ": timeout must not be longer than refresh");
  }
  if (const auto map = r.map("instance")) {
    const MapReader t(*map, r.get("instance")->mark(), r.where() + ": instance",
                      {"id", "health_url", "metrics_url", "log_file"}, problems);
    std::optional<std::string> id = out.id_template;
    read_template(t, "id", &id);
    if (!id) {
      problems.add(t.mark(), t.where() + ": id: an instance needs an id (e.g. '${target}')");
    } else {
      out.id_template = std::move(*id);
    }
    read_template(t, "health_url", &out.health_url_template);
    read_template(t, "metrics_url", &out.metrics_url_template);
    read_template(t, "log_file", &out.log_file_template);
  }
  return out;
}

}  // namespace blockhealth
