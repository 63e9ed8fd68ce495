// blockhealth C++ policy SDK: header-only, C++20, depends only on the
// standard library and policy_abi.h. See docs/writing-a-policy.md.
//
// A policy is a class; one macro line exports the C table:
//
//   class MyPolicy {
//    public:
//     static constexpr bh::Descriptor kDescriptor{
//         .name = "my_policy", .version = "1.0.0",
//         .description = "What it checks", .params_schema = R"({"type":"object"})"};
//     MyPolicy(const bh::Json& params, const bh::Host& host);   // may throw
//     bh::Verdict evaluate(const bh::Instance& in, const bh::Context& ctx);  // may throw
//   };
//   BH_POLICY(MyPolicy)
//
// What the class may declare (checked at compile time, with a message):
// - kDescriptor (required): a constexpr bh::Descriptor of string literals.
// - a constructor (required), either MyPolicy(const bh::Json& params,
//   const bh::Host& host) or MyPolicy(const bh::Json& params). It runs in
//   create() with the `with:` parameters the host already checked against
//   params_schema.
// - evaluate (required), per instance: bh::Verdict evaluate(const
//   bh::Instance&, const bh::Context&) or bh::Verdict evaluate(const
//   bh::Instance&); OR per batch, for policies that compare a block's
//   instances: void evaluate_batch(std::span<const bh::Instance> in,
//   std::span<bh::Verdict> out, const bh::Context&), where out[i] starts as
//   UNKNOWN "not evaluated". When both exist, evaluate_batch is used.
// - manage (optional): R manage(std::string_view action, const bh::Json&
//   data) or R manage(std::string_view action, const bh::Json& data, const
//   bh::Context&), where R is std::string (JSON text) or bh::Json.
// - kReentrant (optional): static constexpr bool; true sets
//   BH_POLICY_FLAG_REENTRANT, and then evaluate/manage may run on several
//   threads at once and must guard the object's state themselves.
// - kInputs (optional): static constexpr std::uint32_t of BH_INPUT_* bits,
//   the observations evaluate reads (default 0: all of them); new data of
//   another kind then does not make an instance due for the policy.
// - kWholeBlock (optional): static constexpr bool; true sets
//   BH_POLICY_FLAG_WHOLE_BLOCK: whenever any instance of a block is due,
//   evaluate sees all of them (for policies that compare instances).
// - A Verdict may say until when it holds without new data
//   (.valid_until(ms), .until_new_data()); by default it holds for one
//   interval and the instance is judged again at the next tick.
//
// Contract of the generated table (see policy_abi.h for the ABI itself):
// - Every entry point catches every exception. A throwing constructor makes
//   create() fail with the exception's message; a throwing evaluate() fails
//   the whole batch with BH_RESULT_ERROR and the message, so the host marks the
//   batch UNKNOWN; a throwing manage() fails the action. Destructors must not
//   throw.
// - evaluate() is called once per instance of the batch, in order, on the
//   host's eval thread; between instances the SDK checks should_stop() and
//   returns early when the deadline has passed (the rest stay UNKNOWN).
// - Unless kReentrant, the policy object is never entered by two threads at
//   once, so it may keep state between calls without locking.
// - Strings are copied into the host's buffers truncated to their capacity
//   (on a UTF-8 boundary); keep reasons short (one line, < 200 bytes).
#ifndef BLOCKHEALTH_POLICY_HPP
#define BLOCKHEALTH_POLICY_HPP

