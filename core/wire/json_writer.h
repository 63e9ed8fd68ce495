// JsonWriter: appends compact JSON to a string, the way the daemon writes
// all its bodies: keys in the order written, strings escaped as RFC 8259
// requires (", \ and control characters; UTF-8 passed through), numbers as
// the shortest decimal that reads back the same ("34", "612.337"),
// non-finite numbers as null. No allocation beyond the string growing.
#ifndef BLOCKHEALTH_CORE_WIRE_JSON_WRITER_H
#define BLOCKHEALTH_CORE_WIRE_JSON_WRITER_H

#include <cstdint>
#include <string>
#include <string_view>

namespace blockhealth::wire {

// Appends `s` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);
// Appends `d` as a JSON number (null when not finite).
void append_json_number(std::string& out, double d);
void append_json_integer(std::string& out, std::int64_t v);
void append_json_unsigned(std::string& out, std::uint64_t v);

// Not thread-safe; writes into a string it does not own (which must outlive
// it). Commas are placed for you; nesting up to 32 levels.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next member's key (inside an object).
  JsonWriter& key(std::string_view k);

  JsonWriter& string(std::string_view s);
  JsonWriter& number(double d);
  JsonWriter& integer(std::int64_t v);
  JsonWriter& unsigned_integer(std::uint64_t v);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // An RFC 3339 time, or null when 0.
  JsonWriter& time_or_null(std::int64_t unix_ms);
  // A value that is already JSON text.
  JsonWriter& raw(std::string_view json);

  std::string& out() { return out_; }

 private:
  void value_prefix();

  std::string& out_;
  std::uint32_t has_items_ = 0;  // bit d: the container at depth d has an item
  int depth_ = 0;
  bool after_key_ = false;
};

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_JSON_WRITER_H
