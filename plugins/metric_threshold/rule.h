// One named rule of metric_threshold: select series, reduce them to one
// value per instance (optionally a ratio of two reductions, or the rate of
// a counter over a window), and compare it with `critical` and `warn`.
#ifndef BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_RULE_H
#define BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_RULE_H

#include <blockhealth/policy.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "plugins/metric_threshold/comparison.h"
#include "plugins/metric_threshold/selector.h"

namespace blockhealth::policies::metric_threshold {

enum class Reduce { kMax, kMin, kAvg, kSum, kCount, kLast };

// One instance's value of a rule, or why there is none.
struct RuleValue {
  std::optional<double> value;
  std::string series;       // the deciding series (max, min, last of one), else the selector
  std::string missing_why;  // when !value: "no series match ...", "rate needs ..."
};

class Rule {
 public:
  // `item` is one element of `rules`; `index` (from 0) names it in errors.
  // Throws bh::Error "rules[1] (queue): ...".
  Rule(const bh::Json& item, std::size_t index);

  // The rule's value for `in` at now_ms. For `rate`, remembers this
  // instance's counter (the policy keeps one Rule per rule, and is not
  // re-entered concurrently).
  RuleValue value_of(const bh::Instance& in, std::int64_t now_ms);

  // The verdict for a value (peers for relative limits), or for a missing
  // one.
  bh::Verdict judge(const RuleValue& v, const PeerStats& peers) const;

  bool uses_peers() const;
  const std::string& name() const { return name_; }

 private:
  std::optional<double> reduce(const bh::Instance& in, const Selector& s,
                               std::string* series) const;
  void forget_idle_counters(std::int64_t now_ms);

  std::string name_;
  Selector select_;
  std::optional<Selector> ratio_of_;
  Reduce reduce_ = Reduce::kMax;
  std::int64_t rate_window_ms_ = 0;  // 0: no rate
  std::optional<Comparison> warn_;
  std::optional<Comparison> critical_;
  bh::Status missing_ = bh::Status::kUnknown;
  // rate: per instance, (time, counter) points within the window, oldest first.
  std::map<std::string, std::deque<std::pair<std::int64_t, double>>, std::less<>> counters_;
  std::int64_t last_forget_ms_ = 0;
};

// Median and MAD of the values present.
PeerStats peer_stats(std::vector<double> values);

}  // namespace blockhealth::policies::metric_threshold

#endif  // BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_RULE_H
