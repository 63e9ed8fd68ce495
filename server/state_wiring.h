// The engine's hooks into the SQLite state store: maintenance and silences
// persisted through HoldStore, every transition recorded, old history and
// expired holds pruned.
#ifndef BLOCKHEALTH_SERVER_STATE_WIRING_H
#define BLOCKHEALTH_SERVER_STATE_WIRING_H

#include <atomic>
#include <chrono>

#include "core/engine/engine_events.h"
#include "core/engine/hold_registry.h"
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

// Appends every transition to the store, on the engine thread. A failed
// write is logged (at most once a minute) and counted; evaluation goes on.
class HistoryRecorder final : public EngineListener {
 public:
  explicit HistoryRecorder(StateStore& store) : store_(store) {}
  void on_transition(const Transition& t) override;
  std::uint64_t failures() const { return failures_.load(); }

 private:
  StateStore& store_;
  std::atomic<std::uint64_t> failures_{0};
  std::chrono::steady_clock::time_point last_warning_{};
};

// Deletes transitions older than `retention` and expired holds. Returns
// what it did, for the log.
std::string prune_state(StateStore& store, HoldRegistry& holds, std::int64_t now_ms,
                        std::chrono::milliseconds retention);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_STATE_WIRING_H
