#include "core/wire/engine_json.h"

namespace blockhealth::wire {

void write_evidence(JsonWriter& w, const std::optional<Evidence>& e) {
  if (!e) {
    w.null();
    return;
  }
  w.begin_object();
  w.key("metric").string(e->metric);
  w.key("observed").number(e->observed);
  w.key("limit").number(e->limit);
  w.end_object();
}

void write_transition_members(JsonWriter& w, const Transition& t, bool with_time_ms) {
  w.key("seq").unsigned_integer(t.seq);
  w.key("time").time_or_null(t.time_ms);
  if (with_time_ms) w.key("time_ms").integer(t.time_ms);
  w.key("block_id").string(t.block_id);
  w.key("instance_id").string(t.instance_id);
  w.key("from").string(to_string(t.from));
  w.key("to").string(to_string(t.to));
  w.key("policy").string(t.policy);
  w.key("reason").string(t.reason);
  w.key("evidence");
  write_evidence(w, t.evidence);
}

std::string transition_json(const Transition& t) {
  std::string out;
  out.reserve(256 + t.reason.size());
  JsonWriter w(out);
  w.begin_object();
  write_transition_members(w, t, true);
  w.end_object();
  return out;
}

void write_policy_state_members(JsonWriter& w, const PolicyStateView& p) {
  w.key("id").string(p.id);
  w.key("use").string(p.use);
  w.key("plugin_version").string(p.plugin_version);
  w.key("interval_ms").integer(p.interval_ms);
  w.key("timeout_ms").integer(p.timeout_ms);
  w.key("quarantined").boolean(p.quarantined);
  w.key("calls").unsigned_integer(p.calls);
  w.key("errors").unsigned_integer(p.errors);
  w.key("timeouts").unsigned_integer(p.timeouts);
  w.key("skipped_busy").unsigned_integer(p.skipped_busy);
  w.key("busy").boolean(p.busy);
  w.key("in_flight").boolean(p.in_flight);
  w.key("last_duration_us").integer(p.last_duration_us);
  if (p.quarantined) {
    w.key("quarantine").begin_object();
    w.key("until").time_or_null(p.quarantine_until_ms);
    w.key("reason").string(p.quarantine_reason);
    w.end_object();
  }
}

void write_maintenance(JsonWriter& w, const Maintenance& m) {
  w.begin_object();
  w.key("block_id").string(m.block_id);
  w.key("instance_id").string(m.instance_id);
  w.key("reason").string(m.reason);
  w.key("until").time_or_null(m.until_ms);
  w.key("since").time_or_null(m.created_ms);
  w.end_object();
}

void write_silence(JsonWriter& w, const Silence& s) {
  w.begin_object();
  w.key("id").string(s.id);
  w.key("block_id").string(s.block_id);
  w.key("instance_id");
  if (s.instance_id.empty()) {
    w.null();
  } else {
    w.string(s.instance_id);
  }
  w.key("reason").string(s.reason);
  w.key("until").time_or_null(s.until_ms);
  w.key("created").time_or_null(s.created_ms);
  w.end_object();
}

}  // namespace blockhealth::wire
