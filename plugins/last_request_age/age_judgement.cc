#include "plugins/last_request_age/age_judgement.h"

#include <algorithm>
#include <cmath>

#include "plugins/common/text_format.h"

namespace blockhealth::policies::last_request_age {

std::optional<double> queue_value(const bh::Instance& in, const std::string& idle_metric) {
  std::optional<double> sum;
  for (const bh::Sample& s : in.samples_named(idle_metric)) {
    if (std::isfinite(s.value())) sum = sum.value_or(0) + s.value();
  }
  return sum;
}

bh::Verdict judge_age(const std::optional<RequestTime>& last, std::optional<double> queue,
                      std::int64_t now_ms, const AgeLimits& limits) {
  if (!last) return bh::Verdict::unknown("no request time reported");

  // A request time a little in the future (clock skew) counts as just now.
  const std::int64_t age_ms = std::max<std::int64_t>(0, now_ms - last->ms);
  const std::string age = format_seconds(age_ms / 1000 * 1000);
  const std::string max_age = format_seconds(limits.max_age_ms);
  bh::Evidence evidence{last->source, static_cast<double>(age_ms) / 1000.0,
                        static_cast<double>(limits.max_age_ms) / 1000.0};

  if (age_ms <= limits.max_age_ms) {
    return bh::Verdict{bh::Status::kOk, "last request " + age + " ago (max_age " + max_age + ")",
                       evidence};
  }
  if (queue && *queue == 0) {
    return bh::Verdict{limits.when_idle,
                       "idle (" + limits.idle_metric + " 0), last request " + age + " ago",
                       evidence};
  }
  const std::string queue_text = queue ? limits.idle_metric + " " + format_number(*queue)
                                       : std::string("queue length unknown");
  return bh::Verdict{bh::Status::kCritical,
                     "last request " + age + " ago > max_age " + max_age + " (" + queue_text + ")",
                     evidence};
}

}  // namespace blockhealth::policies::last_request_age
