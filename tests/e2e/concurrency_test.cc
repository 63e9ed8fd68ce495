// Many clients at once: pushes, reads, evaluations, registrations and
// reloads in parallel all get their answers, and the daemon stays
// consistent (the sanitizer build runs this too).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

TEST(Concurrency, ParallelClientsAllGetAnswersAndTheDaemonStaysConsistent) {
  TempDir dir;
  const std::string config = test_plugin_dirs_yaml({"test_echo"}) + R"(
server:
  threads: 4
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
blocks:
  - id: a
    policies:
      - use: test_echo
  - id: b
    policies:
      - use: test_echo
      - use: log_pattern
        with: { critical: ["CUDA error"] }
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();

  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  std::atomic<int> failures{0};
  std::vector<std::string> problems(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string block = t % 2 == 0 ? "a" : "b";
      const std::string instance = "node-" + std::to_string(t);
      auto check = [&](const HttpReply& reply, const char* what) {
        if (reply.status != 200) {
          ++failures;
          problems[t] += std::string(what) + ": " + std::to_string(reply.status) + " " +
                         reply.error + reply.body + "\n";
        }
      };
      check(register_instance(address, block, instance), "register");
      for (int i = 0; i < kRounds; ++i) {
        check(push_status(address, block, instance, i % 3), "push");
        check(push_logs(address, block, instance, "line " + std::to_string(i)), "logs");
        check(http_get(address, "/v1/blocks/" + block), "view");
        check(http_get(address, "/block/health/" + block), "aios");
        check(http_get(address, "/metrics"), "metrics");
        if (i % 5 == 0) check(mgmt(address, block, "evaluate"), "evaluate");
        if (t == 0 && i % 10 == 0) check(http_post(address, "/v1/reload", ""), "reload");
        if (t == 1 && i % 10 == 0) check(http_get(address, "/v1/plugins"), "plugins");
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (const std::string& p : problems) EXPECT_EQ(p, "");

  // Every registered instance is there, survived the reloads, and is judged
  // on its last push.
  for (int t = 0; t < kThreads; ++t) {
    const std::string block = t % 2 == 0 ? "a" : "b";
    const std::string instance = "node-" + std::to_string(t);
    const std::string want = "test_status=" + std::to_string((kRounds - 1) % 3);
    wait_for_view(address, block, [&](const json::value& v) {
      return str(policy_result_of(instance_of(v, instance), "test_echo"), "reason") == want;
    });
  }
  const json::value list = http_get(address, "/v1/blocks").json();
  EXPECT_EQ(list.at("blocks").at(0).at("instances").to_number<int>(), kThreads / 2) << list;
  EXPECT_EQ(list.at("blocks").at(1).at("instances").to_number<int>(), kThreads / 2) << list;
  EXPECT_EQ(http_get(address, "/healthz").status, 200);
}

// Found by bench/soak.py: a reload adopts each surviving block's state into
// a new BlockState; a view built in between (a read on an HTTP thread while
// evaluations keep changing the block) must never see the old, emptied one;
// and a list (GET /v1/blocks, /metrics) read while a reload replaces the
// registry of blocks must keep the one it walks alive.
TEST(Concurrency, ReadsDuringReloadsNeverSeeAHalfAdoptedBlock) {
  TempDir dir;
  constexpr int kBlocks = 40;
  std::string blocks;
  for (int b = 0; b < kBlocks; ++b) {
    blocks += "  - id: b" + std::to_string(b) + "\n    instances:\n";
    for (int i = 0; i < 25; ++i) blocks += "      - id: n" + std::to_string(i) + "\n";
    blocks += "    policies: [{use: test_echo}]\n";
  }
  const std::string config = test_plugin_dirs_yaml({"test_echo"}) + R"(
server:
  threads: 3
defaults:
  interval: 100ms
  timeout: 100ms
  stale_after: 1h
blocks:
)" + blocks;
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      for (int n = t; !done.load(); ++n) {
        const std::string target = n % 3 == 0   ? "/v1/blocks"
                                   : n % 3 == 1 ? "/metrics"
                                                : "/v1/blocks/b" + std::to_string(n % kBlocks);
        if (http_get(address, target).status != 200) ++failures;
      }
    });
  }
  for (int i = 0; i < 60 && failures.load() == 0; ++i) {
    const HttpReply reload = http_post(address, "/v1/reload", "");
    if (reload.status != 200) ++failures;
  }
  done = true;
  for (std::thread& th : readers) th.join();
  EXPECT_EQ(failures.load(), 0) << daemon.log();
  EXPECT_EQ(http_get(address, "/healthz").status, 200) << daemon.log();
}

}  // namespace
}  // namespace blockhealth::test
