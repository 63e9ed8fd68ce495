#include "core/engine/block_view.h"

#include <boost/json.hpp>
#include <charconv>
#include <ctime>

#include "core/util/json_text.h"

namespace blockhealth {
namespace json = boost::json;

namespace {

std::string json_quoted(std::string_view s) {
  return json::serialize(json::string_view(s.data(), s.size()));
}

json::value evidence_json(const std::optional<Evidence>& e) {
  if (!e) return nullptr;
  return json::object{{"metric", e->metric}, {"observed", e->observed}, {"limit", e->limit}};
}

json::value time_json(std::int64_t ms) {
  if (ms == 0) return nullptr;
  return json::value(format_time_ms(ms));
}

json::object instance_json(const InstanceView& in) {
  json::array policies;
  for (const PolicyResultView& p : in.policies) {
    policies.push_back(json::object{
        {"id", p.id},
        {"status", to_string(p.status)},
        {"raw_status", to_string(p.raw_status)},
        {"streak", p.streak},
        {"reason", p.reason},
        {"evidence", evidence_json(p.evidence)},
        {"since", time_json(p.since_ms)},
        {"evaluated_at", time_json(p.evaluated_ms)},
    });
  }
  json::array sources;
  for (const SourceStatus& s : in.sources) {
    sources.push_back(json::object{{"source", s.source},
                                   {"target", s.target},
                                   {"ok", s.ok},
                                   {"message", s.message},
                                   {"checked_at", time_json(s.time_ms)},
                                   {"last_success", time_json(s.last_success_ms)}});
  }
  json::value maintenance = nullptr;
  if (in.maintenance) {
    maintenance = json::object{{"reason", in.maintenance->reason},
                               {"until", format_time_ms(in.maintenance->until_ms)},
                               {"since", format_time_ms(in.maintenance->created_ms)}};
  }
  json::value silence = nullptr;
  if (in.silence) {
    silence = json::object{{"id", in.silence->id},
                           {"reason", in.silence->reason},
                           {"until", format_time_ms(in.silence->until_ms)}};
  }
  return json::object{
      {"instance_id", in.id},
      {"source", in.pushed ? "pushed" : "config"},
      {"status", to_string(in.status)},
      {"healthy", counts_as_healthy(in.status)},
      {"since", time_json(in.since_ms)},
      {"policy", in.policy},
      {"reason", in.reason},
      {"evidence", evidence_json(in.evidence)},
      {"last_seen", time_json(in.last_seen_ms)},
      {"policies", std::move(policies)},
      {"sources", std::move(sources)},
      {"maintenance", std::move(maintenance)},
      {"silence", std::move(silence)},
      {"flapping", in.flapping},
      {"flap_percent", in.flap_percent},
      {"counts_for_quorum", in.counted},
  };
}

json::object policy_state_json(const PolicyStateView& p) {
  json::object o{
      {"id", p.id},
      {"use", p.use},
      {"plugin_version", p.plugin_version},
      {"interval_ms", p.interval_ms},
      {"timeout_ms", p.timeout_ms},
      {"quarantined", p.quarantined},
      {"calls", p.calls},
      {"errors", p.errors},
      {"timeouts", p.timeouts},
      {"skipped_busy", p.skipped_busy},
      {"busy", p.busy},
      {"last_duration_us", p.last_duration_us},
  };
  if (p.quarantined) {
    o["quarantine"] = json::object{{"until", format_time_ms(p.quarantine_until_ms)},
                                   {"reason", p.quarantine_reason}};
  }
  return o;
}

json::object quorum_json(const BlockView& view) {
  json::array counted;
  for (const InstanceView& in : view.instances) {
    if (in.counted) counted.push_back(json::string(in.id));
  }
  return json::object{{"min_healthy", view.quorum.required},
                      {"min_healthy_configured", view.quorum.configured},
                      {"healthy", view.quorum.healthy},
                      {"counted", std::move(counted)}};
}

std::string build_aios_prefix(const BlockView& view) {
  return R"({"block_id":)" + json_quoted(view.id) + R"(,"healthy":)" +
         (view.healthy ? "true" : "false") + R"(,"instances":[)";
}

}  // namespace

std::string AiosBody::render(std::int64_t now_ms) const {
  std::string out = fragments_[0];
  for (std::size_t i = 0; i < cells_.size(); ++i) {
    const std::int64_t seen_ms = cells_[i]->load(std::memory_order_relaxed);
    if (seen_ms != 0) {
      const std::int64_t age_ms = now_ms - seen_ms;
      char digits[32];
      const double seconds = age_ms > 0 ? static_cast<double>(age_ms) / 1000.0 : 0.0;
      auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seconds);
      out += R"(,"lastMetrics":")";
      out.append(digits, ec == std::errc() ? end : digits);
      out += R"(s ago")";
    }
    out += fragments_[i + 1];
  }
  return out;
}

void serialize_block_view(BlockView& view) {
  // AIOS shape, keys in the order AIOS clients receive them (sorted).
  std::vector<std::string> fragments;
  std::vector<LastSeenCellConstSharedPtr> cells;
  std::string current = build_aios_prefix(view);
  bool first = true;
  for (const InstanceView& in : view.instances) {
    const bool healthy = counts_as_healthy(in.status);
    current += first ? "{" : ",{";
    first = false;
    current += R"("healthy":)";
    current += healthy ? "true" : "false";
    current += R"(,"instanceId":)" + json_quoted(in.id);
    if (in.last_seen) {  // render() adds "lastMetrics" once the instance has reported
      fragments.push_back(std::move(current));
      cells.push_back(in.last_seen);
      current.clear();
    }
    if (!healthy || in.status != Status::kOk) current += R"(,"reason":)" + json_quoted(in.reason);
    current += "}";
  }
  current += R"(],"success":true})";
  fragments.push_back(std::move(current));
  view.aios_body = AiosBody(std::move(fragments), std::move(cells));

  json::array instances;
  for (const InstanceView& in : view.instances) instances.push_back(instance_json(in));
  json::array policies;
  for (const PolicyStateView& p : view.policies) policies.push_back(policy_state_json(p));
  json::object detail{
      {"block_id", view.id},
      {"status", to_string(view.status)},
      {"healthy", view.healthy},
      {"paused", view.paused},
      {"state_index", view.state_index},
      {"evaluated_at", time_json(view.built_ms)},
      {"quorum_ok", view.quorum.ok},
      {"quorum", quorum_json(view)},
      {"instances", std::move(instances)},
      {"policies", std::move(policies)},
  };
  view.detail_json = to_json_text(detail);

  int healthy_count = 0;
  for (const InstanceView& in : view.instances) healthy_count += counts_as_healthy(in.status);
  json::object summary{
      {"block_id", view.id},
      {"status", to_string(view.status)},
      {"healthy", view.healthy},
      {"paused", view.paused},
      {"state_index", view.state_index},
      {"instances", view.instances.size()},
      {"healthy_instances", healthy_count},
      {"quorum_ok", view.quorum.ok},
  };
  view.summary_json = to_json_text(summary);
}

std::string serialize_transition(const Transition& t) {
  return to_json_text(json::object{
      {"seq", t.seq},
      {"time", format_time_ms(t.time_ms)},
      {"time_ms", t.time_ms},
      {"block_id", t.block_id},
      {"instance_id", t.instance_id},
      {"from", to_string(t.from)},
      {"to", to_string(t.to)},
      {"policy", t.policy},
      {"reason", t.reason},
      {"evidence", evidence_json(t.evidence)},
  });
}

}  // namespace blockhealth
