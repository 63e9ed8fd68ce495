// Checks a policy's YAML `with:` parameters against the plugin's JSON Schema
// before create() is ever called.
#ifndef BLOCKHEALTH_CORE_PLUGINS_PARAMS_VALIDATOR_H
#define BLOCKHEALTH_CORE_PLUGINS_PARAMS_VALIDATOR_H

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/plugins/policy_plugin.h"

namespace blockhealth {

// Converts `with` (a YAML map, or a null/absent node meaning {}) to JSON and
// validates it against plugin.params_schema(). YAML scalars become JSON by
// YAML 1.2 core rules: plain scalars that read as null, true/false, integers
// or floats take that type; quoted scalars are always strings.
//
// On success returns the params as compact JSON text, to pass to create().
// On failure returns the first error, and appends one Error per violation to
// *all_errors (when given), each
// "<file>:<line>:<col>: policy <name>: with.<path>: <what was expected>",
// the position being that of the offending YAML node (of the key for an
// unknown field, of `with:` itself for a missing required field; no
// line:col when `with` is undefined). Examples:
//   conf.yaml:14:22: policy gpu_temperature: with.warn_celsius: expected number, got string "hot"
//   conf.yaml:13:9: policy log_pattern: with: unknown field 'critcal'
//   conf.yaml:12:7: policy log_pattern: with: missing required field 'window'
// `with` must be a mapping (or null/undefined, meaning {}). A plugin
// without a schema accepts any mapping. `file` is only used in messages.
// Thread-safe; the compiled schema of a loaded plugin is cached in it.
Result<std::string> validate_policy_params(const PolicyPlugin& plugin, const YAML::Node& with,
                                           std::string_view file,
                                           std::vector<Error>* all_errors = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_PARAMS_VALIDATOR_H
