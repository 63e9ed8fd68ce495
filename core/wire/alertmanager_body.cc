#include "core/wire/alertmanager_body.h"

#include <boost/json.hpp>

#include "core/util/text.h"
#include "core/util/time_text.h"
#include "core/wire/json_writer.h"

namespace blockhealth::wire {
namespace {

void write_alert_string_pairs(JsonWriter& w,
                              const std::vector<std::pair<std::string, std::string>>& pairs) {
  w.begin_object();
  for (const auto& [name, value] : pairs) {
    w.key(name);
    if (is_valid_utf8(value)) {
      w.string(value);
    } else {
      w.string(sanitize_utf8(value));
    }
  }
  w.end_object();
}

}  // namespace

std::string alertmanager_body(const std::vector<PostableAlert>& alerts) {
  std::string out;
  JsonWriter w(out);
  w.begin_array();
  for (const PostableAlert& a : alerts) {
    w.begin_object();
    w.key("labels");
    write_alert_string_pairs(w, a.labels);
    w.key("annotations");
    write_alert_string_pairs(w, a.annotations);
    w.key("startsAt").string(format_time_ms(a.starts_ms));
    w.key("endsAt").string(format_time_ms(a.ends_ms));
    if (!a.generator_url.empty()) w.key("generatorURL").string(a.generator_url);
    w.end_object();
  }
  w.end_array();
  return out;
}

std::string alertmanager_body_at(std::string_view body, std::int64_t built_ms,
                                 std::int64_t now_ms) {
  if (now_ms <= built_ms) return std::string(body);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_array()) return std::string(body);
  bool changed = false;
  for (boost::json::value& alert : parsed.as_array()) {
    boost::json::object* o = alert.if_object();
    boost::json::value* ends = o != nullptr ? o->if_contains("endsAt") : nullptr;
    if (ends == nullptr || !ends->is_string()) continue;
    const auto ends_ms = parse_time_ms(std::string_view(ends->as_string()));
    if (!ends_ms || *ends_ms <= built_ms) continue;
    *ends = format_time_ms(*ends_ms + (now_ms - built_ms));
    changed = true;
  }
  if (!changed) return std::string(body);
  // The same JSON but for the endsAt values (key order is kept; there are
  // only strings, objects and arrays).
  return boost::json::serialize(parsed);
}

}  // namespace blockhealth::wire
