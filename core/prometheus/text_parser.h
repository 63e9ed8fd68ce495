// The state machine behind parse_exposition() (exposition_parser.h): one
// object parses one text, line by line. Internal to core/prometheus; not
// thread-safe. Comment lines are handled in text_parser.cc, sample lines in
// text_parser_samples.cc.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_TEXT_PARSER_H
#define BLOCKHEALTH_CORE_PROMETHEUS_TEXT_PARSER_H

#include <cstddef>
#include <string>
#include <string_view>

#include "core/prometheus/exposition_parser.h"
#include "core/prometheus/family_table.h"

namespace blockhealth::prometheus {

class TextParser {
 public:
  TextParser(std::string_view text, const ParseOptions& options)
      : text_(text), options_(options), families_(options.max_families) {}

  Result<ParsedExposition> run();

 private:
  // Where the value of a label that the family type gives a meaning to starts.
  struct SpecialLabels {
    const char* le_at = nullptr;
    const char* quantile_at = nullptr;
  };

  bool parse_line();
  bool parse_comment(const char* p);
  bool parse_sample(const char* p);
  bool parse_labels(const char*& p, MetricSample& sample, SpecialLabels& special);
  bool parse_label_value(const char*& p, std::string& out);
  bool parse_help_text(const char* p, std::string& out);
  bool scan_name(const char*& p, bool metric, std::string_view what);
  bool check_special_label(const MetricSample& sample, const MetricFamilyInfo& family,
                           const SpecialLabels& special, const char* name_at);

  bool too_many_families(const char* at) {
    return fail(at, "more than " + std::to_string(families_.max_families()) + " metric families");
  }

  static constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }
  void skip_blanks(const char*& p) const {
    while (p < line_end_ && is_blank(*p)) ++p;
  }
  bool fail(const char* at, const std::string& message);
  bool expected(const char* at, std::string_view what, const std::string& got) {
    return fail(at, "expected " + std::string(what) + ", got " + got);
  }

  std::string_view text_;
  const ParseOptions& options_;
  std::size_t line_number_ = 0;
  const char* line_begin_ = nullptr;
  const char* line_end_ = nullptr;  // excludes "\n" and a "\r" before it
  std::string error_;
  ParsedExposition out_;
  FamilyTable families_;
  // Whether the previous sample's family is still right for a sample of the
  // same name (a TYPE line in between may have created its base family).
  bool last_family_valid_ = false;
};

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_TEXT_PARSER_H
