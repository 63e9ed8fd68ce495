// Logging setup for blockhealthd: spdlog to stderr, human-readable by
// default or one JSON object per line.
#ifndef BLOCKHEALTH_SERVER_LOGGING_H
#define BLOCKHEALTH_SERVER_LOGGING_H

#include <string_view>

#include "core/util/result.h"

namespace blockhealth::server {

// format: "text" or "json"; level: trace, debug, info, warn, error.
// Error (and no change) on an unknown name.
Result<void> setup_logging(std::string_view format, std::string_view level);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_LOGGING_H