#include <blockhealth/policy_abi.h>

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <initializer_list>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace bh {

enum class Status : std::int32_t {
  kOk = BH_STATUS_OK,
  kWarn = BH_STATUS_WARN,
  kCritical = BH_STATUS_CRITICAL,
  kUnknown = BH_STATUS_UNKNOWN,
};

// "ok", "warn", "critical", "unknown".
inline const char* to_string(Status status) {
  switch (status) {
    case Status::kOk:
      return "ok";
    case Status::kWarn:
      return "warn";
    case Status::kCritical:
      return "critical";
    case Status::kUnknown:
      return "unknown";
  }
  return "unknown";
}

// A policy's static description. All strings must outlive the library
// (string literals).
struct Descriptor {
  const char* name = nullptr;
  const char* version = nullptr;
  const char* description = nullptr;
  const char* params_schema = nullptr;  // JSON Schema of `with:`, nullptr = any object
};

// Thrown by the SDK's accessors when parameters or data have the wrong shape;
// policies may throw it too. Turned into an error at the ABI boundary.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------

// printf-style formatting into a std::string, checked by the compiler:
//   bh::format("queue %g >= %g", depth, limit)
[[gnu::format(printf, 1, 2)]] inline std::string format(const char* fmt, ...) {
  std::va_list args;
  va_start(args, fmt);
  std::va_list again;
  va_copy(again, args);
  const int size = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string out;
  if (size > 0) {
    out.resize(static_cast<std::size_t>(size) + 1);
    std::vsnprintf(out.data(), out.size(), fmt, again);
    out.resize(static_cast<std::size_t>(size));
  }
  va_end(again);
  return out;
}

// The shortest text that reads back as `value` ("86", "612.337", "1e+20",
// "NaN", "+Inf", "-Inf"), as Prometheus writes numbers.
inline std::string number_to_string(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return result.ec == std::errc() ? std::string(buffer, result.ptr) : std::string("?");
}

// ---------------------------------------------------------------------------
// Json: a small immutable JSON value for parameters and manage() data and
// answers. The host hands policies JSON it serialized itself after schema
// validation, so this reader favours small size over speed; malformed text
// throws bh::Error. Numbers are doubles.
// ---------------------------------------------------------------------------
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;  // null
  Json(std::nullptr_t) {}
  Json(bool v) : value_(v) {}
  template <typename T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) Json(T v)
      : value_(static_cast<double>(v)) {}
  Json(const char* v) : value_(std::string(v == nullptr ? "" : v)) {}
  Json(std::string_view v) : value_(std::string(v)) {}
  Json(std::string v) : value_(std::move(v)) {}
  Json(Array v) : value_(std::move(v)) {}
  Json(Object v) : value_(std::move(v)) {}

  static Json parse(std::string_view text) {
    Parser parser{text, 0};
    Json value = parser.value(0);
    parser.skip_space();
    if (parser.pos != text.size()) parser.fail("trailing characters");
    return value;
  }

  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }
  bool is_bool() const { return std::holds_alternative<bool>(value_); }
  bool is_number() const { return std::holds_alternative<double>(value_); }
  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  bool is_array() const { return std::holds_alternative<Array>(value_); }
  bool is_object() const { return std::holds_alternative<Object>(value_); }

  bool as_bool() const { return get<bool>("a boolean"); }
  double as_number() const { return get<double>("a number"); }
  const std::string& as_string() const { return get<std::string>("a string"); }
  const Array& as_array() const { return get<Array>("an array"); }
  const Object& as_object() const { return get<Object>("an object"); }
  // The number as an integer; throws bh::Error when it has a fraction or
  // does not fit.
  std::int64_t as_integer() const {
    const double v = as_number();
    if (!(v >= -9.2e18 && v <= 9.2e18) || std::trunc(v) != v) {
      throw Error("JSON number " + number_to_string(v) + " is not an integer");
    }
    return static_cast<std::int64_t>(v);
  }

  // Member lookup on an object; nullptr when absent or when this is not an
  // object.
  const Json* find(std::string_view key) const {
    const auto* object = std::get_if<Object>(&value_);
    if (object == nullptr) return nullptr;
    auto it = object->find(key);
    return it == object->end() ? nullptr : &it->second;
  }

  // Typed member accessors with defaults, for parameters. A member that is
  // present with another type throws bh::Error naming the key.
  double number_or(std::string_view key, double fallback) const {
    const Json* v = find(key);
    return v == nullptr || v->is_null() ? fallback : v->member_as<double>(key, "a number");
  }
  std::int64_t integer_or(std::string_view key, std::int64_t fallback) const {
    const Json* v = find(key);
    if (v == nullptr || v->is_null()) return fallback;
    (void)v->member_as<double>(key, "a number");
    return v->as_integer();
  }
  std::string string_or(std::string_view key, std::string fallback) const {
    const Json* v = find(key);
    if (v == nullptr || v->is_null()) return fallback;
    return v->member_as<std::string>(key, "a string");
  }
  bool bool_or(std::string_view key, bool fallback) const {
    const Json* v = find(key);
    return v == nullptr || v->is_null() ? fallback : v->member_as<bool>(key, "a boolean");
  }
  std::vector<std::string> strings_or_empty(std::string_view key) const {
    std::vector<std::string> out;
    if (const Json* v = find(key); v != nullptr && !v->is_null()) {
      for (const Json& item : v->member_as<Array>(key, "an array of strings")) {
        out.push_back(item.member_as<std::string>(key, "an array of strings"));
      }
    }
    return out;
  }

  // Compact JSON text. NaN and infinities (which JSON lacks) become null.
  std::string dump() const {
    std::string out;
    dump_to(out);
    return out;
  }

  // `text` as a JSON string literal, quotes included.
  static std::string quote(std::string_view text) {
    std::string out;
    quote_to(out, text);
    return out;
  }

 private:
  template <typename T>
  const T& get(const char* what) const {
    const T* v = std::get_if<T>(&value_);
    if (v == nullptr) throw Error(std::string("JSON value is not ") + what);
    return *v;
  }
  template <typename T>
  const T& member_as(std::string_view key, const char* what) const {
    const T* v = std::get_if<T>(&value_);
    if (v == nullptr) throw Error("parameter '" + std::string(key) + "' must be " + what);
    return *v;
  }

  static void quote_to(std::string& out, std::string_view text) {
    out += '"';
    for (const char c : text) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            out += format("\\u%04x", static_cast<unsigned>(c));
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }

  void dump_to(std::string& out) const {
    if (is_null()) {
      out += "null";
    } else if (const bool* b = std::get_if<bool>(&value_)) {
      out += *b ? "true" : "false";
    } else if (const double* d = std::get_if<double>(&value_)) {
      out += std::isfinite(*d) ? number_to_string(*d) : "null";
    } else if (const std::string* s = std::get_if<std::string>(&value_)) {
      quote_to(out, *s);
    } else if (const Array* a = std::get_if<Array>(&value_)) {
      out += '[';
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (i > 0) out += ',';
        (*a)[i].dump_to(out);
      }
      out += ']';
    } else if (const Object* o = std::get_if<Object>(&value_)) {
      out += '{';
      bool first = true;
      for (const auto& [key, value] : *o) {
        if (!first) out += ',';
        first = false;
        quote_to(out, key);
        out += ':';
        value.dump_to(out);
      }
      out += '}';
    }
  }

  struct Parser {
    std::string_view text;
    std::size_t pos;

    [[noreturn]] void fail(const char* what) const {
      throw Error("malformed JSON at offset " + std::to_string(pos) + ": " + what);
    }
    void skip_space() {
      while (pos < text.size() &&
             (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
        ++pos;
      }
    }
    bool consume(char c) {
      skip_space();
      if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
      }
      return false;
    }
    bool consume_word(std::string_view word) {
      if (text.substr(pos, word.size()) != word) return false;
      pos += word.size();
      return true;
    }
    Json value(int depth) {
      if (depth > 64) fail("nested too deeply");
      skip_space();
      if (pos >= text.size()) fail("unexpected end");
      Json out;
      const char c = text[pos];
      if (c == '{') {
        ++pos;
        Object object;
        if (!consume('}')) {
          do {
            skip_space();
            std::string key = string();
            if (!consume(':')) fail("expected ':'");
            object.insert_or_assign(std::move(key), value(depth + 1));
          } while (consume(','));
          if (!consume('}')) fail("expected ',' or '}'");
        }
        out.value_ = std::move(object);
      } else if (c == '[') {
        ++pos;
        Array array;
        if (!consume(']')) {
          do {
            array.push_back(value(depth + 1));
          } while (consume(','));
          if (!consume(']')) fail("expected ',' or ']'");
        }
        out.value_ = std::move(array);
      } else if (c == '"') {
        out.value_ = string();
      } else if (consume_word("true")) {
        out.value_ = true;
      } else if (consume_word("false")) {
        out.value_ = false;
      } else if (consume_word("null")) {
        out.value_ = std::monostate{};
      } else {
        out.value_ = number();
      }
      return out;
    }
    double number() {
      const std::size_t start = pos;
      while (pos < text.size() &&
             std::string_view("+-0123456789.eE").find(text[pos]) != std::string_view::npos) {
        ++pos;
      }
      if (start == pos) fail("expected a value");
      const std::string digits(text.substr(start, pos - start));
      char* end = nullptr;
      const double v = std::strtod(digits.c_str(), &end);
      if (end != digits.c_str() + digits.size()) fail("bad number");
      return v;
    }
    unsigned hex4() {
      if (pos + 4 > text.size()) fail("short \\u escape");
      unsigned v = 0;
      for (int i = 0; i < 4; ++i) {
        const char h = text[pos++];
        v <<= 4;
        if (h >= '0' && h <= '9') {
          v |= static_cast<unsigned>(h - '0');
        } else if (h >= 'a' && h <= 'f') {
          v |= static_cast<unsigned>(h - 'a' + 10);
        } else if (h >= 'A' && h <= 'F') {
          v |= static_cast<unsigned>(h - 'A' + 10);
        } else {
          fail("bad \\u escape");
        }
      }
      return v;
    }
    static void append_utf8(std::string& s, unsigned cp) {
      if (cp < 0x80) {
        s += static_cast<char>(cp);
      } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
      }
    }
    std::string string() {
      if (pos >= text.size() || text[pos] != '"') fail("expected a string");
      ++pos;
      std::string out;
      while (true) {
        if (pos >= text.size()) fail("unterminated string");
        const char c = text[pos++];
        if (c == '"') return out;
        if (c != '\\') {
          out += c;
          continue;
        }
        if (pos >= text.size()) fail("unterminated escape");
        const char e = text[pos++];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            unsigned cp = hex4();
            if (cp >= 0xD800 && cp < 0xDC00 && text.substr(pos, 2) == "\\u") {
              const std::size_t before = pos;
              pos += 2;
              const unsigned low = hex4();
              if (low >= 0xDC00 && low < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              } else {
                pos = before;  // not a pair: the high half alone is replaced below
              }
            }
            if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;  // lone surrogate
            append_utf8(out, cp);
            break;
          }
          default:
            fail("bad escape");
        }
      }
    }
  };

  std::variant<std::monostate, bool, double, std::string, Array, Object> value_;
};

