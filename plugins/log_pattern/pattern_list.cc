#include "plugins/log_pattern/pattern_list.h"

#include <blockhealth/policy.hpp>

namespace blockhealth::policies::log_pattern {

PatternList::PatternList(std::string_view level, const std::vector<std::string>& patterns,
                         bool case_insensitive) {
  re2::RE2::Options options;
  options.set_log_errors(false);  // errors are reported through the thrown message
  options.set_case_sensitive(!case_insensitive);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    auto re = std::make_unique<const re2::RE2>(patterns[i], options);
    if (!re->ok()) {
      throw bh::Error("pattern " + std::to_string(i + 1) + " of " + std::string(level) + " '" +
                      patterns[i] + "' does not compile: " + re->error());
    }
    compiled_.push_back(std::move(re));
  }
}

bool PatternList::matches(std::string_view line) const {
  const re2::StringPiece text(line.data(), line.size());
  for (const auto& re : compiled_) {
    if (re2::RE2::PartialMatch(text, *re)) return true;
  }
  return false;
}

}  // namespace blockhealth::policies::log_pattern
