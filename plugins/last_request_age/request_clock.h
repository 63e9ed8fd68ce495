// RequestClock: when an instance last served a request, from whichever
// source reports it most recently:
//   - bh_instance.last_request_ms, as the host's source reported it;
//   - a timestamp metric (default last_request_timestamp_seconds), Unix
//     seconds; the newest series wins, 0 or non-finite values are ignored;
//   - a request counter (default end_to_end_count, or its Prometheus
//     `_total` spelling), summed over its series: the request time is when
//     the sum last changed. The first sight of a counter sets the baseline
//     at that time (so a daemon restart does not look like a hang), and a
//     sum that goes down is a restart of the instance, which counts as a
//     change.
#ifndef BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_REQUEST_CLOCK_H
#define BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_REQUEST_CLOCK_H

#include <blockhealth/policy.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

namespace blockhealth::policies::last_request_age {

struct RequestTime {
  std::int64_t ms = 0;  // Unix milliseconds
  std::string source;   // metric it came from, for evidence: "last_request_ms" for the host's field
};

// Keeps per-instance counter state between evaluate calls. Not thread-safe:
// the policy instance is never entered by two threads at once.
class RequestClock {
 public:
  RequestClock(std::string timestamp_metric, std::string counter_metric,
               std::int64_t forget_after_ms);

  // The newest request time of `in` as of `now_ms`, or nullopt when no
  // source reports one. Updates the counter state of `in`'s instance id and,
  // now and then, forgets instances not seen for forget_after_ms.
  std::optional<RequestTime> last_request(const bh::Instance& in, std::int64_t now_ms);

  std::size_t tracked_instances() const { return counters_.size(); }

 private:
  struct CounterState {
    double value = 0;
    std::int64_t changed_ms = 0;
    std::int64_t seen_ms = 0;
  };

  std::optional<RequestTime> from_timestamp_metric(const bh::Instance& in) const;
  std::optional<RequestTime> from_counter(const bh::Instance& in, std::int64_t now_ms);
  void prune(std::int64_t now_ms);

  std::string timestamp_metric_;
  std::string counter_metric_;
  std::string counter_total_metric_;
  std::int64_t forget_after_ms_;
  std::unordered_map<std::string, CounterState> counters_;  // by instance id
  std::int64_t last_prune_ms_ = 0;
};

}  // namespace blockhealth::policies::last_request_age

#endif  // BLOCKHEALTH_PLUGINS_LAST_REQUEST_AGE_REQUEST_CLOCK_H
