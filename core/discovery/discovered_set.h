// DiscoveredSet: the instances one discovery item contributes to its block:
// those of its last good target list, and those that vanished from it less
// than `grace` ago (kept with their last definition, so that a target that
// flickers out of a list for a moment keeps its instance and state).
// Not thread-safe: used by the discovery thread only.
#ifndef BLOCKHEALTH_CORE_DISCOVERY_DISCOVERED_SET_H
#define BLOCKHEALTH_CORE_DISCOVERY_DISCOVERED_SET_H

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace blockhealth {

class DiscoveredSet {
 public:
  explicit DiscoveredSet(std::chrono::milliseconds grace) : grace_(grace) {}

  // A new good list, read at now_ms. Instances no longer in it start their
  // grace; ones back in it end theirs. True when instances() changed.
  bool update(std::vector<InstanceConfig> list, std::int64_t now_ms);
  // Drops instances whose grace is over at now_ms; true when any was.
  // `dropped` (may be null) gets their ids.
  bool expire(std::int64_t now_ms, std::vector<std::string>* dropped = nullptr);
  // When the next grace ends; nullopt when none runs.
  std::optional<std::int64_t> next_expiry_ms() const;

  // The current list in its order, then the vanished ones by id.
  std::vector<InstanceConfig> instances() const;
  std::size_t listed() const { return current_.size(); }
  std::size_t vanished() const { return vanished_.size(); }

 private:
  struct Vanished {
    InstanceConfig config;
    std::int64_t since_ms;
  };
  std::chrono::milliseconds grace_;
  std::vector<InstanceConfig> current_;
  std::map<std::string, Vanished> vanished_;  // by id
};

// Same id, URLs, log file, labels and role (positions are not compared).
bool same_instance(const InstanceConfig& a, const InstanceConfig& b);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_DISCOVERY_DISCOVERED_SET_H
