// Reads `tls:` maps: the client one (defaults, block, instance, action,
// discovery item) and `server.tls`. Files are made absolute and checked at
// load: each must exist and parse (PEM), cert_file and key_file go together
// and must match. Internal to core/config.
#ifndef BLOCKHEALTH_CORE_CONFIG_TLS_READER_H
#define BLOCKHEALTH_CORE_CONFIG_TLS_READER_H

#include <filesystem>
#include <optional>

#include "core/config/config.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {

// The `tls:` map of `parent`; nullopt when absent or not a map (reported).
// A wrong value is reported and read as absent.
std::optional<TlsConfig> read_client_tls(const MapReader& parent,
                                         const std::filesystem::path& base_dir);

// `tls:` of `server:`; nullopt when absent, or when cert_file or key_file
// is missing or wrong (reported).
std::optional<ServerTlsConfig> read_server_tls(const MapReader& server,
                                               const std::filesystem::path& base_dir);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_TLS_READER_H
