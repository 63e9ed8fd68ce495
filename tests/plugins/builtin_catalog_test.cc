// The plugin folder of the build holds the four built-in policies, and the
// host's catalog loads each without a problem.
#include <gtest/gtest.h>

#include "core/plugins/plugin_catalog.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

TEST(BuiltinCatalogTest, ScanLoadsEveryBuiltinPolicy) {
  const PluginCatalog catalog = PluginCatalog::scan({plugin_dir()});
  for (const PluginProblem& p : catalog.problems()) {
    ADD_FAILURE() << p.path << ": " << p.message;
  }
  for (const char* name :
       {"gpu_temperature", "log_pattern", "last_request_age", "metric_threshold"}) {
    const PolicyPluginConstSharedPtr plugin = catalog.find(name);
    ASSERT_NE(plugin, nullptr) << name;
    EXPECT_EQ(plugin->path().filename(), std::string(name) + ".so");
    EXPECT_FALSE(plugin->description().empty()) << name;
    EXPECT_FALSE(plugin->params_schema().empty()) << name;
    EXPECT_FALSE(plugin->has_manage()) << name;
  }
}

}  // namespace
}  // namespace blockhealth::test
