#include "plugins/last_request_age/request_clock.h"

#include <cmath>
#include <utility>

namespace blockhealth::policies::last_request_age {
namespace {

constexpr std::int64_t kPruneEveryMs = 10LL * 60'000;

// The sum of the finite values of every series of `name`, or nullopt when
// there is none.
std::optional<double> sum_of(const bh::Instance& in, std::string_view name) {
  std::optional<double> sum;
  for (const bh::Sample& s : in.samples_named(name)) {
    if (!std::isfinite(s.value())) continue;
    sum = sum.value_or(0) + s.value();
  }
  return sum;
}

void keep_newest(std::optional<RequestTime>& best, std::optional<RequestTime> candidate) {
  if (candidate && (!best || candidate->ms > best->ms)) best = std::move(candidate);
}

}  // namespace

RequestClock::RequestClock(std::string timestamp_metric, std::string counter_metric,
                           std::int64_t forget_after_ms)
    : timestamp_metric_(std::move(timestamp_metric)),
      counter_metric_(std::move(counter_metric)),
      counter_total_metric_(counter_metric_ + "_total"),
      forget_after_ms_(forget_after_ms) {}

std::optional<RequestTime> RequestClock::last_request(const bh::Instance& in, std::int64_t now_ms) {
  prune(now_ms);
  std::optional<RequestTime> best;
  if (in.last_request_ms() > 0) best = RequestTime{in.last_request_ms(), "last_request_ms"};
  keep_newest(best, from_timestamp_metric(in));
  keep_newest(best, from_counter(in, now_ms));
  return best;
}

std::optional<RequestTime> RequestClock::from_timestamp_metric(const bh::Instance& in) const {
  std::optional<RequestTime> best;
  for (const bh::Sample& s : in.samples_named(timestamp_metric_)) {
    const double seconds = s.value();
    if (!std::isfinite(seconds) || seconds <= 0) continue;
    keep_newest(best, RequestTime{static_cast<std::int64_t>(std::llround(seconds * 1000)),
                                  timestamp_metric_});
  }
  return best;
}

std::optional<RequestTime> RequestClock::from_counter(const bh::Instance& in, std::int64_t now_ms) {
  const std::string* name = &counter_metric_;
  std::optional<double> value = sum_of(in, counter_metric_);
  if (!value) {
    name = &counter_total_metric_;
    value = sum_of(in, counter_total_metric_);
  }
  if (!value) return std::nullopt;

  auto [it, first_sight] = counters_.try_emplace(std::string(in.id()));
  CounterState& state = it->second;
  if (first_sight || *value != state.value) {  // up: requests served; down: a reset
    state.value = *value;
    state.changed_ms = now_ms;
  }
  state.seen_ms = now_ms;
  return RequestTime{state.changed_ms, *name};
}

void RequestClock::prune(std::int64_t now_ms) {
  if (now_ms - last_prune_ms_ < kPruneEveryMs) return;
  last_prune_ms_ = now_ms;
  std::erase_if(counters_, [&](const auto& entry) {
    return now_ms - entry.second.seen_ms > forget_after_ms_;
  });
}

}  // namespace blockhealth::policies::last_request_age
