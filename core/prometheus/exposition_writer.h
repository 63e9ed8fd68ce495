// Writing the Prometheus text exposition format 0.0.4 (what the daemon
// serves on /metrics). Every function appends to `out`; all are pure and
// thread-safe. The output passes `promtool check metrics` syntax checks as
// long as the REQUIRES below hold (linting, e.g. "counters end in _total",
// is the caller's business).
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_WRITER_H
#define BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_WRITER_H

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/model/observation.h"
#include "core/prometheus/metric_type.h"

namespace blockhealth::prometheus {

// The Content-Type to serve the text with.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

struct LabelView {
  std::string_view name;
  std::string_view value;
};

// "NaN", "+Inf", "-Inf", or the shortest decimal that reads back as the same
// double (std::to_chars), e.g. "86", "612.337", "1e+21".
void append_double(std::string& out, double value);

// `value` with \ " and line feed escaped as \\ \" \n. Invalid UTF-8 bytes
// are written as U+FFFD so that the output is always valid UTF-8.
void append_escaped_label_value(std::string& out, std::string_view value);

// "# HELP name text\n" with \ and line feed escaped; invalid UTF-8 as U+FFFD.
// REQUIRES: is_valid_metric_name(name).
void write_help(std::string& out, std::string_view name, std::string_view help);

// "# TYPE name type\n". REQUIRES: is_valid_metric_name(name).
void write_type(std::string& out, std::string_view name, MetricType type);

// "name{l1="v1",...} value[ timestamp_ms]\n"; no braces when `labels` is
// empty; the timestamp is written only when non-zero.
// REQUIRES: valid metric and label names, no label name twice.
void write_sample(std::string& out, std::string_view name, std::span<const LabelView> labels,
                  double value, std::int64_t timestamp_ms = 0);
void write_sample(std::string& out, const MetricSample& sample);

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_EXPOSITION_WRITER_H
