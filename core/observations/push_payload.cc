#include "core/observations/push_payload.h"

#include <boost/json.hpp>
#include <cmath>
#include <limits>

#include "core/prometheus/names.h"
#include "core/util/json_parse.h"

namespace blockhealth {
namespace json = boost::json;
namespace {

const char* kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

Result<double> number_of(const json::value& v, const std::string& where) {
  if (v.is_number()) return v.to_number<double>();
  if (v.is_string()) {
    const json::string& s = v.get_string();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "+Inf" || s == "Inf") return std::numeric_limits<double>::infinity();
    if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  }
  return fail(where + ": expected a number (or \"NaN\", \"+Inf\", \"-Inf\"), got " + kind_name(v));
}

Result<void> check_name(std::string_view name, const std::string& where, bool metric) {
  const bool ok =
      metric ? prometheus::is_valid_metric_name(name) : prometheus::is_valid_label_name(name);
  if (!ok) {
    return fail(where + ": '" + std::string(name.substr(0, 100)) + "' is not a valid " +
                (metric ? "metric" : "label") + " name");
  }
  return {};
}

Result<MetricSample> sample_of(const json::value& v, const std::string& where) {
  if (!v.is_object()) return fail(where + ": expected an object, got " + kind_name(v));
  const json::object& o = v.get_object();
  MetricSample s;
  for (const auto& [key, value] : o) {
    if (key != "name" && key != "labels" && key != "value" && key != "timestamp") {
      return fail(where + ": unknown field '" + std::string(key) +
                  "' (expected name, labels, value, timestamp)");
    }
  }
  const json::value* name = o.if_contains("name");
  if (name == nullptr || !name->is_string()) {
    return fail(where + ".name: expected a string, got " +
                (name == nullptr ? std::string("nothing") : kind_name(*name)));
  }
  s.name = std::string(name->get_string());
  if (auto ok = check_name(s.name, where + ".name", true); !ok) return ok.error();
  const json::value* value = o.if_contains("value");
  if (value == nullptr) return fail(where + ".value: missing");
  auto number = number_of(*value, where + ".value");
  if (!number) return number.error();
  s.value = *number;
  if (const json::value* labels = o.if_contains("labels");
      labels != nullptr && !labels->is_null()) {
    if (!labels->is_object()) {
      return fail(where + ".labels: expected an object, got " + kind_name(*labels));
    }
    for (const auto& [key, lv] : labels->get_object()) {
      const std::string lwhere = where + ".labels." + std::string(key);
      if (auto ok = check_name(key, lwhere, false); !ok) return ok.error();
      if (!lv.is_string()) return fail(lwhere + ": expected a string, got " + kind_name(lv));
      s.labels.push_back({std::string(key), std::string(lv.get_string())});
    }
  }
  if (const json::value* ts = o.if_contains("timestamp"); ts != nullptr && !ts->is_null()) {
    if (!ts->is_int64() && !ts->is_uint64()) {
      return fail(where + ".timestamp: expected Unix milliseconds as an integer, got " +
                  kind_name(*ts));
    }
    if (ts->is_uint64()) {  // only values past INT64_MAX are stored as uint64
      return fail(where + ".timestamp: " + std::to_string(ts->get_uint64()) +
                  " is not a Unix time in milliseconds");
    }
    s.timestamp_ms = ts->get_int64();
  }
  return s;
}

Result<std::vector<MetricSample>> samples_of_list(const json::array& list,
                                                  const std::string& where) {
  std::vector<MetricSample> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto s = sample_of(list[i], where + "[" + std::to_string(i) + "]");
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace

Result<std::vector<MetricSample>> parse_json_metrics(std::string_view body) {
  auto doc = parse_json_body(body);
  if (!doc) return doc.error();
  if (doc->is_array()) return samples_of_list(doc->get_array(), "samples");
  if (!doc->is_object()) {
    return fail("expected a JSON object {\"name\": value} or a list of samples, got " +
                std::string(kind_name(*doc)));
  }
  const json::object& o = doc->get_object();
  if (const json::value* list = o.if_contains("samples"); list != nullptr && o.size() == 1) {
    if (!list->is_array())
      return fail("samples: expected an array, got " + std::string(kind_name(*list)));
    return samples_of_list(list->get_array(), "samples");
  }
  std::vector<MetricSample> out;
  out.reserve(o.size());
  for (const auto& [key, value] : o) {
    MetricSample s;
    s.name = std::string(key);
    if (auto ok = check_name(s.name, "key", true); !ok) return ok.error();
    auto number = number_of(value, s.name);
    if (!number) return number.error();
    s.value = *number;
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> parse_json_log_lines(std::string_view body) {
  auto doc = parse_json_body(body);
  if (!doc) return doc.error();
  const json::value* list = &*doc;
  if (doc->is_object()) {
    list = doc->get_object().if_contains("lines");
    if (list == nullptr) return fail("expected {\"lines\": [\"...\"]} or a list of strings");
  }
  if (!list->is_array()) {
    return fail("lines: expected an array of strings, got " + std::string(kind_name(*list)));
  }
  std::vector<std::string> out;
  out.reserve(list->get_array().size());
  std::size_t i = 0;
  for (const json::value& v : list->get_array()) {
    if (!v.is_string()) {
      return fail("lines[" + std::to_string(i) + "]: expected a string, got " + kind_name(v));
    }
    out.emplace_back(v.get_string());
    ++i;
  }
  return out;
}

std::vector<std::string> split_log_text(std::string_view body) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('\n', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view line = body.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.emplace_back(line);
    start = end + 1;
  }
  return out;
}

}  // namespace blockhealth
