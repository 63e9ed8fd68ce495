// Readers of the items in a block's lists: instances, policies and
// on_transition actions. Internal to core/config (used by block_reader.cc).
//
// Each takes the list item, its 1-based index and the block's name for
// messages ("block 'b1'"), reports every problem to `problems`, and returns
// the item when its id (or, for an action, its kind) could be read, so that
// duplicate ids are still found; a returned item may hold defaults in
// place of values that were reported wrong.
#ifndef BLOCKHEALTH_CORE_CONFIG_BLOCK_PARTS_H
#define BLOCKHEALTH_CORE_CONFIG_BLOCK_PARTS_H

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>

#include "core/config/config.h"
#include "core/config/config_problem.h"

namespace blockhealth {

// `inherited_tls` (the block's) is the item's tls unless it has its own
// `tls:` (instances, actions, discovery items).
std::optional<InstanceConfig> read_instance(const YAML::Node& item, int index,
                                            const std::string& block_where,
                                            const std::filesystem::path& base_dir,
                                            const TlsConfig& inherited_tls, ProblemList& problems);

// `block` gives the inherited interval, timeout and thresholds.
std::optional<PolicyConfig> read_policy(const YAML::Node& item, int index,
                                        const std::string& block_where, const BlockSettings& block,
                                        ProblemList& problems);

std::optional<ActionConfig> read_action(const YAML::Node& item, int index,
                                        const std::string& block_where,
                                        const std::filesystem::path& base_dir,
                                        const TlsConfig& inherited_tls, ProblemList& problems);

std::optional<DiscoveryConfig> read_discovery(const YAML::Node& item, int index,
                                              const std::string& block_where,
                                              const std::filesystem::path& base_dir,
                                              const TlsConfig& inherited_tls,
                                              ProblemList& problems);

// "<block_where>: <list>: item <index>: expected a map, got ..." when the
// item is not a map; true when it is.
bool expect_item_map(const YAML::Node& item, int index, const std::string& block_where,
                     std::string_view list, ProblemList& problems);

// Why `name` is not a Prometheus label name (letters, digits and '_', not
// starting with a digit or "__"), or "". For instance labels (they end up
// on /metrics series) and alert labels (Alertmanager's rules).
std::string check_label_name(std::string_view name);

// "<what> '<id>' in <block_where>" when the id is valid, else
// "<what> #<index> in <block_where>".
std::string item_where(std::string_view what, const std::string& id, int index,
                       const std::string& block_where);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_BLOCK_PARTS_H
