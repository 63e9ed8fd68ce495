#include "core/state/state_dir.h"

#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace blockhealth {

namespace fs = std::filesystem;

Result<void> prepare_state_dir(const fs::path& dir) {
  if (dir.empty()) {
    return fail("state_dir is empty: set state_dir: to a folder the daemon can write");
  }
  const std::string name = dir.string();
  std::error_code ec;
  const fs::file_status status = fs::status(dir, ec);
  if (ec && status.type() != fs::file_type::not_found) {
    return fail("state_dir " + name + ": " + ec.message());
  }
  if (status.type() == fs::file_type::not_found) {
    fs::create_directories(dir, ec);
    if (ec) {
      return fail("cannot create state_dir " + name + ": " + ec.message() +
                  "; create it, or set state_dir: to a folder the daemon can write");
    }
    fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec,
                    fs::perm_options::replace, ec);
    if (ec) return fail("cannot set the mode of state_dir " + name + ": " + ec.message());
  } else if (status.type() != fs::file_type::directory) {
    return fail("state_dir " + name +
                " is not a folder: set state_dir: to a folder (it is created when missing)");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return fail("state_dir " + name + " is not writable (" +
                std::error_code(errno, std::generic_category()).message() +
                "): give the daemon's user write access to it, or set state_dir: to another "
                "folder");
  }
  return {};
}

}  // namespace blockhealth
