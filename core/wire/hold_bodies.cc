#include "core/wire/hold_bodies.h"

#include "core/wire/engine_json.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {

std::string maintenance_set_body(const Maintenance& m) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("success").boolean(true);
  w.key("maintenance");
  write_maintenance(w, m);
  w.end_object();
  return out;
}

std::string silence_set_body(const Silence& s) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("success").boolean(true);
  w.key("silence");
  write_silence(w, s);
  w.end_object();
  return out;
}

std::string holds_body(const std::vector<Silence>& silences,
                       const std::vector<Maintenance>& maintenance, const std::string& next) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("silences").begin_array();
  for (const Silence& s : silences) write_silence(w, s);
  w.end_array();
  w.key("maintenance").begin_array();
  for (const Maintenance& m : maintenance) write_maintenance(w, m);
  w.end_array();
  if (!next.empty()) w.key("next").string(next);
  w.end_object();
  return out;
}

}  // namespace blockhealth::wire
