// The daemon's state folder: made when missing, checked for write access.
#ifndef BLOCKHEALTH_CORE_STATE_STATE_DIR_H
#define BLOCKHEALTH_CORE_STATE_STATE_DIR_H

#include <cstdint>
#include <filesystem>

#include "core/util/result.h"

namespace blockhealth {

// Defaults for the config's top-level `state_dir:` and `history_retention:`
// when they are absent (the config module owns the keys).
inline constexpr const char* kDefaultStateDir = "/var/lib/blockhealth";
inline constexpr std::int64_t kDefaultHistoryRetentionMs = std::int64_t{7} * 24 * 3600 * 1000;

// Makes sure `dir` is a folder this process can create files in: creates it
// (and its parents) when missing, the folder itself with mode 0750. Errors
// name the folder, the OS reason and what to do: an empty path, a path that
// is not a folder, a folder that cannot be created or is not writable.
Result<void> prepare_state_dir(const std::filesystem::path& dir);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_STATE_STATE_DIR_H
