// Character classes and validity of metric and label names, per the
// exposition format: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names
// [a-zA-Z_][a-zA-Z0-9_]*. Pure functions, thread-safe.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_NAMES_H
#define BLOCKHEALTH_CORE_PROMETHEUS_NAMES_H

#include <string_view>

namespace blockhealth::prometheus {

constexpr bool is_label_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool is_label_name_char(char c) {
  return is_label_name_start(c) || (c >= '0' && c <= '9');
}
constexpr bool is_metric_name_start(char c) {
  return is_label_name_start(c) || c == ':';
}
constexpr bool is_metric_name_char(char c) {
  return is_label_name_char(c) || c == ':';
}

bool is_valid_metric_name(std::string_view name);

// Syntax only: names starting with "__" are valid syntax but reserved for
// Prometheus itself (see is_reserved_label_name).
bool is_valid_label_name(std::string_view name);

// "__name__" and every other label name that starts with "__".
constexpr bool is_reserved_label_name(std::string_view name) {
  return name.starts_with("__");
}

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_NAMES_H
