// Reads the `remote_write:` section. Internal to core/config (used by the
// loader).
#ifndef BLOCKHEALTH_CORE_CONFIG_REMOTE_WRITE_READER_H
#define BLOCKHEALTH_CORE_CONFIG_REMOTE_WRITE_READER_H

#include "core/config/config.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {

// Absent keys keep RemoteWriteConfig's defaults; every problem is reported
// to section.problems() at its file:line:col.
RemoteWriteConfig read_remote_write(const MapReader& section);

// The keys of `remote_write:`.
const std::vector<std::string_view>& remote_write_keys();

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_REMOTE_WRITE_READER_H
