#include "core/wire/json_writer.h"

#include <charconv>
#include <cmath>

#include "core/util/time_text.h"

namespace blockhealth::wire {

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the stretch that needs no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
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
      default: {
        const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(u, sizeof u);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_json_integer(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_json_unsigned(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void JsonWriter::value_prefix() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ > 0) {
    const std::uint32_t bit = 1u << (depth_ - 1);
    if ((has_items_ & bit) != 0) out_ += ',';
    has_items_ |= bit;
  }
}

JsonWriter& JsonWriter::begin_object() {
  value_prefix();
  out_ += '{';
  ++depth_;
  has_items_ &= ~(1u << (depth_ - 1));
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  --depth_;
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  value_prefix();
  out_ += '[';
  ++depth_;
  has_items_ &= ~(1u << (depth_ - 1));
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  --depth_;
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view k) {
  value_prefix();
  append_json_string(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
  value_prefix();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::number(double d) {
  value_prefix();
  append_json_number(out_, d);
  return *this;
}

JsonWriter& JsonWriter::integer(std::int64_t v) {
  value_prefix();
  append_json_integer(out_, v);
  return *this;
}

JsonWriter& JsonWriter::unsigned_integer(std::uint64_t v) {
  value_prefix();
  append_json_unsigned(out_, v);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  value_prefix();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  value_prefix();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::time_or_null(std::int64_t unix_ms) {
  if (unix_ms == 0) return null();
  value_prefix();
  out_ += '"';
  append_time_ms(out_, unix_ms);
  out_ += '"';
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  value_prefix();
  out_ += json;
  return *this;
}

}  // namespace blockhealth::wire
