// A rule's `warn:` or `critical:`: an operator and a limit, the limit a
// number or relative to the block's other instances (peers):
//   '> 20'   '<= 0.5'   '!= 1'
//   '> 1.5 * median'            1.5 times the median of the block's values
//   '> median + 3 * mad'        median plus 3 median absolute deviations
//   '< median - 2 * mad'
// Peer limits need at least 3 instances of the block with a value; with
// fewer, that comparison does not fire.
#ifndef BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_COMPARISON_H
#define BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_COMPARISON_H

#include <optional>
#include <string>
#include <string_view>

namespace blockhealth::policies::metric_threshold {

// The block's values of one rule, for peer limits.
struct PeerStats {
  std::size_t count = 0;  // instances with a value
  double median = 0;
  double mad = 0;  // median absolute deviation from the median
};

class Comparison {
 public:
  // Throws bh::Error: "warn '>> 3': expected one of > >= < <= == != and a
  // limit like 20, 1.5 * median or median + 3 * mad".
  Comparison(std::string_view key, std::string_view text);

  // The limit for these peers; nullopt when it needs peers there are too
  // few of.
  std::optional<double> limit(const PeerStats& peers) const;
  bool holds(double value, double limit) const;
  bool uses_peers() const { return kind_ != Kind::kNumber; }
  const std::string& op_text() const { return op_; }
  const std::string& text() const { return text_; }
  const std::string& limit_text() const { return limit_text_; }  // "1.5 * median"

 private:
  enum class Kind { kNumber, kTimesMedian, kMedianPlusMad };
  std::string text_;
  std::string op_;
  std::string limit_text_;
  Kind kind_ = Kind::kNumber;
  double number_ = 0;  // kNumber: the limit; kTimesMedian: the factor; kMedianPlusMad: +- factor
};

}  // namespace blockhealth::policies::metric_threshold

#endif  // BLOCKHEALTH_PLUGINS_METRIC_THRESHOLD_COMPARISON_H
