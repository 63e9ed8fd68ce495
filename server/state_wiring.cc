#include "server/state_wiring.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace blockhealth::server {

HistoryRecorder::HistoryRecorder(StateStore& store, prometheus::MetricsRegistry* metrics)
    : store_(store) {
  if (metrics == nullptr) return;
  failures_metric_ = metrics
                         ->add_counter("blockhealth_state_write_failures_total",
                                       "Transition writes to the state store that failed "
                                       "(each retry counts).",
                                       {})
                         .value()
                         ->with({});
  dropped_metric_ = metrics
                        ->add_counter("blockhealth_state_dropped_transitions_total",
                                      "Transitions never written to the state store: dropped "
                                      "from a full backlog of unwritten ones.",
                                      {})
                        .value()
                        ->with({});
  metrics
      ->add_callback_gauge("blockhealth_state_unwritten_transitions",
                           "Transitions waiting to be written to the state store after a "
                           "failed write.",
                           {},
                           [this](std::vector<prometheus::GaugeReading>& out) {
                             out.push_back({{}, static_cast<double>(unwritten())});
                           })
      .value();
}

void HistoryRecorder::failed(const Error& error) {
  ++failures_;
  failures_metric_.inc();
  const auto now = std::chrono::steady_clock::now();
  if (now - last_warning_ > std::chrono::minutes(1)) {
    last_warning_ = now;
    spdlog::error(
        "cannot record transitions in the state store ({} failed writes so far, {} waiting to "
        "be written): {}",
        failures_.load(), backlog_.size(), error.message);
  }
}

void HistoryRecorder::on_transition(const Transition& t) {
  std::lock_guard lock(mu_);
  // While older ones wait, this one waits behind them (order kept; the
  // engine does not wait on a store that just failed).
  if (backlog_.empty()) {
    auto written = store_.append_transition(t);
    if (written) return;
    failed(written.error());
  }
  if (backlog_.size() >= kMaxBacklog) {
    backlog_.pop_front();
    ++dropped_;
    dropped_metric_.inc();
  }
  backlog_.push_back(t);
}

std::size_t HistoryRecorder::retry(std::size_t most) {
  std::lock_guard retry_lock(retry_mu_);
  // Written without holding mu_, so the engine thread never waits on these
  // writes; only this function pops, and only after writing.
  std::vector<Transition> chunk;
  {
    std::lock_guard lock(mu_);
    const std::size_t n = std::min(most, backlog_.size());
    chunk.assign(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(n));
  }
  std::size_t written = 0;
  std::optional<Error> error;
  for (const Transition& t : chunk) {
    auto done = store_.append_transition(t);
    if (!done) {
      error = done.error();
      break;
    }
    ++written;
  }
  std::lock_guard lock(mu_);
  // Entries dropped meanwhile (a full backlog) may have been among those
  // written: pop by sequence number, not by count.
  const std::uint64_t last = written > 0 ? chunk[written - 1].seq : 0;
  while (written > 0 && !backlog_.empty() && backlog_.front().seq <= last) backlog_.pop_front();
  if (error) failed(*error);
  if (written > 0 && backlog_.empty()) {
    spdlog::info("state store: the {} transitions that waited are written now", written);
  }
  return backlog_.size();
}

std::size_t HistoryRecorder::unwritten() const {
  std::lock_guard lock(mu_);
  return backlog_.size();
}

std::string prune_state(StateStore& store, HoldRegistry& holds, std::int64_t now_ms,
                        std::chrono::milliseconds retention) {
  holds.prune();
  std::string done;
  if (auto n = store.prune_transitions(now_ms - retention.count())) {
    done += std::to_string(*n) + " transitions";
  } else {
    spdlog::warn("pruning history: {}", n.error().message);
  }
  if (auto n = store.prune_expired(now_ms)) {
    done += (done.empty() ? "" : ", ") + std::to_string(*n) + " expired holds";
  } else {
    spdlog::warn("pruning holds: {}", n.error().message);
  }
  return done;
}

}  // namespace blockhealth::server
