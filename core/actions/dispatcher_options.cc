#include "core/actions/dispatcher_options.h"

#include <algorithm>

namespace blockhealth {

AttemptVerdict judge_attempt(int http_status) {
  if (http_status >= 200 && http_status < 300) return AttemptVerdict::kDelivered;
  if (http_status >= 400 && http_status < 500 && http_status != 408 && http_status != 429) {
    return AttemptVerdict::kGiveUp;
  }
  return AttemptVerdict::kRetry;
}

std::chrono::milliseconds backoff_delay(std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap_ms, int attempts) {
  const std::int64_t cap = std::max<std::int64_t>(cap_ms.count(), 0);
  std::int64_t delay = std::max<std::int64_t>(base.count(), 0);
  for (int i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  return std::chrono::milliseconds(std::min(delay, cap));
}

}  // namespace blockhealth
