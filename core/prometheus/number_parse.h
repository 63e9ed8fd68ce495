// Numbers as the exposition format spells them: sample values as Go's
// strconv.ParseFloat accepts them, timestamps as strconv.ParseInt(s, 10, 64).
// Pure functions, thread-safe, no allocation, locale-independent.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_NUMBER_PARSE_H
#define BLOCKHEALTH_CORE_PROMETHEUS_NUMBER_PARSE_H

#include <cstdint>
#include <optional>
#include <string_view>

namespace blockhealth::prometheus {

// Accepts, like Go: an optional sign; decimal digits with an optional '.'
// and an optional exponent ("1", "-0.5", ".5", "5.", "1e-3", "9223372036854775794");
// "Inf"/"Infinity" with an optional sign and "NaN" (case-insensitive, NaN
// without a sign); hexadecimal with a mandatory 'p' exponent ("0x1.8p3").
// A decimal too large for a double is an error (Go's ErrRange); one too
// small becomes 0, as in Go. Digit separators ('_') are not accepted.
// Returns nullopt for anything else, including the empty string.
std::optional<double> parse_float(std::string_view text);

// An optional sign then decimal digits, within int64. nullopt otherwise.
std::optional<std::int64_t> parse_int64(std::string_view text);

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_NUMBER_PARSE_H
