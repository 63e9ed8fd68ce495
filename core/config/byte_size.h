// Sizes as written in the config: a whole number of bytes with an optional
// unit, "512", "512B", "64KiB", "1MiB", "2GiB" (powers of 1024) or "10KB",
// "10MB", "1GB" (powers of 1000). An optional space may separate the number
// from its unit ("10 MiB").
#ifndef BLOCKHEALTH_CORE_CONFIG_BYTE_SIZE_H
#define BLOCKHEALTH_CORE_CONFIG_BYTE_SIZE_H

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth {

// The size in bytes, or an Error whose message is a complete phrase
// ("expected a size like 512, 64KiB or 10MB, got 'big'") for the caller to
// prefix with where it was found. Sizes over 1 TiB are refused. Thread-safe.
Result<std::uint64_t> parse_byte_size(std::string_view text);

// A text parse_byte_size reads back as `bytes`, in the largest unit that
// divides it exactly: "1MiB", "10MB", "1000B"... "0B".
std::string format_byte_size(std::uint64_t bytes);

// The range the config allows for body limits (server.body_limit,
// scrape_body_limit); docs/configuration.md lists the same.
inline constexpr std::uint64_t kMinBodyLimit = 1024;
inline constexpr std::uint64_t kMaxBodyLimit = std::uint64_t{1} << 30;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_BYTE_SIZE_H
