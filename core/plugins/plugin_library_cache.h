// PluginLibraryCache: every policy library this process has mapped, keyed by
// the content hash of its file. Implements "never rely on dlclose": a mapped
// library is never unloaded, and a plugin file replaced by a new version is
// mapped again as a new library instead of being reopened.
#ifndef BLOCKHEALTH_CORE_PLUGINS_PLUGIN_LIBRARY_CACHE_H
#define BLOCKHEALTH_CORE_PLUGINS_PLUGIN_LIBRARY_CACHE_H

#include <sys/types.h>

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "core/util/result.h"

namespace blockhealth {

// Which file on disk: st_dev and st_ino.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
};

// Thread-safe (one mutex; mapping happens on the control thread anyway).
class PluginLibraryCache {
 public:
  // The process-wide cache: created on first use and deliberately leaked, so
  // that no library is ever dlclose'd, not even during static destruction at
  // exit (instances of the plugin may still be alive then).
  static PluginLibraryCache& instance();

  // Returns the library whose file content is exactly `bytes` (read from
  // `file`, identity `id`, content hash `digest`), mapping it if needed with
  // RTLD_NOW | RTLD_LOCAL:
  // - a digest mapped before returns that mapping (same bytes, same code);
  // - else `file` itself is dlopen'ed when neither its path nor its inode was
  //   dlopen'ed before;
  // - else (a new version at a path or inode already mapped, which dlopen
  //   would answer with the OLD mapping) `bytes` are copied to a private
  //   file $TMPDIR/blockhealth-plugins-<euid>/<digest>-XXXXXX.so (folder
  //   0700, must be ours), that copy is dlopen'ed and then unlinked.
  // The returned library lives until the process exits. On failure the
  // message starts with `file` and carries the loader's (dlerror) text, e.g.
  // "<file>: cannot load: libfoo.so: cannot open shared object file: ...".
  Result<const boost::dll::shared_library*> map(const std::filesystem::path& file, FileIdentity id,
                                                std::string_view bytes, const std::string& digest);

 private:
  PluginLibraryCache() = default;

  Result<std::unique_ptr<boost::dll::shared_library>> open(const std::filesystem::path& file,
                                                           const std::filesystem::path& load_path);
  Result<std::unique_ptr<boost::dll::shared_library>> open_private_copy(
      const std::filesystem::path& file, std::string_view bytes, const std::string& digest);

  std::mutex mutex_;
  // Never erased. GUARDED_BY(mutex_)
  std::map<std::string, std::unique_ptr<boost::dll::shared_library>, std::less<>> by_digest_;
  std::set<std::string> opened_paths_;               // GUARDED_BY(mutex_)
  std::set<std::pair<dev_t, ino_t>> opened_inodes_;  // GUARDED_BY(mutex_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_PLUGIN_LIBRARY_CACHE_H
