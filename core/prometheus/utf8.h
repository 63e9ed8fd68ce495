// UTF-8 decoding step shared by the exposition parser (which rejects invalid
// text with its position) and writer (which replaces it). Pure, thread-safe.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_UTF8_H
#define BLOCKHEALTH_CORE_PROMETHEUS_UTF8_H

#include <cstddef>

namespace blockhealth::prometheus {

// Length in bytes (1-4) of the well-formed UTF-8 sequence starting at `p`,
// or 0 when the bytes at `p` are not one (stray continuation byte, truncated
// sequence, overlong form, surrogate, code point above U+10FFFF).
// REQUIRES: p < end.
std::size_t utf8_sequence_length(const char* p, const char* end);

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_UTF8_H
