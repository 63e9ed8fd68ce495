// Reads the `blocks:` list. Internal to core/config (used by the loader).
#ifndef BLOCKHEALTH_CORE_CONFIG_BLOCK_READER_H
#define BLOCKHEALTH_CORE_CONFIG_BLOCK_READER_H

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_problem.h"

namespace blockhealth {

// `list` is the `blocks:` sequence. Each block starts from `defaults` and
// applies its own overrides; its policies start from the block's result.
// Every problem is reported; blocks whose id could not be read are left out.
// Also refuses a block that checks nothing: one without policies that has
// no instances, or has an instance without a health_url that is not an
// executor (a health_url is a check of its own; pushed instances are not known here, so a push-only
// block needs a policy). Unique ids are validate_config's
// (config_validation.h).
std::vector<BlockConfig> read_blocks(const YAML::Node& list, const BlockSettings& defaults,
                                     const std::filesystem::path& base_dir, ProblemList& problems);

// One item of the list (the `index`th, 1-based, for messages), read the same
// way; nullopt when its id could not be read (problems reported).
std::optional<BlockConfig> read_block_item(const YAML::Node& item, int index,
                                           const BlockSettings& defaults,
                                           const std::filesystem::path& base_dir,
                                           ProblemList& problems);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_BLOCK_READER_H
