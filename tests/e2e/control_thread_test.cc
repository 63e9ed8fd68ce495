// Configuration work off the serving path (issue 13, finding 2), against
// the real daemon with one HTTP thread: while a reload creates a policy
// slowly (test_hang's create() sleeps), the HTTP thread keeps answering;
// reloads asked for meanwhile coalesce into one.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <future>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

std::string control_config(const std::string& more_blocks) {
  return on_request_yaml({"test_echo", "test_hang"}) + R"(
server:
  threads: 1
blocks:
  - id: b
    instances:
      - id: n1
    policies:
      - use: test_echo
)" + more_blocks;
}

constexpr const char* kSlowBlock = R"(
  - id: slow
    instances:
      - id: s1
    policies:
      - use: test_hang
        timeout: 10s
        with: {create_ms: 4000, hang_ms: 0}
)";

int applied_reloads(const std::string& address) {
  return static_cast<int>(
      std::max(0.0, metric_value(address, "blockhealth_reloads_total", {R"(result="applied")"})));
}

TEST(ControlThread, TheHttpThreadAnswersWhileAReloadCreatesPolicies) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(""));
  ASSERT_TRUE(daemon.started());
  daemon.write_config(control_config(kSlowBlock));
  auto reload =
      std::async(std::launch::async, [&] { return http_post(daemon.address(), "/v1/reload", ""); });
  // The reload is inside the plugin's create() (it logs before sleeping)...
  ASSERT_TRUE(wait_until([&] { return daemon.log().find("create sleeping") != std::string::npos; }))
      << daemon.log();
  // ...and the one HTTP thread still answers, before the reload is over.
  EXPECT_EQ(http_get(daemon.address(), "/healthz").status, 200);
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/b").status, 200);
  EXPECT_EQ(reload.wait_for(std::chrono::seconds(0)), std::future_status::timeout)
      << "the reload ended before the reads were answered";
  const HttpReply done = reload.get();
  EXPECT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/slow").status, 200);
}

TEST(ControlThread, ReloadsAskedForWhileOneRunsCoalesce) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(""));
  ASSERT_TRUE(daemon.started());
  const int before = applied_reloads(daemon.address());
  daemon.write_config(control_config(kSlowBlock));
  auto first =
      std::async(std::launch::async, [&] { return http_post(daemon.address(), "/v1/reload", ""); });
  ASSERT_TRUE(
      wait_until([&] { return daemon.log().find("create sleeping") != std::string::npos; }));
  // Two more while the first runs: they wait for one reload together.
  auto second =
      std::async(std::launch::async, [&] { return http_post(daemon.address(), "/v1/reload", ""); });
  auto third =
      std::async(std::launch::async, [&] { return http_post(daemon.address(), "/v1/reload", ""); });
  EXPECT_EQ(first.get().status, 200);
  const HttpReply b = second.get();
  const HttpReply c = third.get();
  EXPECT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(b.body, c.body);
  EXPECT_EQ(applied_reloads(daemon.address()), before + 2);
}

TEST(ControlThread, SigtermDuringAReloadStuckInCreateStillExits) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(""));
  ASSERT_TRUE(daemon.started());
  // The policy's timeout (which bounds create()) is longer than the
  // control thread's 10 s stop: this is the control thread's own guard.
  std::string stuck = kSlowBlock;
  stuck.replace(stuck.find("create_ms: 4000"), 15, "create_ms: 600000");
  stuck.replace(stuck.find("timeout: 10s"), 12, "timeout: 60s");
  daemon.write_config(control_config(stuck));
  auto reload =
      std::async(std::launch::async, [&] { return http_post(daemon.address(), "/v1/reload", ""); });
  ASSERT_TRUE(
      wait_until([&] { return daemon.log().find("create sleeping") != std::string::npos; }));
  EXPECT_EQ(http_get(daemon.address(), "/healthz").status, 200);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(60)), 0) << daemon.log();
  EXPECT_NE(daemon.log().find("did not finish within 10s"), std::string::npos) << daemon.log();
  (void)reload.get();  // answered or cut, either way the daemon is gone
}

