#include "core/plugins/policy_plugin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <system_error>
#include <vector>

#include "core/plugins/content_hash.h"
#include "core/plugins/elf_check.h"
#include "core/plugins/json_schema.h"
#include "core/plugins/loaded_policy_plugin.h"
#include "core/plugins/plugin_library_cache.h"
#include "core/util/text.h"

namespace blockhealth {
namespace {

constexpr off_t kMaxPluginBytes = off_t{1} << 30;  // 1 GiB

std::string abi_text(std::uint32_t major, std::uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

bool valid_policy_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A file read whole through one descriptor, so the checks and the hash all
// see the same bytes.
struct PluginFile {
  std::string bytes;
  struct stat st {};
};

Result<PluginFile> read_plugin_file(const std::filesystem::path& file) {
  const std::string where = file.string() + ": ";
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(where + "cannot open: " + std::generic_category().message(errno));
  PluginFile out;
  if (fstat(fd, &out.st) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(where + "cannot stat: " + std::generic_category().message(err));
  }
  if (!S_ISREG(out.st.st_mode)) {
    ::close(fd);
    return fail(where + "not a regular file");
  }
  if (out.st.st_size > kMaxPluginBytes) {
    ::close(fd);
    return fail(where + "too large for a policy (" + std::to_string(out.st.st_size) + " bytes)");
  }
  out.bytes.resize(static_cast<std::size_t>(out.st.st_size));
  std::size_t done = 0;
  while (done < out.bytes.size()) {
    const ssize_t n = ::read(fd, out.bytes.data() + done, out.bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return fail(where + "cannot read: " + std::generic_category().message(err));
    }
    if (n == 0) break;  // shrank while we read: check what we got
    done += static_cast<std::size_t>(n);
  }
  out.bytes.resize(done);
  ::close(fd);
  return out;
}

// Refuses a file or folder that anyone may write: a policy runs inside the
// daemon with all of its rights.
Result<void> check_permissions(const std::filesystem::path& file, const struct stat& st) {
  if ((st.st_mode & S_IWOTH) != 0) {
    return fail(file.string() + ": writable by others (mode " + file_mode_text(st.st_mode) +
                "); refusing to load it (chmod o-w)");
  }
  // The folder the name is in, and, for a symbolic link, the folder of the
  // file it leads to: anyone who may write either may swap what is loaded.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::absolute(file, ec).parent_path();
  if (ec) dir = file.parent_path();
  std::vector<std::filesystem::path> dirs{dir};
  if (std::filesystem::is_symlink(file, ec)) {
    const std::filesystem::path target = std::filesystem::canonical(file, ec);
    if (!ec && target.parent_path() != dir) dirs.push_back(target.parent_path());
  }
  for (const std::filesystem::path& d : dirs) {
    struct stat dir_st {};
    if (::stat(d.c_str(), &dir_st) != 0) {
      return fail(file.string() + ": cannot stat its folder " + d.string() + ": " +
                  std::generic_category().message(errno));
    }
    if ((dir_st.st_mode & S_IWOTH) != 0) {
      return fail(file.string() + ": its folder " + d.string() + " is writable by others (mode " +
                  file_mode_text(dir_st.st_mode) + "); refusing to load from it");
    }
  }
  return {};
}

// Checks the table an entry point returned and turns it into a plugin.
Result<PolicyPluginConstSharedPtr> check_table(const std::filesystem::path& file,
                                               const bh_policy_v1* table, std::string digest) {
  const std::string where = file.string() + ": ";
  const std::string host_abi = abi_text(BH_ABI_MAJOR, BH_ABI_MINOR);
  if (table == nullptr)
    return fail(where + "bh_policy_entry refused this host (ABI " + host_abi + ")");
  const std::string plugin_abi = abi_text(table->abi_major, table->abi_minor);
  if (table->abi_major != BH_ABI_MAJOR) {
    return fail(where + "built for policy ABI " + plugin_abi + ", this host has ABI " + host_abi +
                " (major versions differ)");
  }
  if (table->abi_minor > BH_ABI_MINOR) {
    return fail(where + "built for policy ABI " + plugin_abi + ", newer than this host's ABI " +
                host_abi + "; upgrade blockhealthd or rebuild the policy against ABI " + host_abi);
  }
  if (table->struct_size < kPolicyV1MinSize) {
    return fail(where + "bh_policy_v1.struct_size is " + std::to_string(table->struct_size) +
                ", too small: ABI " + plugin_abi + " needs at least " +
                std::to_string(kPolicyV1MinSize));
  }
  LoadedPolicyPlugin::Parts parts;
  std::memcpy(&parts.table, table, std::min<std::size_t>(table->struct_size, sizeof(bh_policy_v1)));
  const bh_policy_v1& t = parts.table;
  if (t.create == nullptr) return fail(where + "missing required function create");
  if (t.evaluate == nullptr) return fail(where + "missing required function evaluate");
  if (t.destroy == nullptr) return fail(where + "missing required function destroy");
  if (t.name == nullptr) return fail(where + "policy name is NULL");
  if (!valid_policy_name(t.name)) {
    return fail(where + "invalid policy name '" +
                sanitize_utf8(std::string_view(t.name).substr(0, 80)) +
                "': use 1 to 64 characters of [a-z0-9_]");
  }
  if (t.version == nullptr) return fail(where + "policy version is NULL");
  parts.name = t.name;
  parts.version = sanitize_utf8(t.version);
  parts.description = t.description == nullptr ? "" : sanitize_utf8(t.description);
  if (t.params_schema != nullptr) {
    parts.params_schema = t.params_schema;
    Result<JsonSchemaConstSharedPtr> schema = JsonSchema::compile(parts.params_schema);
    if (!schema) return fail(where + "params_schema is " + schema.error().message);
    parts.schema = std::move(*schema);
  }
  parts.path = file;
  parts.content_hash = std::move(digest);
  return PolicyPluginConstSharedPtr(std::make_shared<LoadedPolicyPlugin>(std::move(parts)));
}

Result<PolicyPluginConstSharedPtr> load(const std::filesystem::path& file) {
  Result<PluginFile> read = read_plugin_file(file);
  if (!read) return read.error();
  if (std::optional<std::string> problem = elf_problem(read->bytes)) {
    return fail(file.string() + ": " + *problem);
  }
  if (Result<void> allowed = check_permissions(file, read->st); !allowed) return allowed.error();

  std::string digest = content_hash(read->bytes);
  Result<const boost::dll::shared_library*> library = PluginLibraryCache::instance().map(
      file, FileIdentity{read->st.st_dev, read->st.st_ino}, read->bytes, digest);
  if (!library) return library.error();
  if (!(*library)->has(BH_POLICY_ENTRY_SYMBOL)) {
    return fail(file.string() + ": missing symbol " BH_POLICY_ENTRY_SYMBOL);
  }
  const auto entry =
      (*library)->get<const bh_policy_v1*(std::uint32_t, std::uint32_t)>(BH_POLICY_ENTRY_SYMBOL);
  return check_table(file, entry(BH_ABI_MAJOR, BH_ABI_MINOR), std::move(digest));
}

}  // namespace

Result<PolicyPluginConstSharedPtr> load_policy_plugin(const std::filesystem::path& file) {
  try {
    return load(file);
  } catch (const std::exception& e) {  // Boost.DLL or allocation failures
    return fail(file.string() + ": cannot load: " + e.what());
  }
}

}  // namespace blockhealth
