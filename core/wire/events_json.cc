#include "core/wire/events_json.h"

#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {

std::string events_body(const std::vector<Transition>& events, std::uint64_t next, bool complete) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("events").begin_array();
  for (const Transition& t : events) {
    w.begin_object();
    write_transition_members(w, t, true);
    w.end_object();
  }
  w.end_array();
  w.key("next").unsigned_integer(next);
  w.key("complete").boolean(complete);
  w.end_object();
  return out;
}

}  // namespace blockhealth::wire
