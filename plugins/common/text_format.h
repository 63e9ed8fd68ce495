// Text helpers the built-in policies share for their reasons and evidence.
// Pure functions; thread-safe.
#ifndef BLOCKHEALTH_PLUGINS_COMMON_TEXT_FORMAT_H
#define BLOCKHEALTH_PLUGINS_COMMON_TEXT_FORMAT_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace blockhealth::policies {

// "86", "86.5", "-2", "0.25": integral values without a fraction, others
// with up to 6 significant digits. NaN and infinities as "NaN", "+Inf", "-Inf".
std::string format_number(double value);

// A duration for humans: minutes or hours from two of them up when whole
// ("5m", "2h"), else whole seconds ("60s", "90s"), else milliseconds
// ("1500ms").
std::string format_duration_ms(std::int64_t ms);

// Whole seconds when integral ("310s"), else with a fraction ("1.5s").
std::string format_seconds(std::int64_t ms);

// `text` in double quotes for a human-readable reason: `"` and `\` are
// backslash-escaped, control characters become \n, \r, \t or \xNN, and the
// escaped body is cut on a UTF-8 character boundary to at most `max_bytes`
// bytes, ending with "…" when cut. REQUIRES: max_bytes >= 4.
std::string quote_text(std::string_view text, std::size_t max_bytes);

}  // namespace blockhealth::policies

#endif  // BLOCKHEALTH_PLUGINS_COMMON_TEXT_FORMAT_H