// A policy whose create() never returns (test_hang sleeps 10 minutes) and
// whose timeout, which bounds create() and destroy(), is 1 s.
constexpr const char* kStuckCreateBlock = R"(
  - id: stuck
    instances:
      - id: s1
    policies:
      - use: test_hang
        timeout: 1s
        with: {create_ms: 600000, hang_ms: 0}
)";

// A policy whose destroy() never returns, with the same 1 s timeout.
constexpr const char* kStuckDestroyBlock = R"(
  - id: sticky
    instances:
      - id: s1
    policies:
      - use: test_hang
        timeout: 1s
        with: {destroy_ms: 600000, hang_ms: 0}
)";

// Issue 13, finding 6: start-up with such a policy neither hangs nor waits
// for SIGKILL; it is refused with the reason.
TEST(BoundedCreate, AHangingCreateAtStartUpIsRefusedWithTheReason) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(kStuckCreateBlock), {},
                       DaemonProcess::Wait::kSpawned);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(60)), 1) << daemon.log();
  EXPECT_NE(daemon.log().find("block 'stuck' policy 'test_hang': policy test_hang: its create() "
                              "did not return within 1s (the call is abandoned)"),
            std::string::npos)
      << daemon.log();
}

// A reload with it is answered with the reason; the next reload is refused
// at once, without a second call into the stuck plugin; and SIGTERM still
// stops the daemon with 0.
TEST(BoundedCreate, AReloadWithAHangingCreateIsRefusedAndSigtermStillWorks) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(""));
  ASSERT_TRUE(daemon.started());
  daemon.write_config(control_config(kStuckCreateBlock));
  const HttpReply first = http_post(daemon.address(), "/v1/reload", "");
  EXPECT_EQ(first.status, 422) << first.body;
  EXPECT_NE(first.body.find("its create() did not return within 1s"), std::string::npos)
      << first.body;
  const HttpReply second = http_post(daemon.address(), "/v1/reload", "");
  EXPECT_EQ(second.status, 422) << second.body;
  EXPECT_NE(second.body.find("is refused: its create() did not return within 1s and that call "
                             "has not returned yet"),
            std::string::npos)
      << second.body;
  const std::string log = daemon.log();
  EXPECT_EQ(log.find("create sleeping"), log.rfind("create sleeping")) << "called twice\n" << log;
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/b").status, 200);
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/stuck").status, 404);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(60)), 0) << daemon.log();
}

// A destroy() that never returns (when a reload drops its policy) neither
// holds up the reload nor shutdown.
TEST(BoundedCreate, AHangingDestroyHoldsUpNeitherReloadNorShutdown) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(kStuckDestroyBlock));
  ASSERT_TRUE(daemon.started());
  daemon.write_config(control_config(""));
  const HttpReply reload = http_post(daemon.address(), "/v1/reload", "");
  EXPECT_EQ(reload.status, 200) << reload.body;
  ASSERT_TRUE(wait_until([&] {
    return daemon.log().find("its destroy() did not return within 1s") != std::string::npos;
  })) << daemon.log();
  EXPECT_EQ(http_get(daemon.address(), "/healthz").status, 200);
  EXPECT_EQ(http_get(daemon.address(), "/v1/blocks/sticky").status, 404);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(60)), 0) << daemon.log();
}

// The same destroy() met at shutdown: the daemon still exits 0.
TEST(BoundedCreate, AHangingDestroyAtShutdownStillExitsZero) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), control_config(kStuckDestroyBlock));
  ASSERT_TRUE(daemon.started());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(60)), 0) << daemon.log();
  EXPECT_NE(daemon.log().find("its destroy() did not return within 1s"), std::string::npos)
      << daemon.log();
}

}  // namespace
}  // namespace blockhealth::test
