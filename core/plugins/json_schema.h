// JsonSchema: a policy's params_schema, compiled once (valijson, draft 7),
// and validation of a JSON value against it with messages for humans.
#ifndef BLOCKHEALTH_CORE_PLUGINS_JSON_SCHEMA_H
#define BLOCKHEALTH_CORE_PLUGINS_JSON_SCHEMA_H

#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace valijson {
class Schema;
}  // namespace valijson

namespace blockhealth {

// One step of a path into a JSON value: an object member or an array index.
struct JsonPathStep {
  std::string key;                   // when !index
  std::optional<std::size_t> index;  // set for an array element
};

// One way a value breaks the schema.
struct SchemaViolation {
  std::vector<JsonPathStep> path;  // from the root to the offending value
  // For humans, without the path, e.g. "expected number, got string \"hot\"",
  // "unknown field 'critcal'", "missing required field 'window'".
  std::string message;
  // True when the path's last step names a member that should not be there
  // (an unknown field): point at its key rather than its value.
  bool names_key = false;
};

class JsonSchema;
using JsonSchemaConstSharedPtr = std::shared_ptr<const JsonSchema>;

// Immutable after compile(); validate() is safe to call concurrently.
class JsonSchema {
 public:
  // Parses `text` as JSON and compiles it as a draft 7 JSON Schema. Remote
  // $refs are not fetched (an error). Errors: "not valid JSON: <why> at
  // offset N" or "not a valid JSON Schema: <why>".
  static Result<JsonSchemaConstSharedPtr> compile(std::string_view text);

  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  // Every violation of the schema by `value`, in document order; empty when
  // `value` conforms. Never throws.
  std::vector<SchemaViolation> validate(const boost::json::value& value) const;

  const boost::json::value& document() const { return document_; }

 private:
  JsonSchema(boost::json::value document, std::unique_ptr<valijson::Schema> schema);

  boost::json::value document_;
  std::unique_ptr<const valijson::Schema> schema_;
};

// A short description of a JSON value for messages: `string "hot"`,
// `number 83`, `boolean true`, `null`, `array`, `object`.
std::string describe_json_value(const boost::json::value& value);

// Shortest round-trip text of a double ("83", "0.5", "1e+300").
std::string format_number(double value);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_JSON_SCHEMA_H
