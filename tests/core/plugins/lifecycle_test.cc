// Bounded create() and destroy() (issue 13, finding 6) through the real
// test_hang plugin: a call that overruns its limit is abandoned with the
// reason, the plugin is refused while the call is stuck, and used again once
// it returns. And the LifecycleRunner on its own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "core/plugins/lifecycle_runner.h"
#include "core/plugins/policy_instance.h"
#include "core/plugins/stuck_plugins.h"
#include "core/util/clock.h"
#include "tests/core/plugins/plugin_test_util.h"
#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

TEST(LifecycleRunner, AJobThatFinishesInTimeReportsTrue) {
  std::atomic<int> ran{0};
  EXPECT_TRUE(LifecycleRunner::instance().run([&] { ++ran; }, milliseconds(10'000)));
  EXPECT_EQ(ran.load(), 1);
}

TEST(LifecycleRunner, AnOverrunningJobIsAbandonedAndTheNextRunsOnAFreshWorker) {
  auto release = std::make_shared<std::atomic<bool>>(false);
  auto returned = std::make_shared<std::atomic<bool>>(false);
  EXPECT_FALSE(LifecycleRunner::instance().run(
      [release, returned] {
        while (!release->load()) std::this_thread::sleep_for(milliseconds(5));
        returned->store(true);
      },
      milliseconds(50)));
  // The stuck job still runs; another one is not queued behind it.
  std::atomic<bool> second{false};
  EXPECT_TRUE(LifecycleRunner::instance().run([&] { second = true; }, milliseconds(10'000)));
  EXPECT_TRUE(second.load());
  EXPECT_FALSE(returned->load());
  release->store(true);
  EXPECT_TRUE(test::wait_until([&] { return returned->load(); }));
}

TEST(LifecycleRunner, AJobRunFromAJobRunsInline) {
  bool inner_on_worker = false;
  EXPECT_TRUE(LifecycleRunner::instance().run(
      [&] {
        LifecycleRunner::instance().run([&] { inner_on_worker = LifecycleRunner::on_worker(); },
                                        milliseconds(1));
      },
      milliseconds(10'000)));
  EXPECT_TRUE(inner_on_worker);
  EXPECT_FALSE(LifecycleRunner::on_worker());
}

TEST(BoundedCreate, ACreateThatOverrunsIsAbandonedAndThePluginRefusedUntilItReturns) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test::test_plugin("test_hang"));
  ASSERT_NE(plugin, nullptr);
  auto stuck = PolicyInstance::create(plugin, R"({"create_ms":1500})", "b/hang",
                                      SystemClock::instance(), milliseconds(100));
  ASSERT_FALSE(stuck.has_value());
  EXPECT_EQ(stuck.error().message,
            "policy test_hang: its create() did not return within 100ms (the call is abandoned)");
  // While that call is inside the plugin, nothing else calls it.
  auto refused = PolicyInstance::create(plugin, R"({"create_ms":0})", "b/hang2",
                                        SystemClock::instance(), milliseconds(10'000));
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message,
              HasSubstr("is refused: its create() did not return within 100ms and that call has "
                        "not returned yet"));
  // Once it returns (and its late instance is destroyed), the plugin is
  // used again.
  ASSERT_TRUE(test::wait_until(
      [&] { return !StuckPlugins::instance().reason(plugin->content_hash()).has_value(); }));
  auto again = PolicyInstance::create(plugin, R"({"create_ms":0})", "b/hang3",
                                      SystemClock::instance(), milliseconds(10'000));
  EXPECT_TRUE(again.has_value()) << again.error().message;
}

TEST(BoundedCreate, ADestroyThatOverrunsIsAbandonedAndMarksThePluginStuck) {
  const PolicyPluginConstSharedPtr plugin = test::must_load(test::test_plugin("test_hang"));
  ASSERT_NE(plugin, nullptr);
  auto instance = PolicyInstance::create(plugin, R"({"destroy_ms":1500})", "b/hang",
                                         SystemClock::instance(), milliseconds(100));
  ASSERT_TRUE(instance.has_value()) << instance.error().message;
  instance->reset();  // the destructor waits 100ms, not 1.5 s
  EXPECT_EQ(StuckPlugins::instance().reason(plugin->content_hash()),
            "its destroy() did not return within 100ms");
  ASSERT_TRUE(test::wait_until(
      [&] { return !StuckPlugins::instance().reason(plugin->content_hash()).has_value(); }));
}

}  // namespace
}  // namespace blockhealth
