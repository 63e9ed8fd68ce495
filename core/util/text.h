// Text hygiene for strings that come from outside (log lines, label values,
// plugin names and reasons, HTTP bodies) before they are stored, passed to
// plugins or served. The one place that knows what well-formed UTF-8 is.
// Pure functions; thread-safe.
#ifndef BLOCKHEALTH_CORE_UTIL_TEXT_H
#define BLOCKHEALTH_CORE_UTIL_TEXT_H

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace blockhealth {

// Length in bytes (1-4) of the well-formed UTF-8 sequence starting at `p`
// (Unicode table 3-7), or 0 when the bytes at `p` are not one: a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate, a
// code point above U+10FFFF. A NUL byte is a sequence of length 1.
// REQUIRES: p < end.
std::size_t utf8_sequence_length(const char* p, const char* end);

// Returns `in` as valid UTF-8 without NUL bytes, of at most `max_bytes`
// bytes: invalid sequences and NUL bytes become U+FFFD, and when longer
// than max_bytes the text is cut on a character boundary and ends with "…"
// (still within max_bytes). max_bytes must be >= 4 for the ellipsis to fit.
std::string sanitize_utf8(std::string_view in,
                          std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

// Whether `in` is entirely valid UTF-8 without NUL bytes (sanitize_utf8
// would return it unchanged, length permitting).
bool is_valid_utf8(std::string_view in);

// Whether `text` equals `lower` ignoring ASCII case. REQUIRES: `lower` has no
// upper-case ASCII letters.
bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower);

// Whether `id` is a valid block or instance id: 1 to 128 characters of
// [A-Za-z0-9._-] (safe in URLs, metric labels and file names alike).
bool is_valid_id(std::string_view id);

// The permission bits of a file mode (st_mode) as four octal digits, e.g.
// "0777" or "1777", as messages about files show them.
std::string file_mode_text(unsigned mode);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_UTIL_TEXT_H
