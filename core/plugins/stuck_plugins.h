// StuckPlugins: the plugin files with a create() or destroy() call that
// overran its deadline and has not returned yet. Such a plugin is not
// called again (no new instance is created, no other instance destroyed)
// until every one of those calls has returned, so a plugin that hangs ties
// up one thread, not one per reload.
#ifndef BLOCKHEALTH_CORE_PLUGINS_STUCK_PLUGINS_H
#define BLOCKHEALTH_CORE_PLUGINS_STUCK_PLUGINS_H

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace blockhealth {

class StuckPlugins {
 public:
  // The process's registry (plugins are process-wide too).
  static StuckPlugins& instance();

  // One more call into the plugin with `content_hash` is stuck; `reason`
  // (e.g. "its create() did not return within 2s") is kept from the first.
  void mark(const std::string& content_hash, std::string reason);
  // One of those calls returned.
  void clear(const std::string& content_hash);
  // Why the plugin is not called, while any call into it is stuck.
  std::optional<std::string> reason(const std::string& content_hash) const;

 private:
  struct Entry {
    std::string reason;
    int calls = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> stuck_;  // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_STUCK_PLUGINS_H
