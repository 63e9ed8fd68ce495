// Pieces of the parser's error messages. Pure functions, thread-safe. The
// results are printable ASCII whatever the input bytes.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_PARSE_MESSAGES_H
#define BLOCKHEALTH_CORE_PROMETHEUS_PARSE_MESSAGES_H

#include <string>
#include <string_view>

namespace blockhealth::prometheus {

// What is at `p` for "got ...": "'x'", "a blank", "a tab", "byte 0xC3", or
// "end of line" when p >= end.
std::string describe_char(const char* p, const char* end);

// `token` in double quotes, cut to 32 bytes (then "..."), with '"', '\' and
// non-printable bytes written as \xNN.
std::string describe_token(std::string_view token);

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_PARSE_MESSAGES_H
