#include "server/state_wiring.h"

#include <spdlog/spdlog.h>

namespace blockhealth::server {

void HistoryRecorder::on_transition(const Transition& t) {
  auto written = store_.append_transition(t);
  if (written) return;
  ++failures_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_warning_ > std::chrono::minutes(1)) {
    last_warning_ = now;
    spdlog::error("cannot record transitions in the state store ({} failed so far): {}",
                  failures_.load(), written.error().message);
  }
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
