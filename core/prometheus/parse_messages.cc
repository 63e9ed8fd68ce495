#include "core/prometheus/parse_messages.h"

#include <array>
#include <cstdio>

namespace blockhealth::prometheus {

namespace {

constexpr std::size_t kTokenPreview = 32;

// "C3" for 0xC3.
std::string hex(unsigned char c) {
  std::array<char, 4> buf{};
  std::snprintf(buf.data(), buf.size(), "%02X", static_cast<unsigned>(c));
  return buf.data();
}

}  // namespace

std::string describe_char(const char* p, const char* end) {
  if (p >= end) return "end of line";
  const auto c = static_cast<unsigned char>(*p);
  if (c == ' ') return "a blank";
  if (c == '\t') return "a tab";
  if (c > 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  return "byte 0x" + hex(c);
}

std::string describe_token(std::string_view token) {
  std::string out = "\"";
  for (std::size_t i = 0; i < token.size() && i < kTokenPreview; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x" + hex(c);
    }
  }
  if (token.size() > kTokenPreview) out += "...";
  out += '"';
  return out;
}

}  // namespace blockhealth::prometheus
