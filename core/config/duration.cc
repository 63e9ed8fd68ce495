#include "core/config/duration.h"

#include <array>
#include <cstdint>

namespace blockhealth {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ms;
};

// Largest first: the order units must appear in.
constexpr std::array<Unit, 5> kUnits = {{
    {"d", 24LL * 3600 * 1000},
    {"h", 3600LL * 1000},
    {"m", 60LL * 1000},
    {"s", 1000},
    {"ms", 1},
}};

constexpr std::int64_t kMaxMs = 100LL * 365 * 24 * 3600 * 1000;  // 100 years

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Error expected(std::string_view text, std::string_view why = {}) {
  std::string msg = "expected a duration like 5s, 250ms or 1m30s, got '" + std::string(text) + "'";
  if (!why.empty()) msg += " (" + std::string(why) + ")";
  return fail(std::move(msg));
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds{0};
  if (text.empty()) return expected(text);
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && is_digit(c);
  if (all_digits) return expected(text, "a number needs a unit: ms, s, m, h or d");

  std::int64_t total = 0;
  std::size_t next_unit = 0;  // index in kUnits of the smallest unit still allowed
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) return expected(text);
    std::int64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
      n = n * 10 + (text[i] - '0');
      if (n > kMaxMs)
        return fail("duration '" + std::string(text) + "' is too long (over 100 years)");
      ++i;
    }
    const std::size_t unit_start = i;
    while (i < text.size() && is_letter(text[i])) ++i;
    const std::string_view unit = text.substr(unit_start, i - unit_start);
    if (unit.empty()) return expected(text, "every number needs a unit: ms, s, m, h or d");
    std::size_t u = 0;
    while (u < kUnits.size() && kUnits[u].name != unit) ++u;
    if (u == kUnits.size()) {
      return expected(text,
                      "unknown unit '" + std::string(unit) + "'; units are ms, s, m, h and d");
    }
    if (u < next_unit) {
      return expected(text, "units must go from the largest to the smallest, each at most once");
    }
    next_unit = u + 1;
    if (n > (kMaxMs - total) / kUnits[u].ms) {
      return fail("duration '" + std::string(text) + "' is too long (over 100 years)");
    }
    total += n * kUnits[u].ms;
  }
  return std::chrono::milliseconds{total};
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t left = d.count();
  if (left <= 0) return "0s";
  std::string out;
  for (const Unit& u : kUnits) {
    if (left >= u.ms) {
      out += std::to_string(left / u.ms);
      out += u.name;
      left %= u.ms;
    }
  }
  return out;
}

}  // namespace blockhealth
