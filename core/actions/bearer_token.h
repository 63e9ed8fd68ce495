// Reads an action's `token_file:` for its Authorization header.
#ifndef BLOCKHEALTH_CORE_ACTIONS_BEARER_TOKEN_H
#define BLOCKHEALTH_CORE_ACTIONS_BEARER_TOKEN_H

#include <filesystem>
#include <string>

#include "core/util/result.h"

namespace blockhealth {

// The token in `path`: the file's content without leading and trailing
// whitespace. Errors (the delivery attempt then fails and is retried):
// the file cannot be opened or read, is over 64 KiB, is empty (or only
// whitespace), or the token holds a control character (it would break the
// header). Each names the file. Thread-safe; reads the file every call, so
// a rotated token is picked up by the next attempt.
Result<std::string> read_bearer_token(const std::filesystem::path& path);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_BEARER_TOKEN_H