// Parses "250ms", "5s", "2m", "1h" (or a bare number of seconds) into
// milliseconds. Throws bh::Error on anything else.
inline std::int64_t parse_duration_ms(std::string_view text) {
  const auto bad = [&](const char* why) {
    return Error("bad duration '" + std::string(text) + "': " + why);
  };
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) throw bad("expected e.g. 250ms, 5s, 2m");
  const std::string digits(text.substr(0, i));
  char* end = nullptr;
  const double amount = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) throw bad("expected e.g. 250ms, 5s, 2m");
  const std::string_view unit = text.substr(i);
  double factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s" || unit.empty()) {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else {
    throw bad("unit must be ms, s, m or h");
  }
  const double ms = amount * factor;
  if (!(ms <= 9.0e15)) throw bad("too long");
  return static_cast<std::int64_t>(std::llround(ms));
}

// Reads a duration parameter given as a string ("60s") or a number of seconds.
inline std::int64_t duration_ms_or(const Json& params, std::string_view key,
                                   std::int64_t fallback) {
  const Json* v = params.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_number()) {
    const double ms = v->as_number() * 1000;
    if (!(ms >= 0 && ms <= 9.0e15)) {
      throw Error("parameter '" + std::string(key) + "': bad duration " +
                  number_to_string(v->as_number()));
    }
    return static_cast<std::int64_t>(std::llround(ms));
  }
  if (!v->is_string()) {
    throw Error("parameter '" + std::string(key) + "' must be a duration such as \"30s\"");
  }
  return parse_duration_ms(v->as_string());
}

