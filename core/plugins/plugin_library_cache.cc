#include "core/plugins/plugin_library_cache.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace blockhealth {
namespace {

std::string errno_text(int err) {
  return std::generic_category().message(err);
}

// The loader's message for the failed dlopen of `load_path`, without a
// leading "<load_path>: " (the caller names the file itself).
std::string loader_message(const std::filesystem::path& load_path,
                           const boost::dll::fs::error_code& ec) {
  const char* text = dlerror();
  std::string message = text != nullptr ? text : ec.message();
  const std::string prefix = load_path.string() + ": ";
  if (message.starts_with(prefix)) message.erase(0, prefix.size());
  return message;
}

std::filesystem::path private_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::filesystem::path base = (tmp != nullptr && tmp[0] == '/') ? tmp : "/tmp";
  return base / ("blockhealth-plugins-" + std::to_string(geteuid()));
}

// Creates `dir` 0700 or checks that an existing one is a real folder owned
// by us that nobody else can use. Returns the problem, or "" when fine.
std::string ensure_private_dir(const std::filesystem::path& dir) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return "cannot create " + dir.string() + ": " + errno_text(errno);
  }
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) return "cannot stat " + dir.string() + ": " + errno_text(errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
    return dir.string() + " is not a private folder (0700, owned by uid " +
           std::to_string(geteuid()) + ")";
  }
  return "";
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

PluginLibraryCache& PluginLibraryCache::instance() {
  // Leaked on purpose: see the header.
  static PluginLibraryCache* const cache = new PluginLibraryCache();
  return *cache;
}

Result<const boost::dll::shared_library*> PluginLibraryCache::map(const std::filesystem::path& file,
                                                                  FileIdentity id,
                                                                  std::string_view bytes,
                                                                  const std::string& digest) {
  const std::lock_guard lock(mutex_);
  if (auto it = by_digest_.find(digest); it != by_digest_.end()) return it->second.get();

  std::error_code ec;
  std::filesystem::path load_path = std::filesystem::absolute(file, ec).lexically_normal();
  if (ec) load_path = file;
  const std::pair inode_key{id.device, id.inode};
  Result<std::unique_ptr<boost::dll::shared_library>> library =
      (opened_paths_.contains(load_path.string()) || opened_inodes_.contains(inode_key))
          ? open_private_copy(file, bytes, digest)
          : open(file, load_path);
  if (!library) return library.error();
  opened_paths_.insert(load_path.string());
  opened_inodes_.insert(inode_key);
  const boost::dll::shared_library* raw = library->get();
  by_digest_.emplace(digest, std::move(*library));
  return raw;
}

Result<std::unique_ptr<boost::dll::shared_library>> PluginLibraryCache::open(
    const std::filesystem::path& file, const std::filesystem::path& load_path) {
  dlerror();  // clear a stale message
  boost::dll::fs::error_code ec;
  auto library = std::make_unique<boost::dll::shared_library>(
      load_path, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !library->is_loaded()) {
    return fail(file.string() + ": cannot load: " + loader_message(load_path, ec));
  }
  return library;
}

Result<std::unique_ptr<boost::dll::shared_library>> PluginLibraryCache::open_private_copy(
    const std::filesystem::path& file, std::string_view bytes, const std::string& digest) {
  const std::filesystem::path dir = private_dir();
  const std::string prefix = file.string() + ": cannot stage a private copy to load this version: ";
  if (std::string problem = ensure_private_dir(dir); !problem.empty())
    return fail(prefix + problem);
  std::string name = (dir / (digest + "-XXXXXX.so")).string();
  const int fd = mkostemps(name.data(), 3, O_CLOEXEC);
  if (fd < 0)
    return fail(prefix + "cannot create a file in " + dir.string() + ": " + errno_text(errno));
  const bool written = write_all(fd, bytes) && fchmod(fd, 0500) == 0;
  const int write_errno = errno;
  close(fd);
  if (!written) {
    unlink(name.c_str());
    return fail(prefix + "cannot write " + name + ": " + errno_text(write_errno));
  }
  // The mapping outlives the file's name; removing it leaves nothing behind.
  Result<std::unique_ptr<boost::dll::shared_library>> library = open(file, name);
  unlink(name.c_str());
  return library;
}

}  // namespace blockhealth
