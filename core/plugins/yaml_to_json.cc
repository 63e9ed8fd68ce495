#include "core/plugins/yaml_to_json.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

namespace blockhealth {
namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 100'000;
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";

bool is_digits(std::string_view s, std::string_view alphabet) {
  return !s.empty() && s.find_first_not_of(alphabet) == std::string_view::npos;
}

bool is_null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_from_text(std::string_view s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const std::size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const bool has_int = i > int_start;
  bool has_frac = false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    has_frac = i > frac_start;
  }
  if (!has_int && !has_frac) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const std::size_t exp_start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == exp_start) return false;
  }
  return i == s.size();
}

bool is_special_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s == ".inf" || s == ".Inf" || s == ".INF" || s == ".nan" || s == ".NaN" || s == ".NAN";
}

// An integer of the core schema, or nullopt when `s` is not one.
std::optional<json::value> int_from_text(std::string_view s) {
  int base = 10;
  std::string_view digits = s;
  bool negative = false;
  if (s.starts_with("0o") && is_digits(s.substr(2), "01234567")) {
    base = 8;
    digits = s.substr(2);
  } else if (s.starts_with("0x") && is_digits(s.substr(2), "0123456789abcdefABCDEF")) {
    base = 16;
    digits = s.substr(2);
  } else {
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (!is_digits(digits, "0123456789")) return std::nullopt;
  }
  std::uint64_t magnitude = 0;
  const auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc() && end == digits.data() + digits.size()) {
    if (!negative) {
      if (magnitude <= static_cast<std::uint64_t>(INT64_MAX)) {
        return json::value(static_cast<std::int64_t>(magnitude));
      }
      return json::value(magnitude);
    }
    if (magnitude <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
      return json::value(static_cast<std::int64_t>(0 - magnitude));
    }
  }
  // Too large for 64 bits: keep it as a (rounded) number.
  double value = 0;
  for (const char c : digits) {
    const int d = (c >= '0' && c <= '9') ? c - '0' : ((c | 0x20) - 'a' + 10);
    value = value * base + d;
  }
  return json::value(negative ? -value : value);
}

std::optional<double> float_from_text(std::string_view s) {
  if (!is_core_float(s)) return std::nullopt;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (end != s.data() + s.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) return std::nullopt;
  return value;
}

class Converter {
 public:
  explicit Converter(std::vector<YamlConversionError>* errors) : errors_(errors) {}

  json::value convert(const YAML::Node& node, int depth) {
    if (!node.IsDefined()) return nullptr;
    if (++nodes_ > kMaxNodes) {
      if (nodes_ == kMaxNodes + 1) error(node, "too many values (more than 100000)");
      return nullptr;
    }
    if (depth > kMaxDepth) {
      error(node, "nested more than 64 levels deep");
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        json::array array;
        std::size_t index = 0;
        for (const YAML::Node& item : node) {
          path_.push_back(JsonPathStep{{}, index++});
          array.push_back(convert(item, depth + 1));
          path_.pop_back();
        }
        return array;
      }
      case YAML::NodeType::Map: {
        json::object object;
        for (const auto& member : node) {
          const YAML::Node& key = member.first;
          if (!key.IsDefined() || !key.IsScalar()) {
            error(key, "a key must be a plain string");
            continue;
          }
          const std::string& name = key.Scalar();
          path_.push_back(JsonPathStep{name, std::nullopt});
          if (object.contains(name)) {
            error(key, "duplicate key '" + name + "'");
          } else {
            object[name] = convert(member.second, depth + 1);
          }
          path_.pop_back();
        }
        return object;
      }
      case YAML::NodeType::Undefined:
        return nullptr;
    }
    return nullptr;
  }

 private:
  json::value scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!" || tag == std::string(kCoreTagPrefix) + "str") return json::string(text);
    if (tag == "?" || tag.empty()) return plain(node, text);
    if (!tag.starts_with(kCoreTagPrefix)) {
      error(node, "unsupported YAML tag '" + tag + "'");
      return nullptr;
    }
    const std::string_view type = std::string_view(tag).substr(kCoreTagPrefix.size());
    if (type == "null" && is_null_text(text)) return nullptr;
    if (type == "bool") {
      if (auto b = bool_from_text(text)) return *b;
    }
    if (type == "int") {
      if (auto i = int_from_text(text)) return *i;
    }
    if (type == "float") {
      if (auto i = int_from_text(text)) return i->to_number<double>();
      if (auto d = float_from_text(text)) return *d;
    }
    error(node, "'" + text + "' is not a valid !!" + std::string(type));
    return nullptr;
  }

  json::value plain(const YAML::Node& node, const std::string& text) {
    if (is_null_text(text)) return nullptr;
    if (auto b = bool_from_text(text)) return *b;
    if (auto i = int_from_text(text)) return *i;
    if (is_special_float(text)) {
      error(node, "'" + text + "' has no JSON equivalent (only finite numbers)");
      return nullptr;
    }
    if (is_core_float(text)) {
      if (auto d = float_from_text(text)) return *d;
      error(node, "'" + text + "' is out of the range of a double");
      return nullptr;
    }
    return json::string(text);
  }

  void error(const YAML::Node& node, std::string message) {
    if (errors_ == nullptr) return;
    errors_->push_back(YamlConversionError{
        path_, node.IsDefined() ? node.Mark() : YAML::Mark::null_mark(), std::move(message)});
  }

  std::vector<YamlConversionError>* errors_;
  std::vector<JsonPathStep> path_;
  std::size_t nodes_ = 0;
};

bool is_identifier(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

json::value yaml_to_json(const YAML::Node& node, std::vector<YamlConversionError>* errors) {
  Converter converter(errors);
  return converter.convert(node, 0);
}

YAML::Mark yaml_mark_at(const YAML::Node& root, const std::vector<JsonPathStep>& path,
                        bool at_key) {
  if (!root.IsDefined()) return YAML::Mark::null_mark();
  YAML::Node node = root;
  YAML::Mark mark = root.Mark();
  for (std::size_t i = 0; i < path.size(); ++i) {
    const JsonPathStep& step = path[i];
    const bool last = i + 1 == path.size();
    std::optional<YAML::Node> next;  // emplace only: Node::operator= writes into the tree
    const YAML::Node& current = node;
    if (step.index && current.IsSequence() && *step.index < current.size()) {
      next.emplace(current[*step.index]);
    } else if (!step.index && current.IsMap()) {
      for (const auto& member : current) {
        if (member.first.IsDefined() && member.first.IsScalar() &&
            member.first.Scalar() == step.key) {
          if (last && at_key) return member.first.Mark();
          next.emplace(member.second);
          break;
        }
      }
    }
    if (!next || !next->IsDefined()) return mark;
    node.reset(*next);
    const YAML::Mark next_mark = node.Mark();
    if (!next_mark.is_null()) mark = next_mark;
  }
  return mark;
}

std::string format_json_path(std::string_view root_name, const std::vector<JsonPathStep>& path) {
  std::string out(root_name);
  for (const JsonPathStep& step : path) {
    if (step.index) {
      out += "[" + std::to_string(*step.index) + "]";
    } else if (is_identifier(step.key)) {
      out += "." + step.key;
    } else {
      out += "[" + json::serialize(json::string(step.key)) + "]";
    }
  }
  return out;
}

}  // namespace blockhealth
