// Judging how long ago an instance served its last request.
//
// Fresh (age <= max_age): OK "last request 12s ago (max_age 120s)".
// Stale and idle (the idle metric, summed over its series, is 0): the
//   `when_idle` status, "idle (queue_length 0), last request 310s ago"; an
//   idle instance has nothing to serve, so it is not hung.
// Stale and not idle: CRITICAL "last request 310s ago > max_age 120s
//   (queue_length 4)"; without the idle metric the instance is judged as
//   not idle and the reason says "queue length unknown".
// No request time from any source: UNKNOWN "no request time reported".
// Evidence: the metric the request time came from, the age and max_age in
// seconds.
#ifndef BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_AGE_JUDGEMENT_H
#define BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_AGE_JUDGEMENT_H

#include <blockhealth/policy.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "plugins/last_request_age/request_clock.h"

namespace blockhealth::policies::last_request_age {

struct AgeLimits {
  std::int64_t max_age_ms = 120'000;
  bh::Status when_idle = bh::Status::kOk;
  std::string idle_metric = "queue_length";
};

// The idle metric of `in` summed over its series (finite values only), or
// nullopt when absent.
std::optional<double> queue_value(const bh::Instance& in, const std::string& idle_metric);

// REQUIRES: nothing; `last` may be nullopt (UNKNOWN).
bh::Verdict judge_age(const std::optional<RequestTime>& last, std::optional<double> queue,
                      std::int64_t now_ms, const AgeLimits& limits);

}  // namespace blockhealth::policies::last_request_age

#endif  // BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_AGE_JUDGEMENT_H
