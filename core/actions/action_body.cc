#include "core/actions/action_body.h"

#include <boost/json/object.hpp>
#include <cstdio>
#include <ctime>

#include "core/util/json_text.h"

namespace blockhealth {
namespace json = boost::json;

std::string_view to_string(ActionEvent e) {
  switch (e) {
    case ActionEvent::kTransition:
      return "transition";
    case ActionEvent::kFlapEnded:
      return "flap_ended";
    case ActionEvent::kRepeat:
      return "repeat";
  }
  return "transition";
}

std::string format_utc_ms(std::int64_t ms) {
  std::int64_t secs = ms / 1000;
  std::int64_t millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[40];
  const std::size_t n = std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%.*s.%03dZ", static_cast<int>(n), date, static_cast<int>(millis));
  return out;
}

std::string webhook_body(const Transition& t, ActionEvent event) {
  json::value evidence = nullptr;
  if (t.evidence) {
    evidence = json::object{{"metric", t.evidence->metric},
                            {"observed", t.evidence->observed},
                            {"limit", t.evidence->limit}};
  }
  const bool repeat = event == ActionEvent::kRepeat;
  return to_json_text(json::object{
      {"event", repeat ? std::string_view("transition") : to_string(event)},
      {"seq", t.seq},
      {"time", format_utc_ms(t.time_ms)},
      {"block_id", t.block_id},
      {"instance_id", t.instance_id},
      {"from", to_string(t.from)},
      {"to", to_string(t.to)},
      {"policy", t.policy},
      {"reason", t.reason},
      {"evidence", std::move(evidence)},
      {"repeat", repeat},
  });
}

std::string failure_policy_body(const Transition& t, std::string_view failure_policy_id,
                                const json::value& parameters) {
  return to_json_text(json::object{
      {"failure_policy_id", failure_policy_id},
      {"inputs", json::object{{"block_id", t.block_id},
                              {"instance_id", t.instance_id},
                              {"status", to_string(t.to)},
                              {"reason", t.reason}}},
      {"parameters", parameters.is_null() ? json::value(json::object{}) : parameters},
  });
}

}  // namespace blockhealth
