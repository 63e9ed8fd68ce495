#include "core/prometheus/names.h"

#include <algorithm>

namespace blockhealth::prometheus {

bool is_valid_metric_name(std::string_view name) {
  return !name.empty() && is_metric_name_start(name.front()) &&
         std::all_of(name.begin() + 1, name.end(), is_metric_name_char);
}

bool is_valid_label_name(std::string_view name) {
  return !name.empty() && is_label_name_start(name.front()) &&
         std::all_of(name.begin() + 1, name.end(), is_label_name_char);
}

}  // namespace blockhealth::prometheus
