// BlockState: what the engine keeps for one block of the running
// configuration: its policies (handle, quarantine, counters, schedule) and
// its instances (record, trackers, flap detector, what actions were told).
// Plain data with lookups; the jobs that change it live in their own files
// (due_selection, result_apply, health_update, visit_schedule,
// block_adoption), and block_view_builder reads it.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_STATE_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_STATE_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config/config.h"
#include "core/engine/block_board.h"
#include "core/engine/block_news.h"
#include "core/engine/engine_plan.h"
#include "core/engine/flap_detector.h"
#include "core/engine/instance_health.h"
#include "core/engine/quarantine.h"
#include "core/observations/instance_record.h"
#include "core/observations/observation_store.h"

namespace blockhealth {

// The id of the built-in check every instance with a health_url gets.
inline constexpr std::string_view kHealthProbeCheck = "health_probe";

struct PolicyCounters {
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t skipped_busy = 0;
  std::int64_t last_duration_us = 0;
};

struct PolicySlot {
  PolicySlot(PlannedPolicy p, QuarantinePolicy q)
      : planned(std::move(p)), config(*planned.config), quarantine(q) {}

  PlannedPolicy planned;
  const PolicyConfig& config;  // in the plan the block holds
  Quarantine quarantine;
  PolicyCounters counters;
  std::int64_t interval_ms = 0;
  std::int64_t next_tick_ms = 0;  // the next time this policy may run
  bool in_flight = false;         // a call of this slot has not come back yet
  std::uint64_t call_id = 0;      // of the call in flight (or the last one)
  bool due_only = false;          // the plugin takes only the due instances
  std::uint32_t inputs = 0;       // BH_INPUT_* bits the plugin reads (0 = all)
  bool quarantine_shown = false;  // whether the board last showed it quarantined

  const std::string& id() const { return config.id; }
  const std::string& use() const { return config.use; }
  PolicyHandle& handle() const { return *planned.handle; }
};

struct InstanceSlot {
  const std::string& id() const { return record->key().instance; }  // kept once, in the record
  bool pushed = false;                                              // registered over HTTP
  bool probed = false;      // has a health_url: the built-in health_probe check applies
  bool executor = false;    // `role: executor` in the config
  bool discovered = false;  // found by the block's discovery (InstanceConfig::discovered_by)
  InstanceRecordSharedPtr record;
  InstanceHealth health;
  // For each policy slot p: the index of p's tracker in `health`, or -1
  // when p does not judge this instance. The health_probe tracker is last.
  std::vector<int> tracker_of;
  // Something its health combines changed since the last health update.
  bool touched = true;
  std::int64_t last_seen_judged_ms = 0;      // last_seen as of the last health update
  std::int64_t probe_judged_ms = 0;          // time of the last probe fed to health_probe
  std::uint64_t source_generation_seen = 0;  // record's source_generation when last shown
  std::unique_ptr<FlapDetector> flap;        // when the block configures `flapping`
  std::int64_t flap_sampled_ms = 0;          // last flapping sample (0 = none)
  Status flap_last = Status::kUnknown;       // the status that sample recorded
  // The status actions were last told about (none yet: nullopt).
  std::optional<Status> notified;
  // Set when `notified` came from history read back at startup: the first
  // transition back into that status is not news (the actions ran before
  // the restart).
  bool notified_before_restart = false;

  explicit InstanceSlot(std::size_t history_size) : health(history_size) {}
};
using InstanceSlotPtr = std::unique_ptr<InstanceSlot>;

// Not thread-safe: lives on the engine thread. Whatever a view shows is
// changed only while holding board->mutex(), so readers building a view
// under that lock see a consistent block.
class BlockState {
 public:
  // `planned` is one of `plan`'s blocks; the state holds the plan (and so
  // the configuration it points into) for as long as it lives.
  BlockState(EnginePlanConstSharedPtr plan, const PlannedBlock& planned, BlockBoardSharedPtr board,
             const QuarantinePolicy& quarantine, NewsQueueSharedPtr news_queue,
             ObservationStore& store);
  BlockState(const BlockState&) = delete;
  BlockState& operator=(const BlockState&) = delete;

  const std::string& id() const { return config.id; }

  // Adds an instance (config or pushed) with its record and trackers.
  // REQUIRES: no instance with that id.
  InstanceSlot& add_instance(const std::string& id, bool pushed, ObservationStore& store);
  // Removes the instance `id` (its record stays in the store: the caller's
  // to remove); false when absent.
  bool remove_instance(std::string_view id);
  // nullptr when absent. O(1): an index by id, kept by add/remove.
  InstanceSlot* find_instance(std::string_view id);
  const InstanceSlot* find_instance(std::string_view id) const;
  // Makes `in`'s trackers match the policies that judge it (keeping the
  // state of those that stay) and refills tracker_of.
  void set_trackers(InstanceSlot& in) const;

  // The slot of policy `id_or_use` (the id first, else the first with that
  // `use`); nullptr when none.
  PolicySlot* find_policy(std::string_view id_or_use);

  const EnginePlanConstSharedPtr plan;
  const BlockConfig& config;               // in `plan`
  std::vector<PolicySlot> policies;        // config order
  std::vector<InstanceSlotPtr> instances;  // config order, then pushed ones
 private:
  // Keys view the slots' ids (kept in their records, alive as long as the
  // slot). Every change of `instances` goes through add/remove_instance.
  std::unordered_map<std::string_view, InstanceSlot*> by_id_;

 public:
  BlockBoardSharedPtr board;
  BlockNewsSinkSharedPtr news;

  bool paused = false;
  bool stopped = false;
  std::int64_t phase_ms = 0;          // ticks fall on phase_ms + k * interval
  std::int64_t evaluated_ms = 0;      // last visit that evaluated something
  std::int64_t next_visit_ms = 0;     // when it is queued for (0 = not queued)
  int calls_in_flight = 0;            // calls of this block not back yet
  int probed_instances = 0;           // instances with a health_url
  std::int64_t hold_check_ms = 0;     // a hold of this block ends then (0 = none known)
  std::uint64_t instances_epoch = 0;  // moves when an instance is added or removed
  // When an instance was last added or removed over HTTP: registrations in
  // a burst republish at once but settle the block's health once per
  // burst (Engine::register_instance).
  std::int64_t membership_changed_ms = 0;
  // What changed since the board was last told (set while applying, cleared
  // by the engine when it calls board->changed()).
  bool shown_changed = false;
  bool significant_changed = false;
  // The transitions of every instance, newest first, as last built for a
  // view; rebuilt by the next view after history_dirty is set. Both are
  // written under board->mutex() (by the engine, and by a reader building
  // a view).
  mutable bool history_dirty = true;
  mutable TransitionHistoryConstSharedPtr history;
};
using BlockStatePtr = std::unique_ptr<BlockState>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_STATE_H
