// PolicyPlugin: one policy shared object, loaded, handshaken and checked.
#ifndef BLOCKHEALTH_CORE_PLUGINS_POLICY_PLUGIN_H
#define BLOCKHEALTH_CORE_PLUGINS_POLICY_PLUGIN_H

#include <blockhealth/policy_abi.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/util/result.h"

namespace blockhealth {

class PolicyPlugin;
using PolicyPluginConstSharedPtr = std::shared_ptr<const PolicyPlugin>;

// Immutable after load; safe for concurrent access without external
// synchronization. The mapped library is never unloaded (we never rely on
// dlclose): a PolicyPlugin and its table stay valid for the process's life.
class PolicyPlugin {
 public:
  virtual ~PolicyPlugin() = default;

  virtual const std::string& name() const = 0;
  virtual const std::string& version() const = 0;
  virtual const std::string& description() const = 0;
  // The JSON Schema of `with:` ("" when the plugin declares none), already
  // checked to parse as JSON when the plugin was loaded.
  virtual const std::string& params_schema() const = 0;
  virtual std::uint32_t abi_major() const = 0;
  virtual std::uint32_t abi_minor() const = 0;
  virtual const std::filesystem::path& path() const = 0;  // as found in the plugin dir
  virtual const std::string& content_hash() const = 0;    // hex digest of the file bytes
  virtual bool has_manage() const = 0;
  virtual bool reentrant() const = 0;
  // Whether evaluate may be given only the instances that are due (ABI 1.1
  // without BH_POLICY_FLAG_WHOLE_BLOCK); else every instance it judges.
  virtual bool due_instances_only() const { return false; }
  // BH_INPUT_* bits of what the policy reads (0 = everything).
  virtual std::uint32_t inputs() const { return 0; }
  // The plugin's table. Members past its struct_size read as NULL/0 through
  // the accessors above; callers use this only for create/evaluate/manage/destroy.
  virtual const bh_policy_v1& table() const = 0;
};

// Loads `file`: checks it is an ELF shared object for this architecture and
// not writable by others (nor its folder), maps it (content-addressed, see
// plugin_library_cache.h), finds bh_policy_entry, calls it with this host's
// ABI version, and checks the table (major equal, minor not newer,
// struct_size large enough, required functions present, name valid, schema
// is JSON and a valid JSON Schema). On failure the Error's message starts
// with the file path and says exactly why, e.g. "/p/x.so: missing symbol
// bh_policy_entry" (tests/core/plugins/policy_plugin_test.cc asserts every
// message). Never throws. Replace a plugin
// file by renaming a new file over it, never by rewriting it in place: the
// running daemon maps the old file. [control-thread; thread-safe]
Result<PolicyPluginConstSharedPtr> load_policy_plugin(const std::filesystem::path& file);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_POLICY_PLUGIN_H
