// The daemon's state folder: made when missing, checked for write access.
#ifndef BLOCKHEALTH_CORE_STATE_STATE_DIR_H
#define BLOCKHEALTH_CORE_STATE_STATE_DIR_H

#include <filesystem>

#include "core/util/result.h"

namespace blockhealth {

// Makes sure `dir` is a folder this process can create files in: creates it
// (and its parents) when missing, the folder itself with mode 0750. Errors
// name the folder, the OS reason and what to do: an empty path, a path that
// is not a folder, a folder that cannot be created or is not writable.
Result<void> prepare_state_dir(const std::filesystem::path& dir);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_STATE_STATE_DIR_H
