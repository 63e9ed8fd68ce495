#include "core/config/config.h"

#include <algorithm>

namespace blockhealth {

std::string ListenAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string HttpUrl::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string TlsConfig::fingerprint() const {
  const auto path_text = [](const std::optional<std::filesystem::path>& p) {
    return p ? p->string() : std::string();
  };
  return "ca_file=" + path_text(ca_file) + ",cert_file=" + path_text(cert_file) +
         ",key_file=" + path_text(key_file) + ",server_name=" + server_name +
         ",insecure_skip_verify=" + (insecure_skip_verify ? "1" : "0");
}

bool PolicyConfig::applies_to(std::string_view instance_id) const {
  if (instances.empty()) return true;
  for (const std::string& id : instances) {
    if (id == instance_id) return true;
  }
  return false;
}

std::string DiscoveryConfig::describe() const {
  return kind == Kind::kFile ? "file " + file.string() : "http " + url.text;
}

std::string_view to_string(Isolation i) {
  return i == Isolation::kProcess ? "process" : "in_process";
}

int MinHealthy::required(int instances) const {
  if (kind == Kind::kCount) return value;
  // Ceiling of instances * value / 100 without floating point.
  return static_cast<int>((static_cast<long long>(instances) * value + 99) / 100);
}

bool ActionConfig::triggers_on(Status target) const {
  return std::find(to.begin(), to.end(), target) != to.end();
}

int BlockConfig::required_healthy(int instances) const {
  return min_healthy ? min_healthy->required(instances) : instances;
}

const InstanceConfig* BlockConfig::find_instance(std::string_view wanted) const {
  for (const auto& i : instances) {
    if (i.id == wanted) return &i;
  }
  return nullptr;
}

const PolicyConfig* BlockConfig::find_policy(std::string_view wanted) const {
  for (const auto& p : policies) {
    if (p.id == wanted) return &p;
  }
  return nullptr;
}

const BlockConfig* Config::find_block(std::string_view wanted) const {
  for (const auto& b : blocks) {
    if (b.id == wanted) return &b;
  }
  return nullptr;
}

}  // namespace blockhealth
