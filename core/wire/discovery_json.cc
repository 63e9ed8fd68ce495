#include "core/wire/discovery_json.h"

#include "core/wire/json_writer.h"

namespace blockhealth::wire {

std::string discovery_json(const std::vector<DiscoverySourceStatus>& sources) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const DiscoverySourceStatus& s : sources) {
    w.begin_object();
    w.key("source").string(s.source);
    w.key("ok").boolean(s.ok);
    w.key("error");
    if (s.error.empty()) {
      w.null();
    } else {
      w.string(s.error);
    }
    w.key("last_read").time_or_null(s.last_read_ms);
    w.key("last_ok").time_or_null(s.last_ok_ms);
    w.key("instances").unsigned_integer(s.listed);
    w.key("vanished").unsigned_integer(s.vanished);
    w.end_object();
  }
  w.end_array();
  return out;
}

std::string with_discovery(std::string_view detail,
                           const std::vector<DiscoverySourceStatus>& sources) {
  if (sources.empty() || detail.empty() || detail.back() != '}') return std::string(detail);
  std::string out(detail.substr(0, detail.size() - 1));
  out += out.back() == '{' ? "" : ",";
  out += "\"discovery\":";
  out += discovery_json(sources);
  out += '}';
  return out;
}

}  // namespace blockhealth::wire
