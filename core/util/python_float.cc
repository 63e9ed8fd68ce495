#include "core/util/python_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <system_error>

namespace blockhealth {

void append_python_float_repr(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  // The shortest round-trip digits, in the form d[.ddd]e±XX.
  char sci[32];
  const auto [end, ec] = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  if (ec != std::errc()) return;  // cannot happen: 32 bytes hold any double
  const char* p = sci;
  if (*p == '-') {
    out += '-';
    ++p;
  }
  char digits[24];
  int count = 0;
  for (; p < end && *p != 'e'; ++p) {
    if (*p != '.') digits[count++] = *p;
  }
  // "e+01" -> 1, "e-05" -> -5 (the buffer is not NUL-terminated).
  int exponent = 0;
  const char* e = p + 1;
  const bool negative = e < end && *e == '-';
  if (e < end && (*e == '+' || *e == '-')) ++e;
  std::from_chars(e, end, exponent);
  if (negative) exponent = -exponent;
  const int point = exponent + 1;   // digits before the decimal point
  if (point > -4 && point <= 16) {  // CPython's float_repr_style 'short' rule
    if (point <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-point), '0');
      out.append(digits, static_cast<std::size_t>(count));
    } else if (point >= count) {
      out.append(digits, static_cast<std::size_t>(count));
      out.append(static_cast<std::size_t>(point - count), '0');
      out += ".0";
    } else {
      out.append(digits, static_cast<std::size_t>(point));
      out += '.';
      out.append(digits + point, static_cast<std::size_t>(count - point));
    }
    return;
  }
  out += digits[0];
  if (count > 1) {
    out += '.';
    out.append(digits + 1, static_cast<std::size_t>(count - 1));
  }
  out += exponent < 0 ? "e-" : "e+";
  const int magnitude = std::abs(exponent);
  if (magnitude < 10) out += '0';
  char exp_digits[8];
  const auto written = std::to_chars(exp_digits, exp_digits + sizeof exp_digits, magnitude);
  out.append(exp_digits, written.ptr);
}

}  // namespace blockhealth
