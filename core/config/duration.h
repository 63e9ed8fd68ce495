// Durations as written in the config and the HTTP API: "250ms", "5s", "2m",
// "1h", "7d" and combinations from the largest unit to the smallest, each
// unit at most once ("1m30s", "1h30m15s"). A bare number is refused (it
// must say its unit), except "0".
#ifndef BLOCKHEALTH_CORE_CONFIG_DURATION_H
#define BLOCKHEALTH_CORE_CONFIG_DURATION_H

#include <chrono>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth {

// The duration, or an Error whose message is a complete phrase saying what
// was expected and what was found ("expected a duration like 5s, 250ms or
// 1m30s, got 'fast'"), for the caller to prefix with where it was found.
// Durations over 100 years are refused. Thread-safe.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest text parse_duration reads back as `d`: "0s", "250ms",
// "1m30s", "7d". REQUIRES: d >= 0.
std::string format_duration(std::chrono::milliseconds d);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_DURATION_H
