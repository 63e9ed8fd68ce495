// Position-aware reading of yaml-cpp nodes for the config loader: every
// wrong value becomes a ConfigProblem at the value's line and column, and
// the read goes on, so one load reports everything.
//
// Messages have the form "<where>: <key>: <what was expected>, got <what>",
// e.g. "block 'b1': interval: expected a duration like 5s, 250ms or 1m30s,
// got 'fast'". `where` names the map ("server", "block 'b1'", "policy 'p' in
// block 'b1'"); it is empty at the top level.
#ifndef BLOCKHEALTH_CORE_CONFIG_YAML_READER_H
#define BLOCKHEALTH_CORE_CONFIG_YAML_READER_H

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.h"
#include "core/config/config_problem.h"
#include "core/util/text.h"  // is_valid_id

namespace blockhealth {

// Nesting deeper than this is refused: a YAML alias can make a node contain
// itself, and nothing in a configuration needs this much.
inline constexpr int kMaxYamlDepth = 64;

// For "got ..." in messages: 'text' for a scalar, "a list", "a map" or
// "nothing" (null / empty value).
std::string describe_node(const YAML::Node& node);

// Where a value is: its own mark, or its key's when the value is null
// (yaml-cpp marks an empty value at the next token, often the next line).
SourceMark value_mark(const YAML::Node& key, const YAML::Node& value);

// The scalar under `key` when `map` is a map holding one, else "". To name
// an item in messages before it is read.
std::string peek_scalar(const YAML::Node& map, std::string_view key);

// Reports every duplicate key (naming both positions) and every key that is
// not a scalar in `node` and all maps nested in it, and nesting deeper than
// 64 levels (which also catches a node that contains itself through an
// alias). For the free-form maps (`with:`, `parameters:`) that are otherwise
// kept as is. `label` prefixes the messages ("policy 'p' in block 'b': with").
void check_duplicate_keys(const YAML::Node& node, const std::string& label, ProblemList& problems);

// One key/value pair of a map.
struct Field {
  std::string_view name;
  YAML::Node key;
  YAML::Node value;
  SourceMark mark() const { return value_mark(key, value); }
};

// Reads one YAML map of the config. Not thread-safe; the nodes must outlive
// the reader.
class MapReader {
 public:
  // REQUIRES: map is a Map or Null (read as empty). `at` is the map's
  // position (for "missing key" problems). Reports at once: keys that are not
  // scalars, duplicate keys (the first one is used) and keys not in `known`,
  // with a "did you mean" when a known key is within 2 edits.
  MapReader(const YAML::Node& map, SourceMark at, std::string where,
            std::vector<std::string_view> known, ProblemList& problems);

  const std::string& where() const { return where_; }
  SourceMark mark() const { return at_; }
  ProblemList& problems() const { return *problems_; }

  // The first entry with that key; nullopt when absent.
  std::optional<Field> get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key).has_value(); }

  // "<where>: <key>" (just "<key>" at the top level): the prefix of messages.
  std::string label(std::string_view key) const;
  // Adds "<label(f.name)>: <what>" at the field's value.
  void report(const Field& f, const std::string& what) const;
  // Adds "<where>: missing '<key>'<hint>" at the map.
  void report_missing(std::string_view key, std::string_view hint = {}) const;

  // Typed reads. Each returns nullopt when the key is absent, and also when
  // the value is wrong, after reporting it.
  std::optional<std::string> string(std::string_view key) const;  // non-empty scalar
  // The required "id" key: a valid id (is_valid_id), or nullopt after
  // reporting it missing (with `missing_hint`) or invalid.
  std::optional<std::string> required_id(std::string_view missing_hint) const;
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                      std::int64_t max) const;
  // true/false (YAML 1.2's words only: not yes/no/on/off, which read as
  // strings elsewhere).
  std::optional<bool> boolean(std::string_view key) const;
  // One of `choices` (exact words); the problem lists them.
  std::optional<std::string> choice(std::string_view key,
                                    const std::vector<std::string_view>& choices) const;
  std::optional<std::chrono::milliseconds> duration(std::string_view key,
                                                    std::chrono::milliseconds min,
                                                    std::chrono::milliseconds max) const;
  std::optional<std::uint64_t> byte_size(std::string_view key, std::uint64_t min,
                                         std::uint64_t max) const;
  // A path, made absolute against base_dir and lexically normalised.
  std::optional<std::filesystem::path> path(std::string_view key,
                                            const std::filesystem::path& base_dir) const;
  std::optional<HttpUrl> http_url(std::string_view key) const;
  // host:port (parse_listen_address); `example` is shown when the value is
  // not a scalar ("127.0.0.1:30201").
  std::optional<ListenAddress> listen_address(std::string_view key, std::string_view example) const;
  // A map of scalars to scalars (null = empty); keys checked by `key_ok`
  // (nullptr: any), which returns why a key is refused or "".
  std::optional<std::map<std::string, std::string>> string_map(
      std::string_view key, std::string (*key_ok)(std::string_view) = nullptr) const;
  // The value if it is a list (null = empty list) or a map (null = empty
  // map); nullopt when absent or of another kind (reported).
  std::optional<YAML::Node> list(std::string_view key) const;
  std::optional<YAML::Node> map(std::string_view key) const;

 private:
  std::vector<Field> fields_;  // unique keys, file order
  SourceMark at_;
  std::string where_;
  ProblemList* problems_;
};

// The node-level reads behind MapReader's, for list items. `label` prefixes
// the message; `at` is where to report.
std::optional<std::string> read_string(const YAML::Node& value, SourceMark at,
                                       const std::string& label, ProblemList& problems);
std::optional<std::filesystem::path> read_path(const YAML::Node& value, SourceMark at,
                                               const std::string& label,
                                               const std::filesystem::path& base_dir,
                                               ProblemList& problems);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_YAML_READER_H
