#include "core/config/yaml_reader.h"

#include <charconv>
#include <initializer_list>

#include "core/config/byte_size.h"
#include "core/config/duration.h"
#include "core/config/key_suggestion.h"
#include "core/config/net_address.h"

namespace blockhealth {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

std::string at_text(SourceMark m) {
  return std::to_string(m.line) + ":" + std::to_string(m.column);
}

std::string where_phrase(const std::string& where) {
  return where.empty() ? "at the top level" : "in " + where;
}

void check_keys(const YAML::Node& node, const std::string& where, int depth,
                ProblemList& problems) {
  if (depth > kMaxYamlDepth) {
    problems.add(node.Mark(), where + ": nested more than " + std::to_string(kMaxYamlDepth) +
                                  " levels deep (or an alias refers to its own anchor)");
    return;
  }
  if (node.IsSequence()) {
    for (const auto& item : node) check_keys(item, where, depth + 1, problems);
    return;
  }
  if (!node.IsMap()) return;
  std::vector<std::pair<std::string, SourceMark>> seen;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) {
      problems.add(kv.first.Mark(),
                   where + ": keys must be plain words, got " + describe_node(kv.first));
    } else {
      const std::string& name = kv.first.Scalar();
      const SourceMark here = to_source_mark(kv.first.Mark());
      bool duplicate = false;
      for (const auto& [seen_name, seen_at] : seen) {
        if (seen_name == name) {
          problems.add(here, join({where, ": duplicate key '", name, "' (first at ",
                                   at_text(seen_at), ")"}));
          duplicate = true;
          break;
        }
      }
      if (!duplicate) seen.emplace_back(name, here);
    }
    check_keys(kv.second, where, depth + 1, problems);
  }
}

std::optional<std::int64_t> to_int(const std::string& s) {
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return "'" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "nothing";
  }
}

SourceMark value_mark(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsNull() || value.Mark().is_null()) return to_source_mark(key.Mark());
  return to_source_mark(value.Mark());
}

std::string peek_scalar(const YAML::Node& map, std::string_view key) {
  if (!map.IsMap()) return {};
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key && kv.second.IsScalar()) {
      return kv.second.Scalar();
    }
  }
  return {};
}

void check_duplicate_keys(const YAML::Node& node, const std::string& where, ProblemList& problems) {
  check_keys(node, where, 0, problems);
}

MapReader::MapReader(const YAML::Node& map, SourceMark at, std::string where,
                     std::vector<std::string_view> known, ProblemList& problems)
    : at_(at), where_(std::move(where)), problems_(&problems) {
  if (!map.IsMap()) return;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      problems.add(kv.first.Mark(), "keys must be plain words " + where_phrase(where_) + ", got " +
                                        describe_node(kv.first));
      continue;
    }
    const std::string& name = kv.first.Scalar();
    const SourceMark here = to_source_mark(kv.first.Mark());
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || k == name;
    if (!is_known) {
      std::string msg = "unknown key '" + name + "' " + where_phrase(where_);
      if (const auto s = suggest_key(name, known))
        msg += "; did you mean '" + std::string(*s) + "'?";
      problems.add(here, std::move(msg));
      continue;
    }
    if (const auto first = get(name)) {
      problems.add(here, "duplicate key '" + name + "' " + where_phrase(where_) + " (first at " +
                             at_text(to_source_mark(first->key.Mark())) + ")");
      continue;
    }
    // `name` lives in the yaml-cpp node, which outlives this reader.
    fields_.push_back(Field{name, kv.first, kv.second});
  }
}

std::optional<Field> MapReader::get(std::string_view key) const {
  for (const auto& f : fields_) {
    if (f.name == key) return f;
  }
  return std::nullopt;
}

std::string MapReader::label(std::string_view key) const {
  return where_.empty() ? std::string(key) : where_ + ": " + std::string(key);
}

void MapReader::report(const Field& f, const std::string& what) const {
  problems_->add(f.mark(), label(f.name) + ": " + what);
}

void MapReader::report_missing(std::string_view key, std::string_view hint) const {
  problems_->add(at_, (where_.empty() ? std::string("missing '") : where_ + ": missing '") +
                          std::string(key) + "'" + std::string(hint));
}

std::optional<std::string> MapReader::required_id(std::string_view missing_hint) const {
  auto id = string("id");
  if (!has("id")) {
    report_missing("id", missing_hint);
    return std::nullopt;
  }
  if (!id) return std::nullopt;
  if (!is_valid_id(*id)) {
    report(*get("id"),
           "'" + *id + "' is not a valid id (use letters, digits, '.', '_', '-'; at most 128)");
    return std::nullopt;
  }
  return id;
}

std::optional<std::string> read_string(const YAML::Node& value, SourceMark at,
                                       const std::string& label, ProblemList& problems) {
  if (!value.IsScalar()) {
    problems.add(at, label + ": expected a string, got " + describe_node(value));
    return std::nullopt;
  }
  if (value.Scalar().empty()) {
    problems.add(at, label + ": must not be empty");
    return std::nullopt;
  }
  return value.Scalar();
}

std::optional<std::filesystem::path> read_path(const YAML::Node& value, SourceMark at,
                                               const std::string& label,
                                               const std::filesystem::path& base_dir,
                                               ProblemList& problems) {
  if (!value.IsScalar() || value.Scalar().empty()) {
    problems.add(at, label + ": expected a path, got " + describe_node(value));
    return std::nullopt;
  }
  std::filesystem::path p(value.Scalar());
  if (p.is_relative()) p = base_dir / p;
  return p.lexically_normal();
}

std::optional<std::string> MapReader::string(std::string_view key) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  return read_string(f->value, f->mark(), label(key), *problems_);
}

