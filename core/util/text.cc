#include "core/util/text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace blockhealth {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";     // U+2026

// Length of the valid, non-NUL UTF-8 sequence starting at in[i], or 0.
std::size_t clean_sequence_length(std::string_view in, std::size_t i) {
  if (in[i] == '\0') return 0;
  return utf8_sequence_length(in.data() + i, in.data() + in.size());
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0U) == 0x80U;
}

}  // namespace

std::size_t utf8_sequence_length(const char* p, const char* end) {
  const auto c0 = static_cast<unsigned char>(p[0]);
  if (c0 < 0x80U) return 1;
  const auto avail = static_cast<std::size_t>(end - p);
  std::size_t len = 0;
  unsigned char lo = 0x80U;  // allowed range of the second byte
  unsigned char hi = 0xBFU;
  if (c0 >= 0xC2U && c0 <= 0xDFU) {
    len = 2;
  } else if (c0 >= 0xE0U && c0 <= 0xEFU) {
    len = 3;
    if (c0 == 0xE0U) lo = 0xA0U;  // no overlongs
    if (c0 == 0xEDU) hi = 0x9FU;  // no surrogates
  } else if (c0 >= 0xF0U && c0 <= 0xF4U) {
    len = 4;
    if (c0 == 0xF0U) lo = 0x90U;  // no overlongs
    if (c0 == 0xF4U) hi = 0x8FU;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (avail < len) return 0;
  const auto c1 = static_cast<unsigned char>(p[1]);
  if (c1 < lo || c1 > hi) return 0;
  for (std::size_t i = 2; i < len; ++i) {
    if (!is_continuation(static_cast<unsigned char>(p[i]))) return 0;
  }
  return len;
}

bool is_valid_id(std::string_view id) {
  constexpr std::size_t kMaxIdLength = 128;
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool equals_ignoring_ascii_case(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view in) {
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t len = clean_sequence_length(in, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string sanitize_utf8(std::string_view in, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  const std::size_t budget = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
  for (std::size_t i = 0; i < in.size();) {
    std::size_t len = clean_sequence_length(in, i);
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

std::string file_mode_text(unsigned mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777U);
  return buffer;
}

}  // namespace blockhealth
