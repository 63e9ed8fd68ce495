// A PromQL-style series selector: `name{label="v", label!="v",
// label=~"re", label!~"re"}` (name optional when a matcher is given).
// Regular expressions are RE2, fully anchored as in PromQL; a label a
// series lacks matches as the empty string, as in PromQL.
#ifndef BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_SELECTOR_H
#define BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_SELECTOR_H

#include <re2/re2.h>

#include <blockhealth/policy.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace blockhealth::policies::metric_threshold {

class Selector {
 public:
  // Throws bh::Error naming the character where `text` goes wrong, e.g.
  // "select 'q{a=}': expected a quoted value at character 5".
  explicit Selector(std::string_view text);

  bool matches(const bh_sample& sample) const;
  const std::string& text() const { return text_; }

 private:
  enum class Op { kEqual, kNotEqual, kMatch, kNotMatch };
  struct Matcher {
    std::string label;
    Op op;
    std::string value;
    std::shared_ptr<const re2::RE2> re;  // kMatch, kNotMatch
  };
  std::string text_;
  std::string name_;  // "" = any
  std::vector<Matcher> matchers_;
};

}  // namespace blockhealth::policies::metric_threshold

#endif  // BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_SELECTOR_H
