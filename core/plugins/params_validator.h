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
// On failure returns one Error per violation, each
// "<file>:<line>:<col>: policy <name>: with.<path>: <what was expected>",
// the position being that of the offending YAML node (or of `with:` itself
// for a missing required field). `file` is only used in messages.
// Thread-safe.
Result<std::string> validate_policy_params(const PolicyPlugin& plugin, const YAML::Node& with,
                                           std::string_view file,
                                           std::vector<Error>* all_errors = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_PARAMS_VALIDATOR_H
