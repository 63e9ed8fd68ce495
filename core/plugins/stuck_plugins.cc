#include "core/plugins/stuck_plugins.h"

#include <utility>

namespace blockhealth {

StuckPlugins& StuckPlugins::instance() {
  static StuckPlugins* const registry = new StuckPlugins();  // outlives stuck threads
  return *registry;
}

void StuckPlugins::mark(const std::string& content_hash, std::string reason) {
  std::lock_guard lock(mu_);
  Entry& entry = stuck_[content_hash];
  if (entry.calls++ == 0) entry.reason = std::move(reason);
}

void StuckPlugins::clear(const std::string& content_hash) {
  std::lock_guard lock(mu_);
  auto it = stuck_.find(content_hash);
  if (it != stuck_.end() && --it->second.calls <= 0) stuck_.erase(it);
}

std::optional<std::string> StuckPlugins::reason(const std::string& content_hash) const {
  std::lock_guard lock(mu_);
  auto it = stuck_.find(content_hash);
  if (it == stuck_.end()) return std::nullopt;
  return it->second.reason;
}

}  // namespace blockhealth
