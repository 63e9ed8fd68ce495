#include "core/wire/action_bodies.h"

#include "core/util/json_text.h"
#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {

std::string webhook_body(const Transition& t, ActionEvent event) {
  const bool repeat = event == ActionEvent::kRepeat;
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("event").string(repeat ? std::string_view("transition") : to_string(event));
  write_transition_members(w, t, false);
  w.key("repeat").boolean(repeat);
  w.end_object();
  return out;
}

std::string failure_policy_body(const Transition& t, std::string_view failure_policy_id,
                                const boost::json::value& parameters) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("failure_policy_id").string(failure_policy_id);
  w.key("inputs").begin_object();
  w.key("block_id").string(t.block_id);
  w.key("instance_id").string(t.instance_id);
  w.key("status").string(to_string(t.to));
  w.key("reason").string(t.reason);
  w.end_object();
  w.key("parameters").raw(parameters.is_null() ? std::string("{}") : to_json_text(parameters));
  w.end_object();
  return out;
}

}  // namespace blockhealth::wire
