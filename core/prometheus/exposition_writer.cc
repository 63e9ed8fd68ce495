#include "core/prometheus/exposition_writer.h"

#include <array>
#include <charconv>
#include <cmath>

#include "core/util/text.h"

namespace blockhealth::prometheus {

namespace {

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Appends `text` escaping `\`, line feed and, when `quote`, `"`.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* run = p;
  while (p < end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '\\' || c == '\n' || (quote && c == '"')) {
      out.append(run, p);
      out += '\\';
      out += c == '\n' ? 'n' : static_cast<char>(c);
      run = ++p;
    } else if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(p, end);
      if (n == 0) {
        out.append(run, p);
        out += kReplacementCharacter;
        run = ++p;
      } else {
        p += n;
      }
    } else {
      ++p;
    }
  }
  out.append(run, p);
}

// Labels is a range of LabelView or Label (anything with .name and .value).
template <typename Labels>
void append_sample(std::string& out, std::string_view name, const Labels& labels, double value,
                   std::int64_t timestamp_ms) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& label : labels) {
      if (!first) out += ',';
      first = false;
      out += label.name;
      out += "=\"";
      append_escaped(out, label.value, true);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  append_double(out, value);
  if (timestamp_ms != 0) {
    std::array<char, 24> buf{};  // int64 needs at most 20
    const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), timestamp_ms);
    out += ' ';
    out.append(buf.data(), result.ptr);
  }
  out += '\n';
}

}  // namespace

void append_double(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    std::array<char, 32> buf{};  // the shortest form of a double needs at most 24
    const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value);
    out.append(buf.data(), result.ptr);
  }
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  append_escaped(out, value, true);
}

void write_help(std::string& out, std::string_view name, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  append_escaped(out, help, false);
  out += '\n';
}

void write_type(std::string& out, std::string_view name, MetricType type) {
  out += "# TYPE ";
  out += name;
  out += ' ';
  out += to_string(type);
  out += '\n';
}

void write_sample(std::string& out, std::string_view name, std::span<const LabelView> labels,
                  double value, std::int64_t timestamp_ms) {
  append_sample(out, name, labels, value, timestamp_ms);
}

void write_sample(std::string& out, const MetricSample& sample) {
  append_sample(out, sample.name, sample.labels, sample.value, sample.timestamp_ms);
}

}  // namespace blockhealth::prometheus
