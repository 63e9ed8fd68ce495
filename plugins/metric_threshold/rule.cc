#include "plugins/metric_threshold/rule.h"

#include <algorithm>
#include <cmath>

#include "plugins/common/text_format.h"

namespace blockhealth::policies::metric_threshold {
namespace {

Reduce reduce_of(const std::string& word, const std::string& where) {
  if (word == "max") return Reduce::kMax;
  if (word == "min") return Reduce::kMin;
  if (word == "avg") return Reduce::kAvg;
  if (word == "sum") return Reduce::kSum;
  if (word == "count") return Reduce::kCount;
  if (word == "last") return Reduce::kLast;
  throw bh::Error(where + "reduce '" + word + "': expected max, min, avg, sum, count or last");
}

const char* reduce_word(Reduce r) {
  switch (r) {
    case Reduce::kMax:
      return "max";
    case Reduce::kMin:
      return "min";
    case Reduce::kAvg:
      return "avg";
    case Reduce::kSum:
      return "sum";
    case Reduce::kCount:
      return "count";
    case Reduce::kLast:
      return "last";
  }
  return "?";
}

double median_of(std::vector<double>& v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

}  // namespace

PeerStats peer_stats(std::vector<double> values) {
  PeerStats out;
  out.count = values.size();
  if (values.empty()) return out;
  out.median = median_of(values);
  for (double& v : values) v = std::fabs(v - out.median);
  out.mad = median_of(values);
  return out;
}

Rule::Rule(const bh::Json& item, std::size_t index)
    : name_(item.string_or("name", "rule" + std::to_string(index + 1))), select_([&] {
        const std::string where =
            "rules[" + std::to_string(index) + "] (" + item.string_or("name", "?") + "): ";
        try {
          return Selector(item.string_or("select", ""));
        } catch (const bh::Error& e) {
          throw bh::Error(where + e.what());
        }
      }()) {
  const std::string where = "rules[" + std::to_string(index) + "] (" + name_ + "): ";
  try {
    reduce_ = reduce_of(item.string_or("reduce", "max"), "");
    if (const std::string of = item.string_or("ratio_of", ""); !of.empty()) ratio_of_.emplace(of);
    if (item.find("rate") != nullptr) {
      rate_window_ms_ = bh::duration_ms_or(item, "rate", 0);
      if (rate_window_ms_ <= 0) throw bh::Error("rate: the window must be longer than 0s");
      if (ratio_of_) throw bh::Error("give rate or ratio_of, not both");
    }
    if (const std::string w = item.string_or("warn", ""); !w.empty()) warn_.emplace("warn", w);
    if (const std::string c = item.string_or("critical", ""); !c.empty()) {
      critical_.emplace("critical", c);
    }
    if (!warn_ && !critical_) throw bh::Error("give warn, critical or both");
    const std::string missing = item.string_or("missing", "unknown");
    if (missing == "unknown") {
      missing_ = bh::Status::kUnknown;
    } else if (missing == "ok") {
      missing_ = bh::Status::kOk;
    } else if (missing == "degraded" || missing == "warn") {
      missing_ = bh::Status::kWarn;
    } else if (missing == "unhealthy" || missing == "critical") {
      missing_ = bh::Status::kCritical;
    } else {
      throw bh::Error("missing '" + missing +
                      "': expected unknown, ok, degraded (warn) or unhealthy (critical)");
    }
  } catch (const bh::Error& e) {
    throw bh::Error(where + e.what());
  }
}

bool Rule::uses_peers() const {
  return (warn_ && warn_->uses_peers()) || (critical_ && critical_->uses_peers());
}

std::optional<double> Rule::reduce(const bh::Instance& in, const Selector& s,
                                   std::string* series) const {
  std::optional<double> out;
  std::size_t n = 0;
  std::int64_t latest = 0;
  const bh_sample* decider = nullptr;  // its series is named once, at the end
  for (const bh_sample& raw : in.raw_samples()) {
    if (!s.matches(raw) || std::isnan(raw.value)) continue;
    const double v = raw.value;
    ++n;
    bool decides = false;
    switch (reduce_) {
      case Reduce::kMax:
        decides = !out || v > *out;
        if (decides) out = v;
        break;
      case Reduce::kMin:
        decides = !out || v < *out;
        if (decides) out = v;
        break;
      case Reduce::kAvg:
      case Reduce::kSum:
        out = out.value_or(0) + v;
        break;
      case Reduce::kCount:
        out = static_cast<double>(n);
        break;
      case Reduce::kLast:
        decides = !out || raw.timestamp_ms >= latest;
        if (decides) {
          out = v;
          latest = raw.timestamp_ms;
        }
        break;
    }
    if (decides) decider = &raw;
  }
  if (reduce_ == Reduce::kAvg && out) *out /= static_cast<double>(n);
  if (series != nullptr) {
    *series = decider != nullptr ? bh::Sample(*decider).series()
                                 : std::string(reduce_word(reduce_)) + "(" + s.text() + ")";
  }
  return out;
}

RuleValue Rule::value_of(const bh::Instance& in, std::int64_t now_ms) {
  RuleValue out;
  auto v = reduce(in, select_, &out.series);
  if (!v) {
    out.missing_why = "no series match " + select_.text();
    return out;
  }
  if (ratio_of_) {
    std::string unused;
    const auto of = reduce(in, *ratio_of_, &unused);
    if (!of) {
      out.missing_why = "no series match " + ratio_of_->text();
      return out;
    }
    if (*of == 0) {
      out.missing_why = out.series + " / " + ratio_of_->text() + ": the divisor is 0";
      return out;
    }
    out.series += " / " + ratio_of_->text();
    out.value = *v / *of;
    return out;
  }
  if (rate_window_ms_ > 0) {
    forget_idle_counters(now_ms);
    auto& points = counters_[std::string(in.id())];
    if (!points.empty() && *v < points.back().second) points.clear();  // a counter reset
    if (points.empty() || points.back().first < now_ms) points.emplace_back(now_ms, *v);
    while (points.size() > 2 && points[1].first <= now_ms - rate_window_ms_) points.pop_front();
    out.series = "rate(" + out.series + "[" + format_duration_ms(rate_window_ms_) + "])";
    if (points.size() < 2) {
      out.missing_why = out.series + ": needs two readings of the counter (one so far)";
      return out;
    }
    const double seconds = static_cast<double>(now_ms - points.front().first) / 1000.0;
    out.value = (*v - points.front().second) / seconds;
    return out;
  }
  out.value = *v;
  return out;
}

void Rule::forget_idle_counters(std::int64_t now_ms) {
  // Instances gone from the block leave their points behind: at most once a
  // window, drop those not read for ten windows.
  if (now_ms - last_forget_ms_ < rate_window_ms_) return;
  last_forget_ms_ = now_ms;
  std::erase_if(counters_, [&](const auto& e) {
    return e.second.empty() || e.second.back().first < now_ms - 10 * rate_window_ms_;
  });
}

bh::Verdict Rule::judge(const RuleValue& v, const PeerStats& peers) const {
  if (!v.value) {
    const std::string reason = name_ + ": " + v.missing_why;
    switch (missing_) {
      case bh::Status::kOk:
        return bh::Verdict::ok(reason);
      case bh::Status::kWarn:
        return bh::Verdict::warn(reason);
      case bh::Status::kCritical:
        return bh::Verdict::critical(reason);
      case bh::Status::kUnknown:
        return bh::Verdict::unknown(reason);
    }
  }
  const double value = *v.value;
  for (const auto* c : {critical_ ? &*critical_ : nullptr, warn_ ? &*warn_ : nullptr}) {
    if (c == nullptr) continue;
    const auto limit = c->limit(peers);
    if (!limit || !c->holds(value, *limit)) continue;
    std::string reason = name_ + ": " + v.series + " is " + format_number(value) + " " +
                         c->op_text() + " " + format_number(*limit);
    if (c->uses_peers()) {
      reason += " (" + c->limit_text() + " of " + std::to_string(peers.count) +
                " instances; median " + format_number(peers.median) + ", mad " +
                format_number(peers.mad) + ")";
    }
    const bool critical = c == (critical_ ? &*critical_ : nullptr);
    auto verdict = critical ? bh::Verdict::critical(reason) : bh::Verdict::warn(reason);
    return std::move(verdict).with_evidence(v.series, value, *limit);
  }
  return bh::Verdict::ok(name_ + ": " + v.series + " is " + format_number(value));
}

}  // namespace blockhealth::policies::metric_threshold
