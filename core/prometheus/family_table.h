// The metric families met while parsing one exposition, and which family a
// sample belongs to (rules in exposition_parser.h). Internal to the parser;
// not thread-safe (one per parse).
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_FAMILY_TABLE_H
#define BLOCKHEALTH_CORE_PROMETHEUS_FAMILY_TABLE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/prometheus/exposition_parser.h"

namespace blockhealth::prometheus {

class FamilyTable {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  explicit FamilyTable(std::size_t max_families);

  // The family named exactly `name`, or kNone. O(1) expected.
  std::uint32_t find(std::string_view name) const;
  // Appends an untyped family; kNone when max_families are there already.
  // REQUIRES: find(name) == kNone.
  std::uint32_t create(std::string_view name);
  // The family a sample named `name` belongs to, created if need be; kNone
  // when it would need creating and max_families are there already.
  std::uint32_t for_sample(std::string_view name);

  std::size_t max_families() const { return max_families_; }
  MetricFamilyInfo& operator[](std::uint32_t index) { return families_[index]; }
  // Moves the families out; the table is then empty.
  std::vector<MetricFamilyInfo> release() { return std::move(families_); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  std::size_t max_families_;
  std::vector<MetricFamilyInfo> families_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> index_;
};

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_FAMILY_TABLE_H
