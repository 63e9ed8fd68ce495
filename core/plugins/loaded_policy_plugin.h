// LoadedPolicyPlugin: the PolicyPlugin that load_policy_plugin returns.
// Internal to core/plugins (the rest of the daemon sees only PolicyPlugin).
#ifndef BLOCKHEALTH_CORE_PLUGINS_LOADED_POLICY_PLUGIN_H
#define BLOCKHEALTH_CORE_PLUGINS_LOADED_POLICY_PLUGIN_H

#include <blockhealth/policy_abi.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/plugins/json_schema.h"
#include "core/plugins/policy_plugin.h"

namespace blockhealth {

// The size of bh_policy_v1 up to its last required member (destroy, evaluate
// and create come before manage, which is optional). A table whose
// struct_size is smaller is refused.
inline constexpr std::size_t kPolicyV1MinSize = offsetof(bh_policy_v1, manage);

// Immutable; safe for concurrent access.
class LoadedPolicyPlugin final : public PolicyPlugin {
 public:
  struct Parts {
    std::filesystem::path path;
    std::string content_hash;
    bh_policy_v1 table{};  // copy of the plugin's table; members past struct_size zeroed
    std::string name, version, description, params_schema;
    JsonSchemaConstSharedPtr schema;  // compiled params_schema; nullptr when none
  };
  explicit LoadedPolicyPlugin(Parts parts) : parts_(std::move(parts)) {}

  const std::string& name() const override { return parts_.name; }
  const std::string& version() const override { return parts_.version; }
  const std::string& description() const override { return parts_.description; }
  const std::string& params_schema() const override { return parts_.params_schema; }
  std::uint32_t abi_major() const override { return parts_.table.abi_major; }
  std::uint32_t abi_minor() const override { return parts_.table.abi_minor; }
  const std::filesystem::path& path() const override { return parts_.path; }
  const std::string& content_hash() const override { return parts_.content_hash; }
  bool has_manage() const override { return parts_.table.manage != nullptr; }
  bool reentrant() const override { return (parts_.table.flags & BH_POLICY_FLAG_REENTRANT) != 0; }
  std::uint32_t inputs() const override {
    return parts_.table.abi_minor >= 1 ? parts_.table.inputs : 0u;  // zero past struct_size
  }
  bool due_instances_only() const override {
    return parts_.table.abi_minor >= 1 && (parts_.table.flags & BH_POLICY_FLAG_WHOLE_BLOCK) == 0;
  }
  const bh_policy_v1& table() const override { return parts_.table; }

  // The compiled params_schema (nullptr when the plugin declares none);
  // compiled once at load, shared by every validation.
  const JsonSchemaConstSharedPtr& compiled_schema() const { return parts_.schema; }

 private:
  Parts parts_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_LOADED_POLICY_PLUGIN_H