std::optional<std::int64_t> MapReader::integer(std::string_view key, std::int64_t min,
                                               std::int64_t max) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  const auto v = f->value.IsScalar() ? to_int(f->value.Scalar()) : std::nullopt;
  if (!v) {
    report(*f, "expected a whole number " + range + ", got " + describe_node(f->value));
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    report(*f, "must be " + range + ", got " + f->value.Scalar());
    return std::nullopt;
  }
  return v;
}

std::optional<bool> MapReader::boolean(std::string_view key) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (f->value.IsScalar() && (f->value.Scalar() == "true" || f->value.Scalar() == "false")) {
    return f->value.Scalar() == "true";
  }
  report(*f, "expected true or false, got " + describe_node(f->value));
  return std::nullopt;
}

std::optional<std::string> MapReader::choice(std::string_view key,
                                             const std::vector<std::string_view>& choices) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  std::string listed;
  for (std::string_view c : choices) {
    if (f->value.IsScalar() && f->value.Scalar() == c) return std::string(c);
    if (!listed.empty()) listed += c == choices.back() ? " or " : ", ";
    listed += c;
  }
  report(*f, "expected " + listed + ", got " + describe_node(f->value));
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> MapReader::duration(std::string_view key,
                                                             std::chrono::milliseconds min,
                                                             std::chrono::milliseconds max) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (!f->value.IsScalar()) {
    report(*f, "expected a duration like 5s, 250ms or 1m30s, got " + describe_node(f->value));
    return std::nullopt;
  }
  const auto d = parse_duration(f->value.Scalar());
  if (!d) {
    report(*f, d.error().message);
    return std::nullopt;
  }
  if (*d < min) {
    report(*f, "must be at least " + format_duration(min) + ", got " + f->value.Scalar());
    return std::nullopt;
  }
  if (*d > max) {
    report(*f, "must be at most " + format_duration(max) + ", got " + f->value.Scalar());
    return std::nullopt;
  }
  return *d;
}

std::optional<std::uint64_t> MapReader::byte_size(std::string_view key, std::uint64_t min,
                                                  std::uint64_t max) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (!f->value.IsScalar()) {
    report(*f, "expected a size like 512, 64KiB or 10MB, got " + describe_node(f->value));
    return std::nullopt;
  }
  const auto s = parse_byte_size(f->value.Scalar());
  if (!s) {
    report(*f, s.error().message);
    return std::nullopt;
  }
  if (*s < min || *s > max) {
    report(*f, "must be from " + format_byte_size(min) + " to " + format_byte_size(max) + ", got " +
                   f->value.Scalar());
    return std::nullopt;
  }
  return *s;
}

std::optional<std::filesystem::path> MapReader::path(std::string_view key,
                                                     const std::filesystem::path& base_dir) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  return read_path(f->value, f->mark(), label(key), base_dir, *problems_);
}

std::optional<ListenAddress> MapReader::listen_address(std::string_view key,
                                                       std::string_view example) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (!f->value.IsScalar()) {
    report(*f,
           "expected host:port like " + std::string(example) + ", got " + describe_node(f->value));
    return std::nullopt;
  }
  auto listen = parse_listen_address(f->value.Scalar());
  if (!listen) {
    report(*f, listen.error().message);
    return std::nullopt;
  }
  return std::move(*listen);
}

std::optional<HttpUrl> MapReader::http_url(std::string_view key) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (!f->value.IsScalar()) {
    report(*f, "expected an http:// URL, got " + describe_node(f->value));
    return std::nullopt;
  }
  auto url = parse_http_url(f->value.Scalar());
  if (!url) {
    report(*f, url.error().message);
    return std::nullopt;
  }
  return std::move(*url);
}

std::optional<std::map<std::string, std::string>> MapReader::string_map(
    std::string_view key, std::string (*key_ok)(std::string_view)) const {
  const auto node = map(key);
  if (!node) return std::nullopt;
  std::map<std::string, std::string> out;
  std::map<std::string, SourceMark, std::less<>> first_at;
  bool ok = true;
  const std::string prefix = label(key);
  for (const auto& kv : *node) {
    if (!kv.first.IsScalar()) {
      problems_->add(kv.first.Mark(),
                     prefix + ": keys must be plain words, got " + describe_node(kv.first));
      ok = false;
      continue;
    }
    const std::string& name = kv.first.Scalar();
    const std::string why = key_ok ? key_ok(name) : std::string();
    if (!why.empty()) {
      problems_->add(kv.first.Mark(), join({prefix, ": ", why}));
      ok = false;
      continue;
    }
    if (const auto seen = first_at.find(name); seen != first_at.end()) {
      problems_->add(kv.first.Mark(), join({prefix, ": duplicate key '", name, "' (first at ",
                                            at_text(seen->second), ")"}));
      ok = false;
      continue;
    }
    first_at.emplace(name, to_source_mark(kv.first.Mark()));
    if (!kv.second.IsScalar()) {
      problems_->add(
          value_mark(kv.first, kv.second),
          join({prefix, ": ", name, ": expected a string, got ", describe_node(kv.second)}));
      ok = false;
      continue;
    }
    out.emplace(name, kv.second.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<YAML::Node> MapReader::list(std::string_view key) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (f->value.IsNull()) return YAML::Node(YAML::NodeType::Sequence);
  if (!f->value.IsSequence()) {
    report(*f, "expected a list, got " + describe_node(f->value));
    return std::nullopt;
  }
  return f->value;
}

std::optional<YAML::Node> MapReader::map(std::string_view key) const {
  const auto f = get(key);
  if (!f) return std::nullopt;
  if (f->value.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!f->value.IsMap()) {
    report(*f, "expected a map, got " + describe_node(f->value));
    return std::nullopt;
  }
  return f->value;
}

}  // namespace blockhealth
