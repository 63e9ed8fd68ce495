// last_request_age: CRITICAL when an instance that has work queued has not
// served a request for longer than max_age (hung), with idle instances
// judged by `when_idle`. See request_clock.h (where the request time comes
// from), age_judgement.h (statuses and reasons) and docs/policies.md.
#include <algorithm>
#include <blockhealth/policy.hpp>

#include "last_request_age_schema.h"  // BH_PARAMS_SCHEMA, from last_request_age.schema.json
#include "plugins/last_request_age/age_judgement.h"
#include "plugins/last_request_age/request_clock.h"

namespace blockhealth::policies::last_request_age {
namespace {

constexpr std::int64_t kDefaultMaxAgeMs = 120'000;
// Counter state of instances not evaluated for this long is dropped; at
// least an hour, and never less than ten max_ages.
constexpr std::int64_t kMinForgetAfterMs = 3'600'000;

bh::Status parse_when_idle(const std::string& text) {
  if (text == "ok") return bh::Status::kOk;
  // The HTTP API's words, and the ABI's (WARN, CRITICAL) as aliases.
  if (text == "degraded" || text == "warn") return bh::Status::kWarn;
  if (text == "unhealthy" || text == "critical") return bh::Status::kCritical;
  throw bh::Error("when_idle must be ok, degraded (warn) or unhealthy (critical), not '" + text +
                  "'");
}

AgeLimits parse_limits(const bh::Json& params) {
  AgeLimits limits;
  limits.max_age_ms = bh::duration_ms_or(params, "max_age", kDefaultMaxAgeMs);
  if (limits.max_age_ms <= 0) throw bh::Error("max_age must be longer than 0s");
  limits.when_idle = parse_when_idle(params.string_or("when_idle", "ok"));
  limits.idle_metric = params.string_or("idle_metric", "queue_length");
  return limits;
}

class LastRequestAgePolicy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "last_request_age",
      .version = "1.1.0",
      .description =
          "Time since the last served request, with idle instances told apart "
          "from hung ones",
      .params_schema = BH_PARAMS_SCHEMA};
  // What evaluate reads: new data of another kind does not call it.
  static constexpr std::uint32_t kInputs = BH_INPUT_SAMPLES | BH_INPUT_LAST_REQUEST;

  LastRequestAgePolicy(const bh::Json& params, const bh::Host& /*host*/)
      : limits_(parse_limits(params)),
        forget_after_ms_(std::max(kMinForgetAfterMs, 10 * limits_.max_age_ms)),
        clock_(params.string_or("last_request_metric", "last_request_timestamp_seconds"),
               params.string_or("request_counter_metric", "end_to_end_count"), forget_after_ms_) {}

  // A fresh instance's verdict holds until max_age passes; any other until
  // new data. Never longer than half the time after which the request
  // clock forgets an instance's counter, so that memory stays fresh.
  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& ctx) {
    const std::int64_t now = ctx.now_ms();
    const std::optional<RequestTime> last = clock_.last_request(in, now);
    bh::Verdict v = judge_age(last, queue_value(in, limits_.idle_metric), now, limits_);
    const std::int64_t until =
        v.status == bh::Status::kOk && last && now - last->ms <= limits_.max_age_ms
            ? last->ms + limits_.max_age_ms + 1
            : bh::Verdict::kUntilNewData;
    return std::move(v).valid_until(std::min(until, now + forget_after_ms_ / 2));
  }

 private:
  AgeLimits limits_;
  std::int64_t forget_after_ms_;
  RequestClock clock_;
};

}  // namespace
}  // namespace blockhealth::policies::last_request_age

BH_POLICY(blockhealth::policies::last_request_age::LastRequestAgePolicy)
