#include "core/prometheus/number_parse.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

#include "core/util/text.h"

namespace blockhealth::prometheus {

namespace {

constexpr std::int64_t kClamp = 1'000'000'000;  // far beyond any double exponent

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// For a decimal literal that from_chars reported out of range: whether it
// is out of range because it is too small (true) or too large (false).
// Compares the decimal magnitude of its first significant digit with 0.
// REQUIRES: `s` matches [0-9]*(\.[0-9]*)?([eE][+-]?[0-9]+)?
bool decimal_underflows(std::string_view s) {
  std::size_t i = 0;
  std::int64_t int_digits = 0;  // significant digits before the point
  std::int64_t zeros_after_point = 0;
  bool significant = false;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    if (s[i] != '0') significant = true;
    if (significant && int_digits < kClamp) ++int_digits;
  }
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && is_digit(s[i]); ++i) {
      if (s[i] != '0') significant = true;
      if (!significant && zeros_after_point < kClamp) ++zeros_after_point;
    }
  }
  std::int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (exponent < kClamp) exponent = exponent * 10 + (s[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  if (!significant) return true;
  const std::int64_t magnitude = (int_digits > 0 ? int_digits : -zeros_after_point) + exponent;
  return magnitude <= 0;
}

std::optional<double> parse_unsigned(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (equals_ignoring_ascii_case(s, "inf") || equals_ignoring_ascii_case(s, "infinity"))
    return std::numeric_limits<double>::infinity();
  const char* first = s.data();
  const char* last = s.data() + s.size();
  double value = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    // Go requires the binary exponent of a hexadecimal float.
    if (s.find_first_of("pP") == std::string_view::npos) return std::nullopt;
    first += 2;
    if (*first == '+' || *first == '-') return std::nullopt;
    auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::hex);
    if (ec != std::errc() || ptr != last) return std::nullopt;
    return value;
  }
  if (!is_digit(s[0]) && s[0] != '.') return std::nullopt;
  auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::general);
  if (ptr != last) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    if (decimal_underflows(s)) return 0.0;
    return std::nullopt;
  }
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> parse_float(std::string_view text) {
  if (equals_ignoring_ascii_case(text, "nan")) return std::numeric_limits<double>::quiet_NaN();
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  auto value = parse_unsigned(text);
  if (value && negative) *value = -*value;
  return value;
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !is_digit(text[0])) return std::nullopt;
  // Accumulate as a negative number so that INT64_MIN fits.
  std::int64_t value = 0;
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    const int digit = c - '0';
    if (value < (kMin + digit) / 10) return std::nullopt;
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == kMin) return std::nullopt;
    value = -value;
  }
  return value;
}

}  // namespace blockhealth::prometheus
