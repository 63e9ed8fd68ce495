// Reads the `aios:` section. Internal to core/config (used by the loader).
#ifndef BLOCKHEALTH_CORE_CONFIG_AIOS_READER_H
#define BLOCKHEALTH_CORE_CONFIG_AIOS_READER_H

#include "core/config/config.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {

// `section` reads the `aios:` map; absent keys keep AiosConfig's defaults.
// Every problem is reported to section.problems(). mgmt_block is checked
// against the blocks later (validate_config).
AiosConfig read_aios(const MapReader& section);

// The keys of `aios:`.
const std::vector<std::string_view>& aios_keys();

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_AIOS_READER_H
