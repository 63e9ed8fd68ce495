#include "core/plugins/params_validator.h"

#include <boost/json.hpp>
#include <exception>

#include "core/plugins/json_schema.h"
#include "core/plugins/loaded_policy_plugin.h"
#include "core/plugins/yaml_to_json.h"

namespace blockhealth {
namespace {

std::string position(std::string_view file, const YAML::Mark& mark) {
  std::string out(file);
  if (!mark.is_null()) {
    out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  }
  return out;
}

Error make_error(std::string_view file, const YAML::Mark& mark, const PolicyPlugin& plugin,
                 const std::vector<JsonPathStep>& path, const std::string& message) {
  return Error{position(file, mark) + ": policy " + plugin.name() + ": " +
               format_json_path("with", path) + ": " + message};
}

// The plugin's compiled schema: cached in the plugins this module loads,
// compiled on the spot for any other PolicyPlugin implementation.
Result<JsonSchemaConstSharedPtr> schema_of(const PolicyPlugin& plugin) {
  if (const auto* loaded = dynamic_cast<const LoadedPolicyPlugin*>(&plugin)) {
    return loaded->compiled_schema();
  }
  if (plugin.params_schema().empty()) return JsonSchemaConstSharedPtr();
  return JsonSchema::compile(plugin.params_schema());
}

Result<std::string> validate(const PolicyPlugin& plugin, const YAML::Node& with,
                             std::string_view file, std::vector<Error>& errors) {
  const YAML::Mark with_mark = with.IsDefined() ? with.Mark() : YAML::Mark::null_mark();
  std::vector<YamlConversionError> conversion_errors;
  boost::json::value params = yaml_to_json(with, &conversion_errors);
  for (const YamlConversionError& e : conversion_errors) {
    errors.push_back(make_error(file, e.mark, plugin, e.path, e.message));
  }
  if (!errors.empty()) return errors.front();
  if (params.is_null()) params = boost::json::object();
  if (!params.is_object()) {
    errors.push_back(
        make_error(file, with_mark, plugin, {},
                   "expected a mapping of parameters, got " + describe_json_value(params)));
    return errors.front();
  }
  Result<JsonSchemaConstSharedPtr> schema = schema_of(plugin);
  if (!schema) {
    errors.push_back(
        make_error(file, with_mark, plugin, {},
                   "cannot be checked: the policy's params_schema is " + schema.error().message));
    return errors.front();
  }
  if (*schema != nullptr) {
    for (const SchemaViolation& v : (*schema)->validate(params)) {
      // An unknown field is reported at its key, under its parent's path.
      std::vector<JsonPathStep> shown = v.path;
      if (v.names_key && !shown.empty()) shown.pop_back();
      errors.push_back(
          make_error(file, yaml_mark_at(with, v.path, v.names_key), plugin, shown, v.message));
    }
    if (!errors.empty()) return errors.front();
  }
  // in_place_value: Error is constructible from a std::string too (C++20
  // parenthesized aggregate init), so the plain conversion is ambiguous.
  return Result<std::string>(boost::system::in_place_value, boost::json::serialize(params));
}

}  // namespace

Result<std::string> validate_policy_params(const PolicyPlugin& plugin, const YAML::Node& with,
                                           std::string_view file, std::vector<Error>* all_errors) {
  std::vector<Error> errors;
  Result<std::string> result = [&]() -> Result<std::string> {
    try {
      return validate(plugin, with, file, errors);
    } catch (const std::exception& e) {  // yaml-cpp on a node it cannot read
      errors.push_back(Error{std::string(file) + ": policy " + plugin.name() +
                             ": with: cannot be read: " + e.what()});
      return errors.front();
    }
  }();
  if (all_errors != nullptr) all_errors->insert(all_errors->end(), errors.begin(), errors.end());
  return result;
}

}  // namespace blockhealth
