// The engine's hooks into the SQLite state store: maintenance and silences
// persisted through HoldStore, every transition recorded, old history and
// expired holds pruned.
#ifndef BLOCKHEALTH_SERVER_STATE_WIRING_H
#define BLOCKHEALTH_SERVER_STATE_WIRING_H

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>

#include "core/engine/engine_events.h"
#include "core/engine/hold_registry.h"
#include "core/prometheus/metrics_registry.h"
#include "core/state/state_store.h"

namespace blockhealth::server {

// HoldStore over the state store. Thread-safe (the store is).
class StoredHolds final : public HoldStore {
 public:
  explicit StoredHolds(StateStore& store) : store_(store) {}
  Result<void> put_maintenance(const Maintenance& m) override { return store_.put_maintenance(m); }
  Result<bool> delete_maintenance(const std::string& block, const std::string& instance) override {
    return store_.delete_maintenance(block, instance);
  }
  Result<void> put_silence(const Silence& s) override { return store_.put_silence(s); }
  Result<bool> delete_silence(const std::string& id) override { return store_.delete_silence(id); }

 private:
  StateStore& store_;
};

// Appends every transition to the store as it happens (on the engine
// thread, so a transition a client has seen is on disk). One whose write
// fails (a full disk, a file size limit, a locked database) is kept in a
// backlog, and so is every later one while the backlog is not empty (in
// order, and the engine thread does not wait on a failing store again);
// retry() writes them (the daemon calls it every 2 s and at shutdown), so
// a disk that fills up and is freed loses nothing. The backlog holds at most
// kMaxBacklog transitions; past that the oldest are dropped and counted.
// Failures are logged at most once a minute; evaluation never waits.
// Metrics: blockhealth_state_write_failures_total,
// blockhealth_state_unwritten_transitions,
// blockhealth_state_dropped_transitions_total. [thread-safe]
class HistoryRecorder final : public EngineListener {
 public:
  static constexpr std::size_t kMaxBacklog = 100'000;

  // `metrics` may be null (no metrics); it must outlive the recorder.
  HistoryRecorder(StateStore& store, prometheus::MetricsRegistry* metrics);
  // [engine thread]
  void on_transition(const Transition& t) override;
  // Writes up to `most` of the backlog, oldest first, stopping at the first
  // failure. Returns how many are still unwritten. [any thread]
  std::size_t retry(std::size_t most = 5'000);

  std::uint64_t failures() const { return failures_.load(); }
  std::size_t unwritten() const;
  std::uint64_t dropped() const { return dropped_.load(); }

 private:
  // REQUIRES: mu_ held.
  void failed(const Error& error);

  StateStore& store_;
  std::mutex retry_mu_;                                   // one retry() at a time
  mutable std::mutex mu_;                                 // guards the two below
  std::deque<Transition> backlog_;                        // GUARDED_BY(mu_); oldest first
  std::chrono::steady_clock::time_point last_warning_{};  // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> dropped_{0};
  prometheus::Counter failures_metric_;
  prometheus::Counter dropped_metric_;
};

// Deletes transitions older than `retention` and expired holds. Returns
// what it did, for the log.
std::string prune_state(StateStore& store, HoldRegistry& holds, std::int64_t now_ms,
                        std::chrono::milliseconds retention);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_STATE_WIRING_H