// ---------------------------------------------------------------------------
// Views over the ABI inputs. They borrow; valid only during evaluate().
// ---------------------------------------------------------------------------
class Sample {
 public:
  explicit Sample(const bh_sample& s) : s_(&s) {}
  std::string_view name() const { return s_->name; }
  double value() const { return s_->value; }
  std::int64_t timestamp_ms() const { return s_->timestamp_ms; }
  std::span<const bh_label> labels() const {
    return {s_->labels, s_->labels == nullptr ? 0 : s_->label_count};
  }
  // The value of label `key`, or nullopt when the sample lacks it.
  std::optional<std::string_view> label(std::string_view key) const {
    for (const bh_label& l : labels()) {
      if (key == l.name) return std::string_view(l.value);
    }
    return std::nullopt;
  }
  // The value of label `key`, or `fallback` when the sample lacks it.
  std::string_view label_or(std::string_view key, std::string_view fallback) const {
    return label(key).value_or(fallback);
  }
  // The series in Prometheus notation, for evidence and reasons:
  // name{k="v",...} with only the labels named in `keys` (all labels when
  // `keys` is empty), in the sample's order; values escaped as Prometheus
  // does. E.g. series({"gpu"}) == "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\"}".
  std::string series(std::initializer_list<std::string_view> keys = {}) const {
    std::string out(name());
    bool any = false;
    for (const bh_label& l : labels()) {
      bool wanted = keys.size() == 0;
      for (std::string_view k : keys) wanted = wanted || k == l.name;
      if (!wanted) continue;
      out += any ? ',' : '{';
      any = true;
      out += l.name;
      out += "=\"";
      for (const char* c = l.value; *c != '\0'; ++c) {
        if (*c == '\\' || *c == '"') out += '\\';
        if (*c == '\n') {
          out += "\\n";
        } else {
          out += *c;
        }
      }
      out += '"';
    }
    if (any) out += '}';
    return out;
  }
  const bh_sample& raw() const { return *s_; }

