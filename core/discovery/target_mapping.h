// From discovered targets to a block's instances: one discovery item's
// templates applied to every target of its list (docs/configuration.md,
// "discovery").
#ifndef BLOCKHEALTH_CORE_DISCOVERY_TARGET_MAPPING_H
#define BLOCKHEALTH_CORE_DISCOVERY_TARGET_MAPPING_H

#include <filesystem>
#include <optional>
#include <vector>

#include "core/config/config.h"
#include "core/discovery/instance_template.h"
#include "core/util/result.h"

namespace blockhealth {

struct TargetMapping {
  std::string source;  // DiscoveryConfig::describe(), copied into discovered_by
  InstanceTemplate id;
  std::optional<InstanceTemplate> health_url;
  std::optional<InstanceTemplate> metrics_url;
  std::optional<InstanceTemplate> log_file;
  std::filesystem::path base_dir;  // a relative log file resolves against it
  TlsConfig tls;                   // every instance's (DiscoveryConfig::tls)

  // The item's templates, parsed. Error: "<key>: <what>" for the first
  // template that does not parse (the config reader reports each at its
  // position with InstanceTemplate::parse itself).
  static Result<TargetMapping> make(const DiscoveryConfig& config,
                                    const std::filesystem::path& base_dir);
};

// The instances of `targets`, in list order. An id is the id template's
// text with every character outside [A-Za-z0-9._-] made '-' ("10.0.0.5:9400"
// -> "10.0.0.5-9400"); group labels not starting with "__" become the
// instance's labels. The list is refused whole, naming the target, when a
// template names a missing label, an id is empty or longer than 128, a URL
// is not a valid http:// URL, or two targets make the same id.
Result<std::vector<InstanceConfig>> map_targets(const std::vector<DiscoveredTarget>& targets,
                                                const TargetMapping& mapping);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_DISCOVERY_TARGET_MAPPING_H
