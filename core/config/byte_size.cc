#include "core/config/byte_size.h"

#include <array>

namespace blockhealth {
namespace {

struct SizeUnit {
  std::string_view name;
  std::uint64_t bytes;
};

// The order format_byte_size tries them in.
constexpr std::array<SizeUnit, 9> kSizeUnits = {{
    {"TiB", 1ULL << 40},
    {"GiB", 1ULL << 30},
    {"MiB", 1ULL << 20},
    {"KiB", 1ULL << 10},
    {"TB", 1'000'000'000'000ULL},
    {"GB", 1'000'000'000ULL},
    {"MB", 1'000'000ULL},
    {"KB", 1'000ULL},
    {"B", 1},
}};

constexpr std::uint64_t kMaxBytes = 1ULL << 40;

Error expected_size(std::string_view text, std::string_view why = {}) {
  std::string msg = "expected a size like 512, 64KiB or 10MB, got '" + std::string(text) + "'";
  if (!why.empty()) msg += " (" + std::string(why) + ")";
  return fail(std::move(msg));
}

}  // namespace

Result<std::uint64_t> parse_byte_size(std::string_view text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    n = n * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (n > kMaxBytes) return fail("size '" + std::string(text) + "' is too large (over 1TiB)");
    ++i;
  }
  if (i == 0) return expected_size(text);
  if (i < text.size() && text[i] == ' ') ++i;
  const std::string_view unit = text.substr(i);
  if (unit.empty()) return n;
  for (const SizeUnit& u : kSizeUnits) {
    if (u.name == unit) {
      if (n > kMaxBytes / u.bytes) {
        return fail("size '" + std::string(text) + "' is too large (over 1TiB)");
      }
      return n * u.bytes;
    }
  }
  return expected_size(text, "units are B, KiB, MiB, GiB, TiB (1024) and KB, MB, GB, TB (1000)");
}

std::string format_byte_size(std::uint64_t bytes) {
  if (bytes == 0) return "0B";
  for (const SizeUnit& u : kSizeUnits) {
    if (bytes % u.bytes == 0) return std::to_string(bytes / u.bytes) + std::string(u.name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace blockhealth
