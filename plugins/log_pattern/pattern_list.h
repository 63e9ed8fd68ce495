// PatternList: one level's regular expressions (e.g. all `critical:`
// patterns), compiled with RE2: matching is linear in the line's length
// whatever the pattern, so operator-written patterns cannot stall a tick.
#ifndef BLOCKHEALTH_PLUGINS_LOG_PATTERN_PATTERN_LIST_H
#define BLOCKHEALTH_PLUGINS_LOG_PATTERN_PATTERN_LIST_H

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace blockhealth::policies::log_pattern {

// Immutable after construction; matches() is safe to call concurrently.
// Lists of the same patterns share one compiled copy (a fleet of blocks
// configured alike compiles its patterns once, ~3 KiB of RE2 each).
class PatternList {
 public:
  // Compiles each of `patterns` (unanchored: a pattern matches anywhere in
  // a line). `level` names the list in messages ("critical", "warn").
  // Throws bh::Error naming the first pattern that does not compile, e.g.
  // "pattern 2 of critical '(unclosed' does not compile: missing ): (unclosed".
  PatternList(std::string_view level, const std::vector<std::string>& patterns,
              bool case_insensitive);

  // Whether any pattern matches somewhere in `line`.
  bool matches(std::string_view line) const;
  bool empty() const { return compiled_->empty(); }

 private:
  using Compiled = std::vector<std::unique_ptr<const re2::RE2>>;
  // Never null; shared with every list of the same patterns and case.
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace blockhealth::policies::log_pattern

#endif  // BLOCKHEALTH_PLUGINS_LOG_PATTERN_PATTERN_LIST_H
