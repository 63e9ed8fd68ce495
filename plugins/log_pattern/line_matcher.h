// Counting an instance's recent log lines that match each level's patterns.
#ifndef BLOCKHEALTH_PLUGINS_LOG_PATTERN_LINE_MATCHER_H
#define BLOCKHEALTH_PLUGINS_LOG_PATTERN_LINE_MATCHER_H

#include <blockhealth/policy_abi.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "plugins/log_pattern/pattern_list.h"

namespace blockhealth::policies::log_pattern {

struct LevelMatches {
  std::size_t count = 0;
  const bh_log_line* latest = nullptr;  // the newest matching line; borrowed from the input
};

struct WindowMatches {
  LevelMatches critical;
  LevelMatches warn;  // lines that match a warn pattern and no critical one
  // The time of the oldest counted line of either level (0 when none): the
  // counts change no sooner than when it leaves the window.
  std::int64_t oldest_ms = 0;
};

// Counts the lines with time_ms > since_ms (later lines included: a clock
// a little ahead must not hide them). A line that matches both levels
// counts as critical only. `lines` is oldest first, as the host passes it;
// the result borrows from it.
WindowMatches count_matches(std::span<const bh_log_line> lines, std::int64_t since_ms,
                            const PatternList& critical, const PatternList& warn);

}  // namespace blockhealth::policies::log_pattern

#endif  // BLOCKHEALTH_PLUGINS_LOG_PATTERN_LINE_MATCHER_H
