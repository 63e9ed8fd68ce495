// YAML -> JSON conversion for policy parameters, by the YAML 1.2 core schema,
// and the way back from a JSON path to the YAML node it came from.
#ifndef BLOCKHEALTH_CORE_PLUGINS_YAML_TO_JSON_H
#define BLOCKHEALTH_CORE_PLUGINS_YAML_TO_JSON_H

#include <yaml-cpp/yaml.h>

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "core/plugins/json_schema.h"

namespace blockhealth {

// A YAML node that has no JSON equivalent.
struct YamlConversionError {
  std::vector<JsonPathStep> path;  // where in the value
  YAML::Mark mark;                 // where in the file
  std::string message;             // e.g. "duplicate key 'window'"
};

// Converts `node` to JSON. Plain scalars resolve by the YAML 1.2 core schema:
// null|Null|NULL|~|(empty) -> null; true|True|TRUE|false|False|FALSE -> bool;
// [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+ -> integer (int64, else uint64, else
// double); decimal floats -> double; anything else -> string. Quoted scalars
// (yaml-cpp tag "!") and "!!str" are strings; "!!int", "!!float", "!!bool",
// "!!null" force that type. .inf and .nan, non-scalar or duplicate keys,
// unknown tags, nesting deeper than 64 and more than 100000 nodes are errors:
// each is appended to `errors` and the offending value converts to null.
// An undefined node converts to null. Pure function; thread-safe.
boost::json::value yaml_to_json(const YAML::Node& node, std::vector<YamlConversionError>* errors);

// The position of the YAML node at `path` under `root` (of its key when
// `at_key`, for a member that should not be there). When the path leaves the
// document, the position of the deepest node that exists. Null mark (pos -1)
// when `root` is undefined.
YAML::Mark yaml_mark_at(const YAML::Node& root, const std::vector<JsonPathStep>& path, bool at_key);

// "with", "with.warn_celsius", "with.critical[1]", "with[\"odd key\"]".
std::string format_json_path(std::string_view root_name, const std::vector<JsonPathStep>& path);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_YAML_TO_JSON_H
