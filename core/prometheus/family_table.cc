#include "core/prometheus/family_table.h"

#include <algorithm>
#include <utility>

namespace blockhealth::prometheus {

FamilyTable::FamilyTable(std::size_t max_families)
    : max_families_(std::min<std::size_t>(max_families, kNone)) {}

std::uint32_t FamilyTable::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? kNone : it->second;
}

std::uint32_t FamilyTable::create(std::string_view name) {
  if (families_.size() >= max_families_) return kNone;
  const auto index = static_cast<std::uint32_t>(families_.size());
  families_.push_back(MetricFamilyInfo{.name = std::string(name)});
  index_.emplace(std::string(name), index);
  return index;
}

std::uint32_t FamilyTable::for_sample(std::string_view name) {
  // name_bucket belongs to a histogram `name`; name_sum and name_count to a
  // histogram or a summary `name`.
  const auto base_of_type = [&](std::string_view suffix, bool summary_too) {
    if (!name.ends_with(suffix)) return kNone;
    const std::uint32_t index = find(name.substr(0, name.size() - suffix.size()));
    if (index == kNone) return kNone;
    const MetricType type = families_[index].type;
    const bool fits =
        type == MetricType::kHistogram || (summary_too && type == MetricType::kSummary);
    return fits ? index : kNone;
  };
  std::uint32_t index = base_of_type("_bucket", false);
  if (index == kNone) index = base_of_type("_sum", true);
  if (index == kNone) index = base_of_type("_count", true);
  if (index == kNone) index = find(name);
  if (index == kNone) index = create(name);
  return index;
}

}  // namespace blockhealth::prometheus
