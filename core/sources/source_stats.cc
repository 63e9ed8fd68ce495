#include "core/sources/source_stats.h"

#include <algorithm>

namespace blockhealth {

void DurationWindow::record(std::int64_t us) {
  std::lock_guard lock(mu_);
  if (window_.size() < kWindow) {
    window_.push_back(us);
  } else {
    window_[next_] = us;
    next_ = (next_ + 1) % kWindow;
  }
  ++count_;
  max_ = std::max(max_, us);
}

DurationSummary DurationWindow::summary() const {
  std::vector<std::int64_t> sorted;
  DurationSummary out;
  {
    std::lock_guard lock(mu_);
    sorted = window_;
    out.count = count_;
    out.max_us = max_;
  }
  if (sorted.empty()) return out;
  std::sort(sorted.begin(), sorted.end());
  const auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
    return sorted[std::min(i, sorted.size() - 1)];
  };
  out.p50_us = at(0.50);
  out.p90_us = at(0.90);
  out.p99_us = at(0.99);
  return out;
}

void DurationWindow::reset() {
  std::lock_guard lock(mu_);
  window_.clear();
  next_ = 0;
  count_ = 0;
  max_ = 0;
}

void SourceCounters::reset() {
  started = 0;
  completed = 0;
  failed = 0;
  skipped_ticks = 0;
  connections_opened = 0;
  log_lines = 0;
  lateness.reset();
  duration.reset();
}

}  // namespace blockhealth
