#include "plugins/log_pattern/line_matcher.h"

#include <string_view>

namespace blockhealth::policies::log_pattern {
namespace {

void count(LevelMatches& level, const bh_log_line& line) {
  ++level.count;
  if (level.latest == nullptr || line.time_ms >= level.latest->time_ms) level.latest = &line;
}

}  // namespace

WindowMatches count_matches(std::span<const bh_log_line> lines, std::int64_t since_ms,
                            const PatternList& critical, const PatternList& warn) {
  WindowMatches out;
  for (const bh_log_line& line : lines) {
    if (line.time_ms <= since_ms || line.text == nullptr) continue;
    const std::string_view text(line.text);
    if (critical.matches(text)) {
      count(out.critical, line);
    } else if (warn.matches(text)) {
      count(out.warn, line);
    } else {
      continue;
    }
    if (out.oldest_ms == 0 || line.time_ms < out.oldest_ms) out.oldest_ms = line.time_ms;
  }
  return out;
}

}  // namespace blockhealth::policies::log_pattern
