// The content hash that names a plugin's mapping (see plugin_library_cache.h).
#ifndef BLOCKHEALTH_CORE_PLUGINS_CONTENT_HASH_H
#define BLOCKHEALTH_CORE_PLUGINS_CONTENT_HASH_H

#include <string>
#include <string_view>

namespace blockhealth {

// Lower-case hex SHA-1 (40 characters) of `bytes`. SHA-1 is enough here: it
// tells apart versions of a file an operator installed, it is not a defence
// against someone who can already write the plugin folder. Thread-safe.
std::string content_hash(std::string_view bytes);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_CONTENT_HASH_H
