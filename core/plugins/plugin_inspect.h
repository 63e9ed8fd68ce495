// What `blockhealthd plugins inspect FILE.so` prints: what the host sees in a
// policy file, or exactly why it refuses it.
#ifndef BLOCKHEALTH_CORE_PLUGINS_PLUGIN_INSPECT_H
#define BLOCKHEALTH_CORE_PLUGINS_PLUGIN_INSPECT_H

#include <filesystem>
#include <string>

#include "core/plugins/policy_plugin.h"

namespace blockhealth {

struct PluginInspection {
  bool ok = false;   // the host would load this file
  std::string text;  // to print as is (ends with a newline)
};

// Loads `file` as the daemon would (load_policy_plugin: same checks, same
// messages; a loaded library stays mapped) and describes it:
//   file, name, version, description, ABI major.minor, struct_size, flags,
//   manage (yes/no), sha1, and params_schema pretty-printed (or "none").
// When refused, ok is false and text is the refusal message (which starts
// with the path). [control-thread]
PluginInspection inspect_plugin(const std::filesystem::path& file);

// The description part of inspect_plugin for an already loaded plugin.
std::string plugin_report(const PolicyPlugin& plugin);

// `json_text` indented by two spaces per level; returned unchanged when it is
// not valid JSON.
std::string pretty_json(const std::string& json_text);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_PLUGIN_INSPECT_H
