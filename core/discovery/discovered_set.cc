#include "core/discovery/discovered_set.h"

#include <algorithm>
#include <set>

namespace blockhealth {

bool same_instance(const InstanceConfig& a, const InstanceConfig& b) {
  return a.id == b.id && a.health_url == b.health_url && a.metrics_url == b.metrics_url &&
         a.log_file == b.log_file && a.labels == b.labels && a.executor == b.executor &&
         a.discovered_by == b.discovered_by && a.tls == b.tls;
}

bool DiscoveredSet::update(std::vector<InstanceConfig> list, std::int64_t now_ms) {
  bool changed = list.size() != current_.size() ||
                 !std::equal(list.begin(), list.end(), current_.begin(), same_instance);
  std::set<std::string> listed;
  for (const InstanceConfig& in : list) listed.insert(in.id);
  for (InstanceConfig& old : current_) {
    if (listed.count(old.id) == 0) {
      std::string id = old.id;  // not old.id: the config is moved from first
      vanished_.insert_or_assign(std::move(id), Vanished{std::move(old), now_ms});
    }
  }
  for (const std::string& id : listed) changed = vanished_.erase(id) != 0 || changed;
  current_ = std::move(list);
  return changed;
}

bool DiscoveredSet::expire(std::int64_t now_ms, std::vector<std::string>* dropped) {
  bool any = false;
  for (auto it = vanished_.begin(); it != vanished_.end();) {
    if (now_ms - it->second.since_ms >= grace_.count()) {
      if (dropped != nullptr) dropped->push_back(it->first);
      it = vanished_.erase(it);
      any = true;
    } else {
      ++it;
    }
  }
  return any;
}

std::optional<std::int64_t> DiscoveredSet::next_expiry_ms() const {
  std::optional<std::int64_t> next;
  for (const auto& [id, v] : vanished_) {
    const std::int64_t at = v.since_ms + grace_.count();
    if (!next || at < *next) next = at;
  }
  return next;
}

std::vector<InstanceConfig> DiscoveredSet::instances() const {
  std::vector<InstanceConfig> out = current_;
  for (const auto& [id, v] : vanished_) out.push_back(v.config);
  return out;
}

}  // namespace blockhealth
