// valijson reports schema errors through exceptions only when this is set;
// without it, it prints and aborts. Every valijson include of blockhealth
// lives in this file.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include "core/plugins/json_schema.h"

#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <utility>
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>
#include <vector>

#include "core/config/key_suggestion.h"

namespace blockhealth {
namespace {

namespace json = boost::json;

// Messages valijson adds on the way back up for an error it already reported
// deeper down; dropped when a more specific one exists.
bool is_wrapper(std::string_view description) {
  for (std::string_view prefix :
       {"Failed to validate against schema associated with", "Failed to validate item #",
        "Failed to validate against additional properties schema",
        "Failed to validate against child schema #",
        "Failed to validate against dependent schema"}) {
    if (description.starts_with(prefix)) return true;
  }
  return false;
}

// The last 'quoted' text of `description` (the property name valijson puts
// at the end of its messages).
std::string quoted_name(std::string_view description) {
  const auto last = description.rfind('\'');
  if (last == std::string_view::npos || last == 0) return "";
  const auto first = description.rfind('\'', last - 1);
  if (first == std::string_view::npos) return "";
  return std::string(description.substr(first + 1, last - first - 1));
}

// "100.000000" (std::to_string of a double, as valijson writes numbers) -> "100".
std::string trim_fixed_numbers(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '.' && i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) != 0) {
      std::size_t end = i + 1;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) != 0) ++end;
      std::string_view decimals(text.data() + i + 1, end - i - 1);
      const auto last_nonzero = decimals.find_last_not_of('0');
      if (last_nonzero == std::string_view::npos) {
        out.pop_back();  // drop the '.'
      } else {
        out.append(decimals.substr(0, last_nonzero + 1));
      }
      i = end - 1;
    }
  }
  return out;
}

std::string lower_first(std::string text) {
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// Follows a local "$ref" ("#/definitions/x") once; other refs stay unresolved.
const json::value* resolve_ref(const json::value& root, const json::value* schema) {
  for (int hops = 0; schema != nullptr && schema->is_object() && hops < 8; ++hops) {
    const json::value* ref = schema->as_object().if_contains("$ref");
    if (ref == nullptr || !ref->is_string()) return schema;
    const json::string& target = ref->as_string();
    if (target.empty() || target[0] != '#') return nullptr;
    boost::system::error_code ec;
    schema = root.find_pointer(json::string_view(target).substr(1), ec);
  }
  return schema;
}

// The subschema that governs the value at `path`, when the schema spells it
// out through properties/additionalProperties/items; nullptr otherwise.
const json::value* subschema_at(const json::value& root, const std::vector<JsonPathStep>& path) {
  const json::value* schema = resolve_ref(root, &root);
  for (const JsonPathStep& step : path) {
    if (schema == nullptr || !schema->is_object()) return nullptr;
    const json::object& object = schema->as_object();
    const json::value* next = nullptr;
    if (!step.index) {
      if (const json::value* props = object.if_contains("properties");
          props && props->is_object()) {
        next = props->as_object().if_contains(step.key);
      }
      if (next == nullptr) next = object.if_contains("additionalProperties");
    } else if (const json::value* items = object.if_contains("items"); items != nullptr) {
      if (items->is_object()) {
        next = items;
      } else if (items->is_array() && *step.index < items->as_array().size()) {
        next = &items->as_array()[*step.index];
      }
    }
    schema = resolve_ref(root, next);
  }
  return schema != nullptr && schema->is_object() ? schema : nullptr;
}

// "number", "number or string", from a schema's "type".
std::string expected_types(const json::value& type) {
  if (type.is_string()) return std::string(type.as_string());
  std::string out;
  if (type.is_array()) {
    const json::array& types = type.as_array();
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (!types[i].is_string()) continue;
      if (!out.empty()) out += i + 1 == types.size() ? " or " : ", ";
      out += std::string(types[i].as_string());
    }
  }
  return out;
}

const json::value* value_at(const json::value& root, const std::vector<JsonPathStep>& path) {
  const json::value* value = &root;
  for (const JsonPathStep& step : path) {
    if (step.index && value->is_array() && *step.index < value->as_array().size()) {
      value = &value->as_array()[*step.index];
    } else if (!step.index && value->is_object() && value->as_object().contains(step.key)) {
      value = &value->as_object().at(step.key);
    } else {
      return nullptr;
    }
  }
  return value;
}

// valijson's context ("<root>", "[warn_celsius]", "[0]") as steps, telling
// keys from indexes by walking `value`.
std::vector<JsonPathStep> to_path(const std::vector<std::string>& context,
                                  const json::value& value) {
  std::vector<JsonPathStep> path;
  const json::value* at = &value;
  for (std::size_t i = 1; i < context.size(); ++i) {
    const std::string& item = context[i];
    std::string inner = item.size() >= 2 ? item.substr(1, item.size() - 2) : item;
    JsonPathStep step;
    if (at != nullptr && at->is_array()) {
      std::size_t index = 0;
      std::from_chars(inner.data(), inner.data() + inner.size(), index);
      step.index = index;
      at = index < at->as_array().size() ? &at->as_array()[index] : nullptr;
    } else {
      at = (at != nullptr && at->is_object()) ? at->as_object().if_contains(inner) : nullptr;
      step.key = std::move(inner);
    }
    path.push_back(std::move(step));
  }
  return path;
}

