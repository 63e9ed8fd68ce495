#include "core/plugins/plugin_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <system_error>

#include "core/util/text.h"

namespace blockhealth {
namespace {

// The "*.so" files directly in `dir`, sorted by name; or the problem with
// the folder itself.
Result<std::vector<std::filesystem::path>> list_plugin_files(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(dir.string() + ": plugin folder does not exist");
    return fail(dir.string() +
                ": cannot read plugin folder: " + std::generic_category().message(errno));
  }
  if (!S_ISDIR(st.st_mode)) return fail(dir.string() + ": plugin folder is not a folder");
  if ((st.st_mode & S_IWOTH) != 0) {
    return fail(dir.string() + ": plugin folder is writable by others (mode " +
                file_mode_text(st.st_mode) + "); none of its plugins is loaded");
  }
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& path = it->path();
    if (path.extension() == ".so" && path.filename() != ".so") files.push_back(path);
  }
  if (ec) return fail(dir.string() + ": cannot list plugin folder: " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return files;
}

}  // namespace

PluginCatalog PluginCatalog::scan(const std::vector<std::filesystem::path>& dirs) {
  PluginCatalog catalog;
  std::map<std::string, std::filesystem::path, std::less<>> seen;  // name -> first file
  for (const std::filesystem::path& dir : dirs) {
    Result<std::vector<std::filesystem::path>> files = list_plugin_files(dir);
    if (!files) {
      catalog.problems_.push_back(PluginProblem{dir, files.error().message});
      continue;
    }
    for (const std::filesystem::path& file : *files) {
      Result<PolicyPluginConstSharedPtr> plugin = load_policy_plugin(file);
      if (!plugin) {
        catalog.problems_.push_back(PluginProblem{file, plugin.error().message});
        continue;
      }
      const std::string& name = (*plugin)->name();
      if (auto it = seen.find(name); it != seen.end()) {
        catalog.problems_.push_back(PluginProblem{file, file.string() + ": policy name '" + name +
                                                            "' is already provided by " +
                                                            it->second.string()});
        continue;
      }
      seen.emplace(name, file);
      catalog.plugins_.push_back(std::move(*plugin));
    }
  }
  return catalog;
}

PolicyPluginConstSharedPtr PluginCatalog::find(std::string_view name) const {
  for (const PolicyPluginConstSharedPtr& plugin : plugins_) {
    if (plugin->name() == name) return plugin;
  }
  return nullptr;
}

}  // namespace blockhealth
