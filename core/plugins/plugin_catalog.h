// PluginCatalog: the policies found in the configured plugin folders.
#ifndef BLOCKHEALTH_CORE_PLUGINS_PLUGIN_CATALOG_H
#define BLOCKHEALTH_CORE_PLUGINS_PLUGIN_CATALOG_H

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/plugins/policy_plugin.h"

namespace blockhealth {

// A file the catalog refused, and why (message names the file).
struct PluginProblem {
  std::filesystem::path path;
  std::string message;
};

// Immutable after scan(); safe for concurrent reads.
class PluginCatalog {
 public:
  // Scans each folder in order (not recursively) for "*.so", files sorted by
  // name, and loads each with load_policy_plugin. A refused file becomes a
  // PluginProblem and the scan goes on. When two files declare the same
  // policy name the first one found wins and the second is a problem naming
  // both paths. A folder that is missing or writable by others is a problem
  // too (and none of its files is loaded). [control-thread]
  static PluginCatalog scan(const std::vector<std::filesystem::path>& dirs);

  // nullptr when no loaded plugin has that name.
  PolicyPluginConstSharedPtr find(std::string_view name) const;
  const std::vector<PolicyPluginConstSharedPtr>& plugins() const { return plugins_; }
  const std::vector<PluginProblem>& problems() const { return problems_; }

 private:
  std::vector<PolicyPluginConstSharedPtr> plugins_;
  std::vector<PluginProblem> problems_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_PLUGIN_CATALOG_H