SchemaViolation to_violation(const json::value& schema, const json::value& value,
                             const valijson::ValidationResults::Error& error) {
  SchemaViolation violation;
  violation.path = to_path(error.context, value);
  const std::string& d = error.description;
  const json::value* at = value_at(value, violation.path);
  const std::string got = at != nullptr ? ", got " + describe_json_value(*at) : "";
  const json::value* subschema = subschema_at(schema, violation.path);
  const json::object* rules = subschema != nullptr ? &subschema->as_object() : nullptr;

  if (d.starts_with("Object contains a property that could not be validated")) {
    const std::string name = quoted_name(d);
    violation.message = "unknown field '" + name + "'";
    // The schema's own properties, for "did you mean" as config keys have.
    if (const json::value* props = rules != nullptr ? rules->if_contains("properties") : nullptr;
        props != nullptr && props->is_object()) {
      std::vector<std::string_view> known;
      for (const auto& member : props->as_object()) known.push_back(member.key());
      if (auto s = suggest_key(name, known))
        violation.message += "; did you mean '" + std::string(*s) + "'?";
    }
    violation.path.push_back(JsonPathStep{name, std::nullopt});
    violation.names_key = true;
  } else if (d.starts_with("Missing required property")) {
    violation.message = "missing required field '" + quoted_name(d) + "'";
  } else if (d.starts_with("Value type not permitted") && rules != nullptr &&
             rules->contains("type")) {
    violation.message = "expected " + expected_types(rules->at("type")) + got;
  } else if (d.starts_with("Failed to match against any enum values") && rules != nullptr &&
             rules->contains("enum")) {
    violation.message = "expected one of " + json::serialize(rules->at("enum")) + got;
  } else if (d.starts_with("Failed to match expected value set by 'const'") && rules != nullptr &&
             rules->contains("const")) {
    violation.message = "expected " + json::serialize(rules->at("const")) + got;
  } else if (d.starts_with("Failed to match regex") && rules != nullptr &&
             rules->contains("pattern") && rules->at("pattern").is_string()) {
    violation.message =
        "expected a string matching '" + std::string(rules->at("pattern").as_string()) + "'" + got;
  } else {
    violation.message = trim_fixed_numbers(lower_first(d)) + got;
  }
  return violation;
}

}  // namespace

JsonSchema::JsonSchema(json::value document, std::unique_ptr<valijson::Schema> schema)
    : document_(std::move(document)), schema_(std::move(schema)) {}

JsonSchema::~JsonSchema() = default;

Result<JsonSchemaConstSharedPtr> JsonSchema::compile(std::string_view text) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    return fail("not valid JSON: " + ec.message() + " at offset " + std::to_string(consumed));
  }
  json::value document = parser.release();
  try {
    auto schema = std::make_unique<valijson::Schema>();
    valijson::SchemaParser schema_parser(valijson::SchemaParser::kDraft7);
    const valijson::adapters::BoostJsonAdapter adapter(document);
    schema_parser.populateSchema(adapter, *schema);
    return JsonSchemaConstSharedPtr(new JsonSchema(std::move(document), std::move(schema)));
  } catch (const std::exception& e) {
    return fail(std::string("not a valid JSON Schema: ") + e.what());
  }
}

std::vector<SchemaViolation> JsonSchema::validate(const json::value& value) const {
  std::vector<SchemaViolation> out;
  try {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    const valijson::adapters::BoostJsonAdapter adapter(value);
    if (validator.validate(*schema_, adapter, &results)) return out;
    bool any_specific = false;
    for (const auto& error : results) any_specific = any_specific || !is_wrapper(error.description);
    for (const auto& error : results) {
      if (any_specific && is_wrapper(error.description)) continue;
      out.push_back(to_violation(document_, value, error));
    }
    if (out.empty()) out.push_back(SchemaViolation{{}, "does not match the schema", false});
  } catch (const std::exception& e) {
    // e.g. a "pattern" std::regex cannot compile
    out.push_back(SchemaViolation{{}, std::string("cannot be checked: ") + e.what(), false});
  }
  return out;
}

std::string format_number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string describe_json_value(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return value.get_bool() ? "boolean true" : "boolean false";
    case json::kind::int64:
      return "number " + std::to_string(value.get_int64());
    case json::kind::uint64:
      return "number " + std::to_string(value.get_uint64());
    case json::kind::double_:
      return "number " + format_number(value.get_double());
    case json::kind::string: {
      const json::string& s = value.get_string();
      if (s.size() > 60) {
        std::size_t cut = 57;  // on a UTF-8 character boundary
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
        return "string " + json::serialize(json::string(s.subview(0, cut))) + "...";
      }
      return "string " + json::serialize(s);
    }
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

}  // namespace blockhealth
