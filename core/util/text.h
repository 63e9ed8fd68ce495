// Text hygiene for strings that come from outside (log lines, label values,
// plugin reasons) before they are stored, passed to plugins or served.
#ifndef BLOCKHEALTH_CORE_UTIL_TEXT_H
#define BLOCKHEALTH_CORE_UTIL_TEXT_H

#include <cstddef>
#include <string>
#include <string_view>

namespace blockhealth {

// Returns `in` as valid UTF-8 of at most `max_bytes` bytes: invalid
// sequences and NUL bytes become U+FFFD, and when longer than max_bytes the
// text is cut on a character boundary and ends with "…" (still within
// max_bytes). max_bytes must be >= 4 for the ellipsis to fit.
std::string sanitize_utf8(std::string_view in, std::size_t max_bytes);

// Whether `in` is entirely valid UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view in);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_TEXT_H
