// Transition: one change of an instance's status, as recorded and acted on.
#ifndef BLOCKHEALTH_CORE_MODEL_TRANSITION_H
#define BLOCKHEALTH_CORE_MODEL_TRANSITION_H

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/policy_verdict.h"
#include "core/model/status.h"

namespace blockhealth {

// What held a transition's actions back (Transition::held_by says it in
// words).
enum class HoldKind {
  kNone,
  kMaintenance,
  kSilence,
  kFlapping,
  // The status is the one the actions were told about before the daemon
  // restarted (from the stored history): not news.
  kNotifiedBeforeRestart,
  // The instance left its block: discovery no longer finds it
  // (Engine::record_dropped). Its alerts resolve; nothing else runs.
  kRemoved,
};

struct Transition {
  std::uint64_t seq = 0;  // process-wide, increasing; the /v1/events cursor
  std::int64_t time_ms = 0;
  std::string block_id;
  std::string instance_id;
  Status from = Status::kUnknown;
  Status to = Status::kUnknown;
  std::string policy;  // policy id that caused it, or a built-in check ("staleness")
  std::string reason;
  std::optional<Evidence> evidence;
  // Why its actions were held back ("maintenance: ...", "silenced by s-...:
  // ...", "flapping (62%)"), or "" when they ran.
  std::string held_by;
  // The same, for code: kNone exactly when held_by is "". Known only as the
  // transition happens (not stored: kNone when read back from history).
  HoldKind hold = HoldKind::kNone;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_TRANSITION_H