 private:
  const bh_sample* s_;
};

// The raw /health probe outcome; see bh_probe.
class Probe {
 public:
  explicit Probe(const bh_probe& p) : p_(&p) {}
  std::int32_t outcome() const { return p_->outcome; }  // BH_PROBE_*
  bool responded() const { return p_->outcome == BH_PROBE_RESPONSE; }
  std::int32_t http_status() const { return p_->http_status; }
  std::int64_t latency_us() const { return p_->latency_us; }
  std::int64_t time_ms() const { return p_->time_ms; }
  std::string_view url() const { return p_->url; }
  std::string_view error() const { return p_->error; }
  std::string_view body() const { return {p_->body, p_->body_size}; }
  const bh_probe& raw() const { return *p_; }

 private:
  const bh_probe* p_;
};

class Instance {
 public:
  explicit Instance(const bh_instance& in) : in_(&in) {}
  std::string_view id() const { return in_->instance_id; }
  std::string_view block_id() const { return in_->block_id; }
  std::span<const bh_sample> raw_samples() const {
    return {in_->samples, in_->samples == nullptr ? 0 : in_->sample_count};
  }
  std::vector<Sample> samples() const {
    std::vector<Sample> out;
    for (const bh_sample& s : raw_samples()) out.emplace_back(s);
    return out;
  }
  // Every sample of metric `name`, in the host's order.
  std::vector<Sample> samples_named(std::string_view name) const {
    std::vector<Sample> out;
    for (const bh_sample& s : raw_samples()) {
      if (name == s.name) out.emplace_back(s);
    }
    return out;
  }
  // Every sample whose metric name starts with `prefix` (e.g. "DCGM_FI_DEV_").
  std::vector<Sample> samples_with_prefix(std::string_view prefix) const {
    std::vector<Sample> out;
    for (const bh_sample& s : raw_samples()) {
      if (std::string_view(s.name).starts_with(prefix)) out.emplace_back(s);
    }
    return out;
  }
  // Every sample of metric `name` whose label `key` equals `value`.
  std::vector<Sample> samples_where(std::string_view name, std::string_view key,
                                    std::string_view value) const {
    std::vector<Sample> out;
    for (const bh_sample& s : raw_samples()) {
      if (name == s.name && Sample(s).label(key) == value) out.emplace_back(s);
    }
    return out;
  }
  // The first sample of metric `name`, or nullopt.
  std::optional<Sample> sample(std::string_view name) const {
    for (const bh_sample& s : raw_samples()) {
      if (name == s.name) return Sample(s);
    }
    return std::nullopt;
  }
  std::span<const bh_log_line> log_lines() const {
    return {in_->log_lines, in_->log_lines == nullptr ? 0 : in_->log_count};
  }
  // The last /health probe, or nullopt when the instance has no probe.
  std::optional<Probe> health_probe() const {
    if (in_->probe == nullptr) return std::nullopt;
    return Probe(*in_->probe);
  }
  const bh_probe* probe() const { return in_->probe; }
  std::int64_t last_seen_ms() const { return in_->last_seen_ms; }
  std::int64_t last_request_ms() const { return in_->last_request_ms; }
  const bh_instance& raw() const { return *in_; }

 private:
  const bh_instance* in_;
};

struct Evidence {
  std::string metric;
  double observed = 0;
  double limit = 0;
};

