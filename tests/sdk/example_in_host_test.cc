// Step (d) of the SDK install test: the policies that
// examples/out-of-tree-policy built against the INSTALLED SDK (fixture
// sdk_example, see install_and_build_example.cmake) load in the daemon's
// real plugin host, pass its parameter validation, and evaluate through its
// ABI marshalling.
//
// The example is built with the same compiler and sanitizer flags as this
// test binary, so loading its .so here is sound in the ASan build as well.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/model/observation.h"
#include "core/plugins/params_validator.h"
#include "core/plugins/policy_instance.h"
#include "core/plugins/policy_plugin.h"
#include "core/util/clock.h"

namespace blockhealth {
namespace {

using ::testing::HasSubstr;

// Where the fixture built the example.
std::filesystem::path example_build_dir() {
  return SDK_EXAMPLE_BUILD_DIR;
}

PolicyPluginConstSharedPtr load(const std::string& file) {
  Result<PolicyPluginConstSharedPtr> plugin = load_policy_plugin(example_build_dir() / file);
  if (!plugin) ADD_FAILURE() << plugin.error().message;
  return plugin ? *plugin : nullptr;
}

InstanceObservationsConstSharedPtr queue_instance(const std::string& id, double depth,
                                                  std::int64_t now_ms) {
  auto o = std::make_shared<InstanceObservations>();
  o->block_id = "sdk-block";
  o->instance_id = id;
  o->samples.push_back(MetricSample{"queue_length", {{"replica", "0"}}, depth, now_ms});
  o->last_seen_ms = now_ms;
  return o;
}

TEST(SdkExample, QueueDepthLoadsWithItsDescriptor) {
  const PolicyPluginConstSharedPtr plugin = load("queue_depth.so");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->name(), "queue_depth");
  EXPECT_EQ(plugin->version(), "1.0.0");
  EXPECT_TRUE(plugin->has_manage());
  EXPECT_FALSE(plugin->reentrant());
  EXPECT_EQ(plugin->abi_major(), BH_ABI_MAJOR);
  EXPECT_THAT(plugin->params_schema(), HasSubstr("\"critical\""));
}

TEST(SdkExample, HttpStatusInCLoadsWithItsEmbeddedSchema) {
  const PolicyPluginConstSharedPtr plugin = load("http_status.so");
  ASSERT_NE(plugin, nullptr);
  EXPECT_EQ(plugin->name(), "http_status");
  EXPECT_EQ(plugin->version(), "1.0.0");
  EXPECT_FALSE(plugin->has_manage());
  EXPECT_THAT(plugin->params_schema(), HasSubstr("\"expect_status\""));
}

TEST(SdkExample, HostValidatesParamsAgainstTheExampleSchema) {
  const PolicyPluginConstSharedPtr plugin = load("queue_depth.so");
  ASSERT_NE(plugin, nullptr);
  Result<std::string> good =
      validate_policy_params(*plugin, YAML::Load("{warn: 10, critical: 50}"), "blockhealth.yaml");
  ASSERT_TRUE(good) << good.error().message;

  Result<std::string> missing =
      validate_policy_params(*plugin, YAML::Load("{warn: 10}"), "blockhealth.yaml");
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("critical"));

  Result<std::string> typo = validate_policy_params(
      *plugin, YAML::Load("{warn: 10, critical: 50, critcal: 5}"), "blockhealth.yaml");
  ASSERT_FALSE(typo);
  EXPECT_THAT(typo.error().message, HasSubstr("critcal"));
}

TEST(SdkExample, QueueDepthEvaluatesThroughTheHost) {
  const PolicyPluginConstSharedPtr plugin = load("queue_depth.so");
  ASSERT_NE(plugin, nullptr);
  ManualClock clock;
  Result<PolicyInstanceSharedPtr> instance = PolicyInstance::create(
      plugin, R"({"warn":10,"critical":50})", "sdk-block/queue_depth", clock);
  ASSERT_TRUE(instance) << instance.error().message;

  const std::int64_t now = clock.wall_ms();
  const std::vector<InstanceObservationsConstSharedPtr> inputs = {
      queue_instance("a", 3, now), queue_instance("b", 12, now), queue_instance("c", 70, now)};
  CallLimits limits;
  limits.now_ms = now;
  limits.deadline_ns =
      SystemClock::instance().monotonic_ns() + 60'000'000'000LL;  // system clock, per CallLimits
  const EvaluateOutcome outcome = (*instance)->evaluate(inputs, limits);
  ASSERT_TRUE(outcome.ok) << outcome.error;
  ASSERT_EQ(outcome.verdicts.size(), 3u);
  EXPECT_EQ(outcome.verdicts[0].status, Status::kOk);
  EXPECT_EQ(outcome.verdicts[1].status, Status::kDegraded);
  EXPECT_EQ(outcome.verdicts[1].reason, "queue_length{replica=\"0\"} is 12 >= 10");
  EXPECT_EQ(outcome.verdicts[2].status, Status::kUnhealthy);
  ASSERT_TRUE(outcome.verdicts[2].evidence.has_value());
  EXPECT_EQ(outcome.verdicts[2].evidence->observed, 70);

  Result<std::string> answer = (*instance)->manage("get_thresholds", "{}", limits);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(*answer, R"({"critical":50,"metric":"queue_length","warn":10})");
}

}  // namespace
}  // namespace blockhealth
