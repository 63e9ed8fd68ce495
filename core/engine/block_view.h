// BlockView: an immutable picture of one block's health, published by the
// engine thread after each change and read by any number of HTTP threads
// without locks. The response bodies are serialized once, at publish time.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/policy_verdict.h"
#include "core/model/silence.h"
#include "core/model/status.h"
#include "core/model/transition.h"
#include "core/observations/instance_record.h"
#include "core/util/time_text.h"

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
};

struct InstanceView {
  std::string id;
  bool pushed = false;  // registered over HTTP rather than in the config
  Status status = Status::kUnknown;
  std::string policy;  // what decided the status
  std::string reason;
  std::optional<Evidence> evidence;
  std::int64_t since_ms = 0;
  std::int64_t last_seen_ms = 0;         // as of the view's build
  LastSeenCellConstSharedPtr last_seen;  // live value, for "lastMetrics"
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
  bool busy = false;
};

// The AIOS-compatible body of GET /block/health/<id>, kept as fragments
// around each instance's live "lastMetrics" value so a GET writes fresh
// ages without re-serializing anything else.
class AiosBody {
 public:
  // REQUIRES: fragments.size() == cells.size() + 1.
  AiosBody(std::vector<std::string> fragments, std::vector<LastSeenCellConstSharedPtr> cells)
      : fragments_(std::move(fragments)), cells_(std::move(cells)) {}
  AiosBody() : fragments_(1) {}
  // The body with every "lastMetrics" computed against `now_ms`. An
  // instance whose cell still reads 0 (never reported) gets no
  // "lastMetrics"; one that reported after the view was built gets it.
  std::string render(std::int64_t now_ms) const;

 private:
  std::vector<std::string> fragments_;
  std::vector<LastSeenCellConstSharedPtr> cells_;
};

struct BlockView {
  std::string id;
  std::uint64_t state_index = 0;  // grows whenever a status or reason changes
  std::int64_t built_ms = 0;
  bool paused = false;
  Status status = Status::kUnknown;  // worst instance status
  bool healthy = false;              // AIOS meaning: every instance healthy
  QuorumView quorum;
  std::vector<InstanceView> instances;
  std::vector<PolicyStateView> policies;

  AiosBody aios_body;
  std::string detail_json;   // GET /v1/blocks/<id>
  std::string summary_json;  // this block's entry in GET /v1/blocks
  // GET /v1/blocks/<id>/history: one JSON object per transition, newest first.
  std::shared_ptr<const std::vector<std::string>> history;
};
using BlockViewConstSharedPtr = std::shared_ptr<const BlockView>;

// Where a block's latest view is published. One per block per
// configuration; the pointer is swapped atomically.
struct BlockSlot {
  std::atomic<BlockViewConstSharedPtr> view;
};

// The blocks of the running configuration, in config order. Immutable;
// replaced as a whole on reload.
struct ViewRegistry {
  std::vector<std::shared_ptr<BlockSlot>> ordered;
  std::map<std::string, std::shared_ptr<BlockSlot>, std::less<>> by_id;

  BlockViewConstSharedPtr find(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second->view.load();
  }
};
using ViewRegistryConstSharedPtr = std::shared_ptr<const ViewRegistry>;

// Fills the serialized members (aios_body, detail_json, summary_json) from
// the structured ones.
void serialize_block_view(BlockView& view);
// One transition as a JSON object.
std::string serialize_transition(const Transition& t);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_H