// What evaluate() returns for one instance. Build one with the factories,
// optionally chaining evidence:
//   return bh::Verdict::warn(bh::format("queue %g >= %g", v, warn))
//       .with_evidence(s.series(), v, warn);
struct Verdict {
  Status status = Status::kUnknown;
  std::string reason;
  std::optional<Evidence> evidence;
  // Until when (Unix ms) the verdict holds without new data: 0 = this
  // interval only, kUntilNewData = until new observations arrive. See
  // bh_verdict.valid_until_ms and docs/abi.md.
  std::int64_t valid_until_ms = 0;
  static constexpr std::int64_t kUntilNewData = BH_VALID_UNTIL_NEW_DATA;

  static Verdict ok(std::string reason = {}) { return {Status::kOk, std::move(reason), {}}; }
  static Verdict warn(std::string reason, std::optional<Evidence> e = {}) {
    return {Status::kWarn, std::move(reason), std::move(e)};
  }
  static Verdict critical(std::string reason, std::optional<Evidence> e = {}) {
    return {Status::kCritical, std::move(reason), std::move(e)};
  }
  static Verdict unknown(std::string reason) { return {Status::kUnknown, std::move(reason), {}}; }

  // This verdict with evidence attached (replacing any).
  Verdict&& with_evidence(std::string metric, double observed, double limit) && {
    evidence = Evidence{std::move(metric), observed, limit};
    return std::move(*this);
  }
  Verdict& with_evidence(std::string metric, double observed, double limit) & {
    evidence = Evidence{std::move(metric), observed, limit};
    return *this;
  }

  // This verdict, holding until `ms` (Unix ms) unless new data arrives.
  Verdict&& valid_until(std::int64_t ms) && {
    valid_until_ms = ms;
    return std::move(*this);
  }
  Verdict& valid_until(std::int64_t ms) & {
    valid_until_ms = ms;
    return *this;
  }
  // This verdict, holding until new data arrives (it depends on nothing else).
  Verdict&& until_new_data() && { return std::move(*this).valid_until(kUntilNewData); }
  Verdict& until_new_data() & { return valid_until(kUntilNewData); }
};

// Worse of two statuses for aggregation: OK < WARN < UNKNOWN < CRITICAL.
inline Status worst(Status a, Status b) {
  const auto rank = [](Status s) {
    switch (s) {
      case Status::kOk:
        return 0;
      case Status::kWarn:
        return 1;
      case Status::kUnknown:
        return 2;
      case Status::kCritical:
        return 3;
    }
    return 2;
  };
  return rank(a) >= rank(b) ? a : b;
}

// The host services, for logging and time. Valid for the policy's lifetime
// (until destroy). Copyable; all methods are thread-safe.
class Host {
 public:
  explicit Host(const bh_host* host) : host_(host) {}
  void log(std::int32_t level, const std::string& message) const {
    if (host_ != nullptr && host_->log != nullptr) host_->log(host_, level, message.c_str());
  }
  void debug(const std::string& message) const { log(BH_LOG_DEBUG, message); }
  void info(const std::string& message) const { log(BH_LOG_INFO, message); }
  void warn(const std::string& message) const { log(BH_LOG_WARN, message); }
  void error(const std::string& message) const { log(BH_LOG_ERROR, message); }
  std::int64_t wall_ms() const { return host_->wall_ms(host_); }
  std::int64_t monotonic_ns() const { return host_->monotonic_ns(host_); }
  const bh_host* raw() const { return host_; }

 private:
  const bh_host* host_;
};

// Per-call context. Valid only during the call.
class Context {
 public:
  explicit Context(const bh_call* call) : call_(call) {}
  // The wall time the evaluation is "as of": compare observation times with
  // this, not with the system clock.
  std::int64_t now_ms() const { return call_->now_ms; }
  std::int64_t deadline_ns() const { return call_->deadline_ns; }  // on Host::monotonic_ns
  bool should_stop() const { return call_->should_stop(call_) != 0; }
  const bh_call* raw() const { return call_; }

 private:
  const bh_call* call_;
};

