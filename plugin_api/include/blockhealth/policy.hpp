// blockhealth C++ policy SDK: header-only, C++20, depends only on the
// standard library and policy_abi.h.
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
//     // optional: std::string manage(std::string_view action, const bh::Json& data);
//   };
//   BH_POLICY(MyPolicy)
//
// Contract of the generated table (see policy_abi.h for the ABI itself):
// - Every entry point catches every exception. A throwing constructor makes
//   create() fail with the exception's message; a throwing evaluate() fails
//   the whole batch with BH_RESULT_ERROR and the message, so the host marks the
//   batch UNKNOWN; a throwing manage() fails the action.
// - evaluate() is called once per instance of the batch, in order, on the
//   host's eval thread; between instances the SDK checks should_stop() and
//   returns early when the deadline has passed (the rest stay UNKNOWN).
// - The policy object is never entered by two threads at once (no
//   BH_POLICY_FLAG_REENTRANT), so it may keep state between calls.
#ifndef BLOCKHEALTH_POLICY_HPP
#define BLOCKHEALTH_POLICY_HPP

#include <blockhealth/policy_abi.h>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
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
// Json: a small immutable JSON value for parameters and manage() data. The
// host hands policies JSON it serialized itself after schema validation, so
// this reader favours small size over speed; malformed text throws bh::Error.
// ---------------------------------------------------------------------------
class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::map<std::string, Json, std::less<>>;

  Json() = default;  // null
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

  // Member lookup on an object; nullptr when absent or when this is not an
  // object.
  const Json* find(std::string_view key) const {
    const auto* object = std::get_if<Object>(&value_);
    if (object == nullptr) return nullptr;
    auto it = object->find(key);
    return it == object->end() ? nullptr : &it->second;
  }

  // Typed member accessors with defaults, for parameters.
  double number_or(std::string_view key, double fallback) const {
    const Json* v = find(key);
    return v == nullptr || v->is_null() ? fallback : v->as_number();
  }
  std::string string_or(std::string_view key, std::string fallback) const {
    const Json* v = find(key);
    return v == nullptr || v->is_null() ? std::move(fallback) : v->as_string();
  }
  bool bool_or(std::string_view key, bool fallback) const {
    const Json* v = find(key);
    return v == nullptr || v->is_null() ? fallback : v->as_bool();
  }
  std::vector<std::string> strings_or_empty(std::string_view key) const {
    std::vector<std::string> out;
    if (const Json* v = find(key); v != nullptr && !v->is_null()) {
      for (const Json& item : v->as_array()) out.push_back(item.as_string());
    }
    return out;
  }

 private:
  template <typename T>
  const T& get(const char* what) const {
    const T* v = std::get_if<T>(&value_);
    if (v == nullptr) throw Error(std::string("JSON value is not ") + what);
    return *v;
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
      while (pos < text.size() && std::string_view("+-0123456789.eE").find(text[pos]) !=
                                      std::string_view::npos) {
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
        if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
        else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
        else fail("bad \\u escape");
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
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            unsigned cp = hex4();
            if (cp >= 0xD800 && cp < 0xDC00 && text.substr(pos, 2) == "\\u") {
              pos += 2;
              const unsigned low = hex4();
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            append_utf8(out, cp);
            break;
          }
          default: fail("bad escape");
        }
      }
    }
  };

  std::variant<std::monostate, bool, double, std::string, Array, Object> value_;
};

// Parses "250ms", "5s", "2m", "1h" (or a bare number of seconds) into
// milliseconds. Throws bh::Error on anything else.
inline std::int64_t parse_duration_ms(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) throw Error("bad duration '" + std::string(text) + "': expected e.g. 250ms, 5s, 2m");
  const double amount = std::strtod(std::string(text.substr(0, i)).c_str(), nullptr);
  const std::string_view unit = text.substr(i);
  double factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s" || unit.empty()) factor = 1000;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else throw Error("bad duration '" + std::string(text) + "': unit must be ms, s, m or h");
  return static_cast<std::int64_t>(std::llround(amount * factor));
}

