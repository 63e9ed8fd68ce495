// Sample lines: name{labels} value [timestamp], and the family they belong to.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "core/prometheus/number_parse.h"
#include "core/prometheus/parse_messages.h"
#include "core/prometheus/text_parser.h"
#include "core/util/text.h"

namespace blockhealth::prometheus {

namespace {

// Sizes first: std::string's operator== with a string_view compares bytes first.
bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool TextParser::parse_sample(const char* p) {
  const char* name_at = p;
  if (out_.samples.size() >= options_.max_samples) {
    return fail(name_at, "more than " + std::to_string(options_.max_samples) + " samples");
  }
  if (!scan_name(p, true, "a metric name")) return false;
  MetricSample sample;
  sample.name.assign(name_at, p);
  const char* after_name = p;
  skip_blanks(p);
  SpecialLabels special;
  if (p < line_end_ && *p == '{') {
    // Samples of one family usually have the same number of labels.
    if (!out_.samples.empty()) sample.labels.reserve(out_.samples.back().labels.size());
    if (!parse_labels(p, sample, special)) return false;
    skip_blanks(p);
  } else if (p == after_name && p < line_end_) {
    return expected(p, "'{' or a blank after the metric name", describe_char(p, line_end_));
  }

  const char* value_at = p;
  while (p < line_end_ && !is_blank(*p)) ++p;
  const std::string_view value_token(value_at, p - value_at);
  if (value_token.empty()) return expected(p, "a sample value", "end of line");
  const std::optional<double> value = parse_float(value_token);
  if (!value) return expected(value_at, "a float sample value", describe_token(value_token));
  sample.value = *value;

  skip_blanks(p);
  if (p < line_end_) {
    const char* timestamp_at = p;
    while (p < line_end_ && !is_blank(*p)) ++p;
    const std::string_view timestamp_token(timestamp_at, p - timestamp_at);
    const std::optional<std::int64_t> timestamp = parse_int64(timestamp_token);
    if (!timestamp) {
      return expected(timestamp_at, "an integer timestamp in milliseconds",
                      describe_token(timestamp_token));
    }
    sample.timestamp_ms = *timestamp;
    skip_blanks(p);
    if (p < line_end_) {
      return expected(p, "end of line after the timestamp", describe_char(p, line_end_));
    }
  }

  std::uint32_t index = 0;
  if (last_family_valid_ && same(out_.samples.back().name, sample.name)) {
    index = out_.sample_family.back();
  } else if ((index = families_.for_sample(sample.name)) == FamilyTable::kNone) {
    return too_many_families(name_at);
  }
  MetricFamilyInfo& family = families_[index];
  if (!check_special_label(sample, family, special, name_at)) return false;
  ++family.sample_count;
  out_.samples.push_back(std::move(sample));
  out_.sample_family.push_back(index);
  last_family_valid_ = true;
  return true;
}

bool TextParser::parse_labels(const char*& p, MetricSample& sample, SpecialLabels& special) {
  ++p;  // '{'
  skip_blanks(p);
  while (true) {
    if (p < line_end_ && *p == '}') {
      ++p;
      return true;
    }
    const char* label_at = p;
    if (!scan_name(p, false, "a label name or '}'")) return false;
    const std::string_view name(label_at, p - label_at);
    if (name == "__name__") return fail(label_at, "label name \"__name__\" is reserved");
    if (sample.labels.size() >= options_.max_labels_per_sample) {
      return fail(label_at, "more than " + std::to_string(options_.max_labels_per_sample) +
                                " labels in one sample");
    }
    for (const Label& label : sample.labels) {
      if (same(label.name, name)) {
        return fail(label_at, "duplicate label name \"" + std::string(name) + "\"");
      }
    }
    skip_blanks(p);
    if (p == line_end_ || *p != '=') {
      return expected(p, "'=' after the label name", describe_char(p, line_end_));
    }
    ++p;
    skip_blanks(p);
    if (p == line_end_ || *p != '"') {
      return expected(p, "'\"' to start the label value", describe_char(p, line_end_));
    }
    ++p;
    if (name == "le") special.le_at = p;
    if (name == "quantile") special.quantile_at = p;
    Label& label = sample.labels.emplace_back();
    label.name.assign(name);
    if (!parse_label_value(p, label.value)) return false;
    skip_blanks(p);
    if (p < line_end_ && *p == ',') {
      ++p;
      skip_blanks(p);
      continue;
    }
    if (p < line_end_ && *p == '}') {
      ++p;
      return true;
    }
    return expected(p, "',' or '}' after the label value", describe_char(p, line_end_));
  }
}

// From just after the opening quote to just after the closing one.
bool TextParser::parse_label_value(const char*& p, std::string& out) {
  const char* value_at = p;
  const char* run = p;
  while (true) {
    if (p == line_end_) return expected(p, "'\"' to end the label value", "end of line");
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') break;
    if (c == '\\') {
      out.append(run, p);
      const char* escape_at = p;
      ++p;
      if (p < line_end_ && (*p == '\\' || *p == '"' || *p == 'n')) {
        out += *p == 'n' ? '\n' : *p;
      } else {
        return expected(escape_at, "an escape sequence (\\\\, \\\" or \\n)",
                        "'\\' followed by " + describe_char(p, line_end_));
      }
      ++p;
      run = p;
    } else if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(p, line_end_);
      if (n == 0) return expected(p, "valid UTF-8 in the label value", describe_char(p, line_end_));
      p += n;
    } else {
      ++p;
    }
  }
  out.append(run, p);
  ++p;  // closing quote
  if (out.size() > options_.max_label_value_length) {
    return fail(value_at, "label value longer than " +
                              std::to_string(options_.max_label_value_length) + " bytes");
  }
  return true;
}

bool TextParser::check_special_label(const MetricSample& sample, const MetricFamilyInfo& family,
                                     const SpecialLabels& special, const char* name_at) {
  const bool histogram = family.type == MetricType::kHistogram;
  if (!histogram && family.type != MetricType::kSummary) return true;
  const std::string_view suffix = std::string_view(sample.name).substr(family.name.size());
  if (suffix == "_sum" || suffix == "_count") return true;
  const std::string_view label_name = histogram ? "le" : "quantile";
  const char* at = histogram ? special.le_at : special.quantile_at;
  const std::string_view what = histogram ? "histogram bucket" : "summary quantile";
  const auto it = std::find_if(sample.labels.begin(), sample.labels.end(),
                               [&](const Label& l) { return l.name == label_name; });
  if (it == sample.labels.end()) {
    return expected(name_at,
                    "a \"" + std::string(label_name) + "\" label on " + std::string(what) + " \"" +
                        sample.name + "\"",
                    "none");
  }
  if (!parse_float(it->value)) {
    return expected(at, "a float in label \"" + std::string(label_name) + "\"",
                    describe_token(it->value));
  }
  return true;
}

}  // namespace blockhealth::prometheus
