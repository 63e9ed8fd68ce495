// Helpers shared by the core/plugins tests: where each test plugin is, and
// copies of plugins in scratch folders.
#ifndef BLOCKHEALTH_TESTS_CORE_PLUGINS_PLUGIN_TEST_UTIL_H
#define BLOCKHEALTH_TESTS_CORE_PLUGINS_PLUGIN_TEST_UTIL_H

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/plugins/policy_plugin.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {

// <test-plugins>/<name>/<name>.so
inline std::filesystem::path test_plugin(const std::string& name) {
  return test_plugin_dir() / name / (name + ".so");
}

// The folder holding only test_plugin(name).
inline std::filesystem::path test_plugin_folder(const std::string& name) {
  return test_plugin_dir() / name;
}

// Loads a plugin that must load; fails the test (and returns nullptr) if not.
inline PolicyPluginConstSharedPtr must_load(const std::filesystem::path& file) {
  Result<PolicyPluginConstSharedPtr> plugin = load_policy_plugin(file);
  if (!plugin) {
    ADD_FAILURE() << "cannot load " << file << ": " << plugin.error().message;
    return nullptr;
  }
  return *plugin;
}

// The message load_policy_plugin refuses `file` with ("" and a test failure
// when it loads).
inline std::string refusal(const std::filesystem::path& file) {
  Result<PolicyPluginConstSharedPtr> plugin = load_policy_plugin(file);
  if (plugin) {
    ADD_FAILURE() << file << " loaded, but should have been refused";
    return "";
  }
  return plugin.error().message;
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_PLUGINS_PLUGIN_TEST_UTIL_H
