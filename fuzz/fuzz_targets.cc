// Discovery's target lists (files and http_sd answers) on arbitrary bytes,
// as JSON and as YAML: a list or a refusal with a reason, never a crash;
// a list maps to instances (or a refusal naming the target) under the
// default templates and under label templates.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/config/config.h"
#include "core/discovery/target_groups.h"
#include "core/discovery/target_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const blockhealth::TargetMapping defaults = [] {
    blockhealth::DiscoveryConfig d;
    d.health_url_template = "http://${host}:${port}/health";
    d.log_file_template = "logs/${labels.pod}.log";
    auto m = blockhealth::TargetMapping::make(d, "/fuzz");
    if (!m) std::abort();
    return std::move(*m);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const auto format : {blockhealth::TargetFormat::kJson, blockhealth::TargetFormat::kYaml}) {
    auto targets = blockhealth::parse_target_groups(text, format, 1000);
    if (!targets) {
      if (targets.error().message.empty()) std::abort();  // a refusal says why
      continue;
    }
    if (targets->size() > 1000) std::abort();
    auto mapped = blockhealth::map_targets(*targets, defaults);
    if (mapped && mapped->size() != targets->size()) std::abort();
    if (!mapped && mapped.error().message.empty()) std::abort();
  }
  return 0;
}
