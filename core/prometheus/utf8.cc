#include "core/prometheus/utf8.h"

namespace blockhealth::prometheus {

namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0U) == 0x80U;
}

}  // namespace

// Table 3-7 of the Unicode standard (well-formed byte sequences).
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

}  // namespace blockhealth::prometheus
