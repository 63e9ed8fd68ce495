// Reads the settings a block inherits from `defaults:` (interval, timeout,
// thresholds, stale_after...) wherever they may be written: in `defaults:`,
// in a block, and (interval, timeout, thresholds) in a policy.
// Internal to core/config.
#ifndef BLOCKHEALTH_CORE_CONFIG_SETTINGS_READER_H
#define BLOCKHEALTH_CORE_CONFIG_SETTINGS_READER_H

#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {

// The keys of `defaults:` (every one may also be set on a block).
const std::vector<std::string_view>& block_setting_keys();
// The keys of those a policy may override.
const std::vector<std::string_view>& policy_setting_keys();

// Overwrites in `settings` each value present in the map; wrong values are
// reported and leave the inherited value. Then, if this map set interval,
// timeout or stale_after, checks timeout <= interval <= stale_after on the
// result (reported at the key set here), so a rule broken in `defaults:` is
// reported once, not again for each block.
// `tls:` paths resolve against base_dir.
void read_block_settings(const MapReader& map, BlockSettings& settings,
                         const std::filesystem::path& base_dir);

// The same for a policy's interval, timeout and thresholds (timeout <=
// interval checked when the policy sets either).
void read_policy_settings(const MapReader& map, std::chrono::milliseconds& interval,
                          std::chrono::milliseconds& timeout, Thresholds& thresholds);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_SETTINGS_READER_H
