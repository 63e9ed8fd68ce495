// The JSON shapes of engine state that more than one body shares:
// evidence, transitions, policy states, maintenance windows and silences.
// Written with JsonWriter; pure functions, thread-safe.
#ifndef BLOCKHEALTH_CORE_WIRE_ENGINE_JSON_H
#define BLOCKHEALTH_CORE_WIRE_ENGINE_JSON_H

#include <optional>
#include <string>

#include "core/engine/block_view.h"
#include "core/model/policy_verdict.h"
#include "core/model/silence.h"
#include "core/model/transition.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {

// {"metric":"m","observed":91,"limit":88} or null.
void write_evidence(JsonWriter& w, const std::optional<Evidence>& e);

// The members every transition body has, in this order: "seq", "time",
// then "time_ms" when `with_time_ms`, "block_id", "instance_id", "from",
// "to", "policy", "reason", "evidence". Inside an open object.
void write_transition_members(JsonWriter& w, const Transition& t, bool with_time_ms);
// {"seq":7,"time":"...","time_ms":...,...}: /v1 history and /v1/events.
std::string transition_json(const Transition& t);

// {"id","use","plugin_version","interval_ms","timeout_ms","quarantined",
//  "calls","errors","timeouts","skipped_busy","busy","in_flight","last_duration_us",
//  "quarantine":{"until","reason"} (when quarantined)}, after any members
// the caller wrote first. Inside an open object.
void write_policy_state_members(JsonWriter& w, const PolicyStateView& p);

// {"block_id","instance_id","reason","until","since"}
void write_maintenance(JsonWriter& w, const Maintenance& m);
// {"id","block_id","instance_id" (null for the whole block),"reason","until","created"}
void write_silence(JsonWriter& w, const Silence& s);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_ENGINE_JSON_H
