// BlockView: an immutable picture of one block's health, as plain structs.
// Built on demand by BlockBoard (at most once per change) and read by any
// number of threads without locks. It holds no wire format: core/wire turns
// it into the HTTP bodies and keeps them in the view's memo.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/view_memo.h"
#include "core/model/aios_shape.h"
#include "core/model/block_source.h"
#include "core/model/policy_verdict.h"
#include "core/model/silence.h"
#include "core/model/status.h"
#include "core/model/transition.h"
#include "core/observations/instance_record.h"

namespace blockhealth {

struct PolicyResultView {
  std::string id;
  Status status = Status::kUnknown;      // after hysteresis
  Status raw_status = Status::kUnknown;  // the latest result
  int streak = 0;                        // latest results in a row with raw_status
  std::string reason;
  std::optional<Evidence> evidence;
  std::int64_t since_ms = 0;
  std::int64_t evaluated_ms = 0;
  std::int64_t valid_until_ms = 0;  // the latest result holds without new data until then
};

struct InstanceView {
  std::string id;
  bool pushed = false;      // registered over HTTP rather than in the config
  bool discovered = false;  // found by the block's discovery
  Status status = Status::kUnknown;
  std::string policy;  // what decided the status
  std::string reason;
  std::optional<Evidence> evidence;
  std::int64_t since_ms = 0;
  std::int64_t last_seen_ms = 0;             // as of the view's build
  LastSeenCellConstSharedPtr last_reported;  // live value, for "lastMetrics"
  std::int64_t last_reported_ms = 0;         // as of the view's build
  bool executor = false;                     // `role: executor`
  std::vector<PolicyResultView> policies;
  std::vector<SourceStatus> sources;       // pull sources and how they are doing
  std::optional<Maintenance> maintenance;  // active maintenance window
  std::optional<Silence> silence;          // first active silence that covers it
  bool flapping = false;
  double flap_percent = 0;  // weighted state-change share over the flapping window
  bool counted = true;      // counts for the quorum (not in maintenance)
};

// min_healthy over the instances that count (those not in maintenance).
struct QuorumView {
  int required = 0;         // healthy instances needed
  int counted = 0;          // instances that count
  int healthy = 0;          // of those, healthy (ok or degraded)
  bool ok = false;          // healthy >= required (and at least one instance counts)
  bool configured = false;  // min_healthy was set; else every counted instance must be healthy
};

struct PolicyStateView {
  std::string id;
  std::string use;
  std::string plugin_version;
  std::int64_t interval_ms = 0;
  std::int64_t timeout_ms = 0;
  bool quarantined = false;
  std::int64_t quarantine_until_ms = 0;
  std::string quarantine_reason;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t skipped_busy = 0;
  std::int64_t last_duration_us = 0;
  bool busy = false;       // a call is inside the plugin (possibly one given up on)
  bool in_flight = false;  // the engine waits for a call of this policy
};

// A block's transitions, newest first. Shared by every view built while
// the history does not change, so that what is derived from it (its JSON)
// is derived once.
struct TransitionHistory {
  std::vector<Transition> newest_first;
  ViewMemo memo;
};
using TransitionHistoryConstSharedPtr = std::shared_ptr<const TransitionHistory>;

struct BlockView {
  std::string id;
  std::uint64_t state_index = 0;  // grows whenever a status, reason or hold changes
  std::uint64_t version = 0;      // grows with every change of anything shown
  std::int64_t built_ms = 0;      // the last evaluation of the block (0 = none yet)
  bool paused = false;
  Status status = Status::kUnknown;  // worst instance status
  bool healthy = false;              // AIOS meaning: every instance healthy
  QuorumView quorum;
  std::vector<InstanceView> instances;
  std::vector<PolicyStateView> policies;
  TransitionHistoryConstSharedPtr history;  // never null
  AiosShape aios;                           // how GET /block/health/<id> writes it
  BlockSource source = BlockSource::kFile;  // defined in the config file or over HTTP
  bool shadows_api_block = false;           // a file block hiding an HTTP one of its id

  // What readers derived from this view (core/wire keeps the bodies here).
  ViewMemo memo;
};
using BlockViewConstSharedPtr = std::shared_ptr<const BlockView>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H
