#include "core/prometheus/exposition_parser.h"

#include <algorithm>

#include "core/prometheus/text_parser.h"

namespace blockhealth::prometheus {

const MetricFamilyInfo* ParsedExposition::find_family(std::string_view name) const {
  const auto it = std::find_if(families.begin(), families.end(),
                               [&](const MetricFamilyInfo& f) { return f.name == name; });
  return it == families.end() ? nullptr : &*it;
}

Result<ParsedExposition> parse_exposition(std::string_view text, const ParseOptions& options) {
  return TextParser(text, options).run();
}

}  // namespace blockhealth::prometheus
