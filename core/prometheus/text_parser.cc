// Splitting into lines, limits on lines, comment/HELP/TYPE lines, names.
#include "core/prometheus/text_parser.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "core/prometheus/names.h"
#include "core/prometheus/parse_messages.h"
#include "core/util/text.h"

namespace blockhealth::prometheus {

namespace {

std::optional<MetricType> parse_type(std::string_view token) {
  for (MetricType t : {MetricType::kCounter, MetricType::kGauge, MetricType::kHistogram,
                       MetricType::kSummary, MetricType::kUntyped}) {
    if (equals_ignoring_ascii_case(token, to_string(t))) return t;
  }
  return std::nullopt;
}

}  // namespace

bool TextParser::fail(const char* at, const std::string& message) {
  error_ = "line " + std::to_string(line_number_) + ", column " +
           std::to_string(at - line_begin_ + 1) + ": " + message;
  return false;
}

Result<ParsedExposition> TextParser::run() {
  const char* pos = text_.data();
  const char* const end = text_.data() + text_.size();
  const std::size_t max_line = options_.max_line_length;
  // Room for the line, "\r" and "\n"; saturating.
  const std::size_t window_max = max_line > SIZE_MAX - 2 ? SIZE_MAX : max_line + 2;
  while (pos < end) {
    ++line_number_;
    line_begin_ = pos;
    const auto remaining = static_cast<std::size_t>(end - pos);
    const std::size_t window = std::min(remaining, window_max);
    const auto* newline = static_cast<const char*>(std::memchr(pos, '\n', window));
    const char* next = nullptr;
    if (newline != nullptr) {
      line_end_ = newline;
      next = newline + 1;
    } else if (window == remaining) {
      line_end_ = end;  // last line, without a final line break
      next = end;
    } else {
      line_end_ = pos + window;
      next = end;
    }
    if (line_end_ > line_begin_ && line_end_[-1] == '\r') --line_end_;
    if (static_cast<std::size_t>(line_end_ - line_begin_) > max_line) {
      fail(line_begin_ + max_line, "line longer than " + std::to_string(max_line) + " bytes");
      return Error{error_};
    }
    if (const void* nul = std::memchr(line_begin_, '\0', line_end_ - line_begin_)) {
      fail(static_cast<const char*>(nul), "unexpected NUL byte");
      return Error{error_};
    }
    if (!parse_line()) return Error{error_};
    pos = next;
  }
  out_.families = families_.release();
  return std::move(out_);
}

bool TextParser::parse_line() {
  const char* p = line_begin_;
  skip_blanks(p);
  if (p == line_end_) return true;
  if (*p == '#') return parse_comment(p + 1);
  return parse_sample(p);
}

bool TextParser::scan_name(const char*& p, bool metric, std::string_view what) {
  const char* start = p;
  if (p == line_end_ || !(metric ? is_metric_name_start(*p) : is_label_name_start(*p))) {
    return expected(p, what, describe_char(p, line_end_));
  }
  ++p;
  while (p < line_end_ && (metric ? is_metric_name_char(*p) : is_label_name_char(*p))) ++p;
  if (static_cast<std::size_t>(p - start) > options_.max_name_length) {
    return fail(start, std::string(metric ? "metric" : "label") + " name longer than " +
                           std::to_string(options_.max_name_length) + " bytes");
  }
  return true;
}

bool TextParser::parse_comment(const char* p) {
  skip_blanks(p);
  const char* keyword_begin = p;
  while (p < line_end_ && !is_blank(*p)) ++p;
  const std::string_view keyword(keyword_begin, p - keyword_begin);
  const bool is_help = keyword == "HELP";
  if (!is_help && keyword != "TYPE") return true;  // a plain comment
  skip_blanks(p);
  if (p == line_end_) return true;  // "# HELP" alone is a comment too, as in expfmt

  const char* name_at = p;
  if (!scan_name(p, true, "a metric name after " + std::string(keyword))) return false;
  const std::string_view name(name_at, p - name_at);
  if (p < line_end_ && !is_blank(*p)) {
    return expected(p, "a blank after the metric name", describe_char(p, line_end_));
  }
  skip_blanks(p);

  if (is_help) {
    std::string help;
    if (!parse_help_text(p, help)) return false;
    std::uint32_t index = families_.find(name);
    if (index == FamilyTable::kNone && (index = families_.create(name)) == FamilyTable::kNone) {
      return too_many_families(name_at);
    }
    MetricFamilyInfo& family = families_[index];
    if (family.has_help) {
      return fail(name_at, "second HELP line for metric family \"" + std::string(name) + "\"");
    }
    family.help = std::move(help);
    family.has_help = true;
    return true;
  }

  const char* type_at = p;
  while (p < line_end_ && !is_blank(*p)) ++p;
  const std::string_view type_token(type_at, p - type_at);
  if (type_token.empty()) return expected(p, "a metric type", "end of line");
  const std::optional<MetricType> type = parse_type(type_token);
  if (!type) {
    return expected(type_at, "counter, gauge, histogram, summary or untyped",
                    describe_token(type_token));
  }
  skip_blanks(p);
  if (p != line_end_) {
    return expected(p, "end of line after the metric type", describe_char(p, line_end_));
  }
  std::uint32_t index = families_.find(name);
  if (index == FamilyTable::kNone) {
    if ((index = families_.create(name)) == FamilyTable::kNone) return too_many_families(name_at);
  } else if (families_[index].has_type) {
    return fail(name_at, "second TYPE line for metric family \"" + std::string(name) + "\"");
  } else if (families_[index].sample_count > 0) {
    return fail(name_at,
                "TYPE line for metric family \"" + std::string(name) + "\" after its samples");
  }
  families_[index].type = *type;
  families_[index].has_type = true;
  last_family_valid_ = false;
  return true;
}

// The rest of a HELP line: unescapes "\\" and "\n", keeps any other
// backslash as is (as Prometheus' scraper does), requires valid UTF-8.
bool TextParser::parse_help_text(const char* p, std::string& out) {
  const char* run = p;
  while (p < line_end_) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '\\' && p + 1 < line_end_ && (p[1] == '\\' || p[1] == 'n')) {
      out.append(run, p);
      out += p[1] == 'n' ? '\n' : '\\';
      p += 2;
      run = p;
    } else if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(p, line_end_);
      if (n == 0) return expected(p, "valid UTF-8 in the HELP text", describe_char(p, line_end_));
      p += n;
    } else {
      ++p;
    }
  }
  out.append(run, p);
  return true;
}

}  // namespace blockhealth::prometheus