// Reads a duration parameter given as a string ("60s") or a number of seconds.
inline std::int64_t duration_ms_or(const Json& params, std::string_view key, std::int64_t fallback) {
  const Json* v = params.find(key);
  if (v == nullptr || v->is_null()) return fallback;
  if (v->is_number()) return static_cast<std::int64_t>(std::llround(v->as_number() * 1000));
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
  const bh_sample& raw() const { return *s_; }

 private:
  const bh_sample* s_;
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

// What evaluate() returns for one instance.
struct Verdict {
  Status status = Status::kUnknown;
  std::string reason;
  std::optional<Evidence> evidence;

  static Verdict ok(std::string reason = {}) { return {Status::kOk, std::move(reason), {}}; }
  static Verdict warn(std::string reason, std::optional<Evidence> e = {}) {
    return {Status::kWarn, std::move(reason), std::move(e)};
  }
  static Verdict critical(std::string reason, std::optional<Evidence> e = {}) {
    return {Status::kCritical, std::move(reason), std::move(e)};
  }
  static Verdict unknown(std::string reason) { return {Status::kUnknown, std::move(reason), {}}; }
};

// The host services, for logging and time. Valid for the policy's lifetime.
class Host {
 public:
  explicit Host(const bh_host* host) : host_(host) {}
  void log(std::int32_t level, const std::string& message) const {
    if (host_ != nullptr && host_->log != nullptr) host_->log(host_, level, message.c_str());
  }
  std::int64_t wall_ms() const { return host_->wall_ms(host_); }
  std::int64_t monotonic_ns() const { return host_->monotonic_ns(host_); }

 private:
  const bh_host* host_;
};

// Per-call context. Valid only during the call.
class Context {
 public:
  explicit Context(const bh_call* call) : call_(call) {}
  std::int64_t now_ms() const { return call_->now_ms; }
  bool should_stop() const { return call_->should_stop(call_) != 0; }

 private:
  const bh_call* call_;
};

namespace detail {

inline void write_error(bh_call* call, const char* message) {
  if (call != nullptr) bh_copy_string(call->error, call->error_capacity, message);
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
struct Table {
  static bh_policy_instance* create(const bh_host* host, const char* params_json,
                                    bh_call* call) noexcept {
    Boxed<Policy>* boxed = nullptr;
    const bh_result r = guarded(call, [&] {
      const Json params = Json::parse(params_json == nullptr ? "{}" : params_json);
      boxed = new Boxed<Policy>{Host(host), Policy(params, Host(host))};
    });
    return r == BH_RESULT_OK ? reinterpret_cast<bh_policy_instance*>(boxed) : nullptr;
  }

  static void destroy(bh_policy_instance* self) noexcept {
    try {
      delete reinterpret_cast<Boxed<Policy>*>(self);
    } catch (...) {  // a throwing destructor must not cross the ABI
    }
  }

  static bh_result evaluate(bh_policy_instance* self, bh_call* call, const bh_instance* const* in,
                            std::size_t count, bh_verdict* const* out) noexcept {
    auto* boxed = reinterpret_cast<Boxed<Policy>*>(self);
    return guarded(call, [&] {
      const Context ctx(call);
      for (std::size_t i = 0; i < count; ++i) {
        if (ctx.should_stop()) return;
        write_verdict(boxed->policy.evaluate(Instance(*in[i]), ctx), out[i]);
      }
    });
  }

  static bh_result manage(bh_policy_instance* self, bh_call* call, const char* action,
                          const char* data_json, const bh_output* answer) noexcept {
    auto* boxed = reinterpret_cast<Boxed<Policy>*>(self);
    return guarded(call, [&] {
      if constexpr (requires(Policy& p, std::string_view a, const Json& d) {
                      { p.manage(a, d) } -> std::convertible_to<std::string>;
                    }) {
        const std::string reply = boxed->policy.manage(
            action, Json::parse(data_json == nullptr ? "{}" : data_json));
        answer->write(answer, reply.data(), reply.size());
      } else {
        (void)boxed;
        (void)action;
        (void)data_json;
        (void)answer;
        throw Error("this policy has no management actions");
      }
    });
  }

  static constexpr bool kHasManage = requires(Policy& p, std::string_view a, const Json& d) {
    { p.manage(a, d) } -> std::convertible_to<std::string>;
  };

  static inline const bh_policy_v1 table = {
      sizeof(bh_policy_v1),
      BH_ABI_MAJOR,
      BH_ABI_MINOR,
      0u,
      Policy::kDescriptor.name,
      Policy::kDescriptor.version,
      Policy::kDescriptor.description,
      Policy::kDescriptor.params_schema,
      &Table::create,
      &Table::destroy,
      &Table::evaluate,
      kHasManage ? &Table::manage : nullptr,
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
    return host_abi_major == BH_ABI_MAJOR ? &::bh::detail::Table<Policy>::table : nullptr;  \
  }

#endif  // BLOCKHEALTH_POLICY_HPP