// ---------------------------------------------------------------------------
// Compile-time shape of a policy class (see the top of this file).
// ---------------------------------------------------------------------------
template <typename P>
concept HasDescriptor = requires {
  { P::kDescriptor } -> std::convertible_to<Descriptor>;
};
template <typename P>
concept ConstructibleWithHost = std::constructible_from<P, const Json&, const Host&>;
template <typename P>
concept ConstructibleFromParams = std::constructible_from<P, const Json&>;
template <typename P>
concept EvaluatesWithContext = requires(P& p, const Instance& in, const Context& ctx) {
  { p.evaluate(in, ctx) } -> std::convertible_to<Verdict>;
};
template <typename P>
concept EvaluatesInstance = requires(P& p, const Instance& in) {
  { p.evaluate(in) } -> std::convertible_to<Verdict>;
};
template <typename P>
concept EvaluatesBatch = requires(P& p, std::span<const Instance> in, std::span<Verdict> out,
                                  const Context& ctx) {
  p.evaluate_batch(in, out, ctx);
};
template <typename R>
concept ManageAnswer = std::convertible_to<R, std::string> || std::same_as<R, Json>;
template <typename P>
concept ManagesWithContext = requires(P& p, std::string_view a, const Json& d, const Context& ctx) {
  { p.manage(a, d, ctx) } -> ManageAnswer;
};
template <typename P>
concept Manages = requires(P& p, std::string_view a, const Json& d) {
  { p.manage(a, d) } -> ManageAnswer;
};

namespace detail {

inline void write_error(bh_call* call, const char* message) {
  bh_set_error(call, message);
}

inline void write_verdict(const Verdict& v, bh_verdict* out) {
  out->status = static_cast<bh_status>(v.status);
  bh_copy_string(out->reason, out->reason_capacity, v.reason.c_str());
  if (v.evidence) {
    out->has_evidence = 1;
    bh_copy_string(out->evidence_metric, out->evidence_metric_capacity, v.evidence->metric.c_str());
    out->evidence_observed = v.evidence->observed;
    out->evidence_limit = v.evidence->limit;
  }
  bh_verdict_set_valid_until(out, v.valid_until_ms);
}

// Runs `body`, turning any exception into BH_RESULT_ERROR with its message.
template <typename Body>
bh_result guarded(bh_call* call, Body&& body) noexcept {
  try {
    body();
    return BH_RESULT_OK;
  } catch (const std::exception& e) {
    write_error(call, e.what());
  } catch (...) {
    write_error(call, "unknown exception");
  }
  return BH_RESULT_ERROR;
}

template <typename Policy>
struct Boxed {
  Host host;
  Policy policy;
};

template <typename Policy>
Policy construct(const Json& params, const Host& host) {
  if constexpr (ConstructibleWithHost<Policy>) {
    return Policy(params, host);
  } else {
    return Policy(params);
  }
}

template <typename Policy>
constexpr bool policy_is_reentrant() {
  if constexpr (requires { Policy::kReentrant; }) {
    return static_cast<bool>(Policy::kReentrant);
  } else {
    return false;
  }
}

template <typename Policy>
constexpr bool policy_is_whole_block() {
  if constexpr (requires { Policy::kWholeBlock; }) {
    return static_cast<bool>(Policy::kWholeBlock);
  } else {
    return false;
  }
}

template <typename Policy>
constexpr std::uint32_t policy_inputs() {
  if constexpr (requires { Policy::kInputs; }) {
    return static_cast<std::uint32_t>(Policy::kInputs);
  } else {
    return 0u;
  }
}

template <typename Policy>
struct Table {
  static_assert(HasDescriptor<Policy>,
                "a blockhealth policy needs `static constexpr bh::Descriptor kDescriptor{...}`");
  static_assert(ConstructibleWithHost<Policy> || ConstructibleFromParams<Policy>,
                "a blockhealth policy needs a constructor (const bh::Json& params, const "
                "bh::Host& host) or (const bh::Json& params)");
  static_assert(EvaluatesBatch<Policy> || EvaluatesWithContext<Policy> || EvaluatesInstance<Policy>,
                "a blockhealth policy needs `bh::Verdict evaluate(const bh::Instance&, const "
                "bh::Context&)` (or evaluate(const bh::Instance&), or evaluate_batch)");

  static constexpr bool kHasManage = Manages<Policy> || ManagesWithContext<Policy>;

