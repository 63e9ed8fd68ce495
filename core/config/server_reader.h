// Reads the `server:` section. Internal to core/config (used by the loader).
#ifndef BLOCKHEALTH_CORE_CONFIG_SERVER_READER_H
#define BLOCKHEALTH_CORE_CONFIG_SERVER_READER_H

#include "core/config/config.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {

// `section` reads the `server:` map; absent keys keep ServerConfig's
// defaults. Every problem is reported to section.problems().
ServerConfig read_server(const MapReader& section, const std::filesystem::path& base_dir);

// The keys of `server:`.
const std::vector<std::string_view>& server_keys();

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_SERVER_READER_H
