#include "plugins/metric_threshold/comparison.h"

#include <blockhealth/policy.hpp>
#include <charconv>
#include <cmath>

namespace blockhealth::policies::metric_threshold {
namespace {

constexpr std::size_t kMinPeers = 3;

void skip_space(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

bool take(std::string_view& s, std::string_view word) {
  skip_space(s);
  if (s.substr(0, word.size()) != word) return false;
  s.remove_prefix(word.size());
  return true;
}

std::optional<double> take_number(std::string_view& s) {
  skip_space(s);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || !std::isfinite(v)) return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return v;
}

}  // namespace

Comparison::Comparison(std::string_view key, std::string_view text) : text_(text) {
  const auto bad = [&] {
    return bh::Error(std::string(key) + " '" + text_ +
                     "': expected one of > >= < <= == != and a limit like 20, 1.5 * median or "
                     "median + 3 * mad");
  };
  std::string_view s = text;
  for (std::string_view op : {">=", "<=", "==", "!=", ">", "<"}) {
    if (take(s, op)) {
      op_ = std::string(op);
      break;
    }
  }
  if (op_.empty()) throw bad();
  skip_space(s);
  limit_text_ = std::string(s);
  while (!limit_text_.empty() && limit_text_.back() == ' ') limit_text_.pop_back();
  if (auto n = take_number(s)) {
    skip_space(s);
    if (s.empty()) {
      number_ = *n;
    } else if (take(s, "*") && take(s, "median")) {
      kind_ = Kind::kTimesMedian;
      number_ = *n;
    } else {
      throw bad();
    }
  } else if (take(s, "median")) {
    skip_space(s);
    if (s.empty()) {
      kind_ = Kind::kTimesMedian;
      number_ = 1;
    } else {
      const bool plus = take(s, "+");
      if (!plus && !take(s, "-")) throw bad();
      const auto factor = take_number(s);
      if (!factor || !take(s, "*") || !take(s, "mad")) throw bad();
      kind_ = Kind::kMedianPlusMad;
      number_ = plus ? *factor : -*factor;
    }
  } else {
    throw bad();
  }
  skip_space(s);
  if (!s.empty()) throw bad();
}

std::optional<double> Comparison::limit(const PeerStats& peers) const {
  switch (kind_) {
    case Kind::kNumber:
      return number_;
    case Kind::kTimesMedian:
      if (peers.count < kMinPeers) return std::nullopt;
      return number_ * peers.median;
    case Kind::kMedianPlusMad:
      if (peers.count < kMinPeers) return std::nullopt;
      return peers.median + number_ * peers.mad;
  }
  return std::nullopt;
}

bool Comparison::holds(double value, double limit) const {
  if (op_ == ">") return value > limit;
  if (op_ == ">=") return value >= limit;
  if (op_ == "<") return value < limit;
  if (op_ == "<=") return value <= limit;
  if (op_ == "==") return value == limit;
  return value != limit;
}

}  // namespace blockhealth::policies::metric_threshold