  static bh_policy_instance* create(const bh_host* host, const char* params_json,
                                    bh_call* call) noexcept {
    Boxed<Policy>* boxed = nullptr;
    const bh_result r = guarded(call, [&] {
      const Json params = Json::parse(params_json == nullptr ? "{}" : params_json);
      // NOLINTNEXTLINE(bugprone-unhandled-exception-at-new): guarded() catches it
      boxed = new Boxed<Policy>{Host(host), construct<Policy>(params, Host(host))};
    });
    return r == BH_RESULT_OK ? reinterpret_cast<bh_policy_instance*>(boxed) : nullptr;
  }

  static void destroy(bh_policy_instance* self) noexcept {
    try {
      delete reinterpret_cast<Boxed<Policy>*>(self);
    } catch (...) {  // a throwing destructor must not cross the ABI
    }
  }

  static Verdict evaluate_one(Policy& policy, const Instance& in, const Context& ctx) {
    if constexpr (EvaluatesWithContext<Policy>) {
      return policy.evaluate(in, ctx);
    } else {
      return policy.evaluate(in);
    }
  }

  static bh_result evaluate(bh_policy_instance* self, bh_call* call, const bh_instance* const* in,
                            std::size_t count, bh_verdict* const* out) noexcept {
    auto* boxed = reinterpret_cast<Boxed<Policy>*>(self);
    return guarded(call, [&] {
      const Context ctx(call);
      if constexpr (EvaluatesBatch<Policy>) {
        std::vector<Instance> inputs;
        inputs.reserve(count);
        for (std::size_t i = 0; i < count; ++i) inputs.emplace_back(*in[i]);
        std::vector<Verdict> verdicts(count, Verdict::unknown("not evaluated"));
        boxed->policy.evaluate_batch(std::span<const Instance>(inputs),
                                     std::span<Verdict>(verdicts), ctx);
        for (std::size_t i = 0; i < count; ++i) write_verdict(verdicts[i], out[i]);
      } else {
        for (std::size_t i = 0; i < count; ++i) {
          if (ctx.should_stop()) return;
          write_verdict(evaluate_one(boxed->policy, Instance(*in[i]), ctx), out[i]);
        }
      }
    });
  }

  static bh_result manage(bh_policy_instance* self, bh_call* call, const char* action,
                          const char* data_json, const bh_output* answer) noexcept {
    auto* boxed = reinterpret_cast<Boxed<Policy>*>(self);
    return guarded(call, [&] {
      const Json data = Json::parse(data_json == nullptr ? "{}" : data_json);
      const std::string_view name = action == nullptr ? "" : action;
      std::string reply;
      if constexpr (ManagesWithContext<Policy>) {
        reply = to_text(boxed->policy.manage(name, data, Context(call)));
      } else if constexpr (Manages<Policy>) {
        reply = to_text(boxed->policy.manage(name, data));
      } else {
        throw Error("this policy has no management actions");
      }
      answer->write(answer, reply.data(), reply.size());
    });
  }

  static std::string to_text(const Json& json) { return json.dump(); }
  template <typename R>
  requires std::convertible_to<R, std::string>
  static std::string to_text(R&& text) { return std::string(std::forward<R>(text)); }

  // Constant-initialized: no code runs when the library is loaded.
  static constexpr bh_policy_v1 kTable = {
      sizeof(bh_policy_v1),
      BH_ABI_MAJOR,
      BH_ABI_MINOR,
      (policy_is_reentrant<Policy>() ? BH_POLICY_FLAG_REENTRANT : 0u) |
          (policy_is_whole_block<Policy>() ? BH_POLICY_FLAG_WHOLE_BLOCK : 0u),
      Policy::kDescriptor.name,
      Policy::kDescriptor.version,
      Policy::kDescriptor.description,
      Policy::kDescriptor.params_schema,
      &Table::create,
      &Table::destroy,
      &Table::evaluate,
      kHasManage ? &Table::manage : nullptr,
      policy_inputs<Policy>(),
  };
};

}  // namespace detail
}  // namespace bh

// Exports `Policy` as this library's policy. Use once per shared object, at
// namespace scope.
#define BH_POLICY(Policy)                                                                   \
  extern "C" BH_EXPORT const bh_policy_v1* bh_policy_entry(std::uint32_t host_abi_major,    \
                                                           std::uint32_t host_abi_minor) {  \
    (void)host_abi_minor;                                                                   \
    return host_abi_major == BH_ABI_MAJOR ? &::bh::detail::Table<Policy>::kTable : nullptr; \
  }

#endif  // BLOCKHEALTH_POLICY_HPP
