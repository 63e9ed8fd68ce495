// Times as text: RFC 3339 in UTC with milliseconds, as the HTTP API writes
// and reads them.
#ifndef BLOCKHEALTH_CORE_UTIL_TIME_TEXT_H
#define BLOCKHEALTH_CORE_UTIL_TIME_TEXT_H

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth {

// "2026-11-27T10:16:05.772Z"; "" for 0 (a time that was never set).
std::string format_time_ms(std::int64_t unix_ms);
// Appends the same text for any time, 0 and negative ones included
// ("1970-01-01T00:00:00.000Z"). No allocation beyond `out` growing, no
// locale, no printf: the one formatter of times the daemon writes.
void append_time_ms(std::string& out, std::int64_t unix_ms);

// Reads an RFC 3339 date-time ("2026-11-28T10:00:00Z",
// "2026-11-28T12:00:00.5+02:00") into Unix milliseconds. The error says
// what was expected.
Result<std::int64_t> parse_time_ms(std::string_view text);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_TIME_TEXT_H
