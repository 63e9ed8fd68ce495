#include "core/actions/alertmanager_alert.h"

#include <algorithm>

#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth {

std::string_view alertname_for(Status s) {
  switch (s) {
    case Status::kDegraded:
      return "BlockInstanceDegraded";
    case Status::kUnhealthy:
      return "BlockInstanceUnhealthy";
    case Status::kUnknown:
      return "BlockInstanceUnknown";
    case Status::kOk:
      break;
  }
  return "BlockInstanceOk";
}

wire::PostableAlert alert_for(const Transition& t, const PreparedAction& action,
                              std::string_view self_url) {
  wire::PostableAlert a;
  a.labels.reserve(5 + action.labels.size());
  a.labels.emplace_back("alertname", std::string(alertname_for(t.to)));
  a.labels.emplace_back("block", t.block_id);
  a.labels.emplace_back("instance_id", t.instance_id);
  if (!t.policy.empty()) a.labels.emplace_back("policy", t.policy);
  a.labels.emplace_back("status", std::string(to_string(t.to)));
  for (const auto& [name, value] : action.labels) a.labels.emplace_back(name, value);
  a.annotations.emplace_back("reason", t.reason);
  if (t.evidence) {
    std::string evidence;
    wire::JsonWriter w(evidence);
    wire::write_evidence(w, t.evidence);
    a.annotations.emplace_back("evidence", std::move(evidence));
  }
  a.starts_ms = t.time_ms;
  a.generator_url = generator_url_for(self_url, t.block_id);
  return a;
}

std::string generator_url_for(std::string_view self_url, std::string_view block_id) {
  if (self_url.empty()) return {};
  return std::string(self_url) + "/v1/blocks/" + std::string(block_id);
}

std::chrono::milliseconds firing_ttl(std::chrono::milliseconds resend_every) {
  return 4 * resend_every;
}

wire::PostableAlert firing_copy(wire::PostableAlert a, std::int64_t now_ms,
                                std::chrono::milliseconds resend_every) {
  a.ends_ms = now_ms + firing_ttl(resend_every).count();
  return a;
}

wire::PostableAlert resolved_copy(wire::PostableAlert a, std::int64_t at_ms) {
  a.ends_ms = std::max(at_ms, a.starts_ms);
  return a;
}

}  // namespace blockhealth
