// Parser for the Prometheus text exposition format 0.0.4, the text that
// dcgm-exporter, node_exporter and the Prometheus client libraries serve on
// /metrics. Used on untrusted input (pushed bodies, scraped pages).
//
// Accepted syntax, as the Go parser (prometheus/common expfmt) accepts it:
// `# HELP name text` (escapes \\ and \n; other backslashes are kept as is),
// `# TYPE name counter|gauge|histogram|summary|untyped` (case-insensitive),
// other `#` lines are comments, blank lines are skipped, "\r\n" endings and
// a missing final line break are tolerated; samples are
// `name{label="value",...} value [timestamp_ms]` with blanks or tabs
// between tokens, label values escaped with \\ \" \n, an optional trailing
// comma in the label set, values as Go's ParseFloat accepts them (NaN, +Inf,
// -Inf, exponents, integers beyond 2^53 rounded to a double) and an optional
// int64 timestamp in milliseconds.
//
// Rejected, failing the whole parse at the first offending line (as a
// Prometheus scrape fails): any syntax error, a NUL byte anywhere, invalid
// UTF-8 in a label value or HELP text, a label named "__name__", the same
// label twice in one sample, a second TYPE or HELP line for one family, a
// TYPE line after samples of its family, a histogram bucket without a float
// `le` label, a summary quantile without a float `quantile` label, and
// anything beyond ParseOptions.
//
// Families: a sample belongs to the family whose TYPE/HELP or first sample
// named it. `x_bucket` belongs to `x` when `x` is a histogram; `x_sum` and
// `x_count` belong to `x` when `x` is a histogram or a summary; any other
// sample name with no family yet starts an untyped family of that name.
//
// Complexity: one pass over the input, O(input bytes + samples x labels^2)
// time (labels per sample are bounded by ParseOptions), one hash lookup per
// sample whose name differs from the previous sample's. No regex; the only
// allocations are the output strings and vectors. Memory is bounded by the
// input size and ParseOptions::max_samples; callers bound the input size.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_PARSER_H
#define BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_PARSER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"
#include "core/prometheus/metric_type.h"
#include "core/util/result.h"

namespace blockhealth::prometheus {

// Limits on untrusted input. Exceeding one fails the parse with a message
// naming the limit.
struct ParseOptions {
  std::size_t max_line_length = std::size_t{64} * 1024;  // bytes, without the line break
  std::size_t max_samples = 200'000;
  std::size_t max_families = 20'000;
  std::size_t max_labels_per_sample = 64;
  std::size_t max_name_length = 1024;                           // metric and label names, bytes
  std::size_t max_label_value_length = std::size_t{16} * 1024;  // bytes, after unescaping
};

struct MetricFamilyInfo {
  std::string name;
  MetricType type = MetricType::kUntyped;
  std::string help;       // unescaped; empty when has_help is false
  bool has_type = false;  // a TYPE line named this family
  bool has_help = false;  // a HELP line named this family
  std::size_t sample_count = 0;
};

struct ParsedExposition {
  std::vector<MetricSample> samples;  // in input order; timestamp_ms = 0 when absent
  // sample_family[i] is the index in `families` of samples[i]'s family.
  std::vector<std::uint32_t> sample_family;
  std::vector<MetricFamilyInfo> families;  // in order of first mention

  // REQUIRES: sample_index < samples.size().
  const MetricFamilyInfo& family_of(std::size_t sample_index) const {
    return families[sample_family[sample_index]];
  }
  // The family named exactly `name`, or nullptr. O(families).
  const MetricFamilyInfo* find_family(std::string_view name) const;
};

// Parses a whole exposition. On error, returns
// Error{"line L, column C: <what was expected>, got <what was there>"} (or
// "line L, column C: <limit or rule broken>") with 1-based line and byte
// column, and no partial result. Never throws for any input bytes except
// std::bad_alloc. Thread-safe (no shared state).
Result<ParsedExposition> parse_exposition(std::string_view text, const ParseOptions& options = {});

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_PARSER_H
