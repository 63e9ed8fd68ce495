#include "plugins/common/text_format.h"

#include <cmath>
#include <cstdio>

namespace blockhealth::policies {
namespace {

// Bytes in the UTF-8 sequence starting at text[i]; 1 for ASCII and for
// bytes that do not start a complete sequence (the host already replaced
// invalid UTF-8, so that is only a safety net).
std::size_t char_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t n = 1;
  if ((lead & 0xE0U) == 0xC0U)
    n = 2;
  else if ((lead & 0xF0U) == 0xE0U)
    n = 3;
  else if ((lead & 0xF8U) == 0xF0U)
    n = 4;
  if (i + n > text.size()) return 1;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0U) != 0x80U) return 1;
  }
  return n;
}

void append_escaped(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) {
    char hex[5];
    std::snprintf(hex, sizeof hex, "\\x%02X", byte);
    out += hex;
    return;
  }
  out += c;
}

}  // namespace

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
  }
  return buffer;
}

std::string format_duration_ms(std::int64_t ms) {
  constexpr std::int64_t kMinute = 60'000;
  constexpr std::int64_t kHour = 60 * kMinute;
  if (ms >= 2 * kHour && ms % kHour == 0) return std::to_string(ms / kHour) + "h";
  if (ms >= 2 * kMinute && ms % kMinute == 0) return std::to_string(ms / kMinute) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_seconds(std::int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return format_number(static_cast<double>(ms) / 1000.0) + "s";
}

std::string quote_text(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…"
  const std::size_t budget = max_bytes - kEllipsis.size();
  std::string body;
  std::size_t cut = 0;  // body size before the first piece that overflows `budget`
  bool overflowed = false;
  for (std::size_t i = 0; i < text.size() && body.size() <= max_bytes;) {
    const std::size_t n = char_length(text, i);
    const std::size_t before = body.size();
    if (n == 1) {
      append_escaped(body, text[i]);
    } else {
      body.append(text.substr(i, n));
    }
    if (!overflowed && body.size() > budget) {
      overflowed = true;
      cut = before;
    }
    i += n;
  }
  if (body.size() > max_bytes) {
    body.resize(cut);
    body += kEllipsis;
  }
  return "\"" + body + "\"";
}

}  // namespace blockhealth::policies
