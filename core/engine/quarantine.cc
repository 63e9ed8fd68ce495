#include "core/engine/quarantine.h"

#include <algorithm>

namespace blockhealth {

void Quarantine::record_success() {
  consecutive_errors_ = 0;
  level_ = 0;
  until_ms_ = 0;
  reason_.clear();
}

void Quarantine::record_error(const std::string& reason, std::int64_t now_ms) {
  ++consecutive_errors_;
  if (consecutive_errors_ >= policy_.errors_before_quarantine) enter(reason, now_ms);
}

void Quarantine::record_timeout(const std::string& reason, std::int64_t now_ms) {
  ++consecutive_errors_;
  enter(reason, now_ms);
}

void Quarantine::enter(const std::string& reason, std::int64_t now_ms) {
  std::int64_t backoff = policy_.base_backoff_ms;
  for (int i = 0; i < level_ && backoff < policy_.max_backoff_ms; ++i) backoff *= 2;
  backoff = std::min(backoff, policy_.max_backoff_ms);
  ++level_;
  ++total_;
  until_ms_ = now_ms + backoff;
  reason_ = reason;
}

}  // namespace blockhealth
