// test_echo: a policy whose verdict is whatever the instance's `test_status`
// sample says. For end-to-end tests of the daemon: feed a sample, read the
// verdict back.
//
//   test_status 0 -> OK, 1 -> WARN, 2 -> CRITICAL, anything else -> UNKNOWN;
//   reason "<prefix>test_status=N", evidence {test_status, N, limit 0}.
//   No such sample -> UNKNOWN "<prefix>no test_status sample".
//   with: { prefix: "<string>", hold: "interval" | "new_data" | <ms> }
//   (optional; no other key allowed). `hold` says how long a verdict holds
//   without new data (ABI 1.1 valid_until_ms): one interval (the default),
//   until new data, or <ms> after the evaluation.
//   manage: "echo" answers {"echo": <data>}; "count" answers {"evaluations":
//   N}, N = instances judged so far by this instance; "clock" answers
//   {"wall_ms": <the host's wall clock>}; anything else fails with "unknown
//   action <action>".
#include <blockhealth/policy.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace {

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
  }
  return buffer;
}

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (const char c : s) {
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
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(c));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// bh::Json back to text (the SDK only reads JSON).
void append_json(std::string& out, const bh::Json& v) {
  if (v.is_null()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_number()) {
    const double d = v.as_number();
    out += std::isfinite(d) ? number_text(d) : "null";
  } else if (v.is_string()) {
    append_json_string(out, v.as_string());
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const bh::Json& item : v.as_array()) {
      if (!first) out += ',';
      first = false;
      append_json(out, item);
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (const auto& [key, item] : v.as_object()) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json(out, item);
    }
    out += '}';
  }
}

class TestEcho {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "test_echo",
      .version = "1.0.0",
      .description = "Test policy: the verdict the test_status sample asks for",
      .params_schema = R"({
        "type": "object",
        "properties": {
          "prefix": { "type": "string" },
          "hold": { "oneOf": [ { "enum": ["interval", "new_data"] },
                               { "type": "integer", "minimum": 1 } ] }
        },
        "additionalProperties": false
      })"};

  TestEcho(const bh::Json& params, const bh::Host& host)
      : prefix_(params.string_or("prefix", "")), host_(host) {
    if (const bh::Json* hold = params.find("hold")) {
      if (hold->is_number()) {
        hold_ms_ = static_cast<std::int64_t>(hold->as_number());
      } else if (hold->as_string() == "new_data") {
        hold_ms_ = -1;
      }
    }
  }

  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& ctx) {
    bh::Verdict v = judge(in);
    if (hold_ms_ < 0) return std::move(v).until_new_data();
    if (hold_ms_ > 0) return std::move(v).valid_until(ctx.now_ms() + hold_ms_);
    return v;
  }

  bh::Verdict judge(const bh::Instance& in) {
    ++evaluations_;
    const std::optional<bh::Sample> sample = in.sample("test_status");
    if (!sample) return bh::Verdict::unknown(prefix_ + "no test_status sample");
    const double value = sample->value();
    bh::Verdict verdict;
    if (value == 0) {
      verdict.status = bh::Status::kOk;
    } else if (value == 1) {
      verdict.status = bh::Status::kWarn;
    } else if (value == 2) {
      verdict.status = bh::Status::kCritical;
    } else {
      verdict.status = bh::Status::kUnknown;
    }
    verdict.reason = prefix_ + "test_status=" + number_text(value);
    verdict.evidence = bh::Evidence{"test_status", value, 0};
    return verdict;
  }

  std::string manage(std::string_view action, const bh::Json& data) {
    if (action == "echo") {
      std::string out = "{\"echo\":";
      append_json(out, data);
      return out + "}";
    }
    if (action == "count") return "{\"evaluations\":" + std::to_string(evaluations_) + "}";
    if (action == "clock") return "{\"wall_ms\":" + std::to_string(host_.wall_ms()) + "}";
    throw bh::Error("unknown action " + std::string(action));
  }

 private:
  std::string prefix_;
  bh::Host host_;
  std::uint64_t evaluations_ = 0;
  std::int64_t hold_ms_ = 0;  // 0: one interval; -1: until new data
};

}  // namespace

BH_POLICY(TestEcho)
