#include "core/util/text.h"

#include <cstdint>

namespace blockhealth {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// Length of the valid UTF-8 sequence starting at in[i], or 0 when invalid.
std::size_t valid_sequence_length(std::string_view in, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(in[k]); };
  const std::uint8_t b0 = byte(i);
  if (b0 < 0x80) return b0 == 0 ? 0 : 1;
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > in.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

bool is_valid_utf8(std::string_view in) {
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t len = valid_sequence_length(in, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string sanitize_utf8(std::string_view in, std::size_t max_bytes) {
  std::string out;
  out.reserve(in.size() < max_bytes ? in.size() : max_bytes);
  const std::size_t budget = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  for (std::size_t i = 0; i < in.size();) {
    std::size_t len = valid_sequence_length(in, i);
    const std::string_view piece = len == 0 ? kReplacement : in.substr(i, len);
    if (len == 0) len = 1;
    // Would the rest still fit without an ellipsis? Only then may we use the
    // ellipsis's bytes too.
    if (out.size() + piece.size() > budget) {
      const bool rest_fits = out.size() + (in.size() - i) <= max_bytes &&
                             is_valid_utf8(in.substr(i)) &&
                             in.substr(i).find('\0') == std::string_view::npos;
      if (rest_fits) {
        out.append(in.substr(i));
        return out;
      }
      if (max_bytes >= kEllipsis.size()) out.append(kEllipsis);
      return out;
    }
    out.append(piece);
    i += len;
  }
  return out;
}

}  // namespace blockhealth
