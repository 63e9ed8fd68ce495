// Watching end to end: GET /v1/blocks/<id>?index=N&wait= answers at once
// for an old index, wakes on a change and times out with the same index
// when nothing changes; GET /v1/events?after=SEQ&wait= returns the
// transitions after the cursor and wakes on new ones; many watchers wake
// together. Assertions are on what comes back, never on elapsed time.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// A long poll; the client waits longer than the daemon may.
HttpReply long_get(const std::string& address, const std::string& target) {
  HttpRequest r;
  r.target = target;
  r.timeout = std::chrono::seconds(60);
  return http_request(address, r);
}

std::uint64_t index_of(const json::value& view) {
  return view.at("state_index").to_number<std::uint64_t>();
}

class Watch : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = on_request_yaml({"test_echo"}) + "state_dir: '" +
                               (dir_.path() / "state").string() + "'\n" + R"(
blocks:
  - id: svc
    instances: [{id: node-1}]
    policies: [{use: test_echo}]
  - id: other
    instances: [{id: node-9}]
    policies: [{use: test_echo}]
)";
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "svc", "pause").status, 200);
    ASSERT_EQ(mgmt(address(), "other", "pause").status, 200);
    set_status("svc", "node-1", 0, "ok");
  }

  const std::string& address() const { return daemon_->address(); }

  json::value set_status(const std::string& block, const std::string& instance, int value,
                         const std::string& status) {
    EXPECT_EQ(push_status(address(), block, instance, value).status, 200);
    json::value view = evaluate_and_wait(address(), block, [&](const json::value& v) {
      return str(instance_of(v, instance), "status") == status;
    });
    EXPECT_EQ(str(instance_of(view, instance), "status"), status) << view;
    return view;
  }

  // The newest transition's seq (the cursor /v1/events starts from).
  std::uint64_t newest_seq() {
    const HttpReply reply = http_get(address(), "/v1/events?wait=0s");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json().at("next").to_number<std::uint64_t>();
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Watch, OldIndexAnswersAtOnce) {
  const std::uint64_t now = index_of(block_view(address(), "svc"));
  ASSERT_GT(now, 0u);
  const HttpReply reply =
      long_get(address(), "/v1/blocks/svc?index=" + std::to_string(now - 1) + "&wait=5m");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(index_of(reply.json()), now);
  EXPECT_EQ(reply.header("x-blockhealth-index"), std::to_string(now));
  EXPECT_EQ(str(instance_of(reply.json(), "node-1"), "status"), "ok");
}

TEST_F(Watch, WakesWhenTheBlockChanges) {
  const std::uint64_t before = index_of(block_view(address(), "svc"));
  auto watcher = std::async(std::launch::async, [&] {
    return long_get(address(), "/v1/blocks/svc?index=" + std::to_string(before) + "&wait=5m");
  });
  std::thread changer([&] { set_status("svc", "node-1", 2, "unhealthy"); });
  changer.join();
  const HttpReply reply = watcher.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_GT(index_of(reply.json()), before);
  EXPECT_EQ(reply.header("x-blockhealth-index"), std::to_string(index_of(reply.json())));
  EXPECT_EQ(str(instance_of(reply.json(), "node-1"), "status"), "unhealthy");
}

TEST_F(Watch, TimesOutWithTheSameIndexWhenNothingChanges) {
  const json::value before = block_view(address(), "svc");
  // An evaluation with the same result is no change.
  set_status("svc", "node-1", 0, "ok");
  const HttpReply reply = long_get(
      address(), "/v1/blocks/svc?index=" + std::to_string(index_of(before)) + "&wait=300ms");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(index_of(reply.json()), index_of(before));
  EXPECT_EQ(reply.header("x-blockhealth-index"), std::to_string(index_of(before)));
  EXPECT_EQ(str(instance_of(reply.json(), "node-1"), "status"), "ok");
}

TEST_F(Watch, ChangesOfAnotherBlockDoNotWakeAWatcher) {
  const std::uint64_t before = index_of(block_view(address(), "svc"));
  auto watcher = std::async(std::launch::async, [&] {
    return long_get(address(), "/v1/blocks/svc?index=" + std::to_string(before) + "&wait=1s");
  });
  set_status("other", "node-9", 2, "unhealthy");
  const HttpReply reply = watcher.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(index_of(reply.json()), before);
}

TEST_F(Watch, BadWatchParametersAreRefused) {
  const HttpReply bad_index = http_get(address(), "/v1/blocks/svc?index=abc&wait=1s");
  EXPECT_EQ(bad_index.status, 400);
  EXPECT_NE(bad_index.body.find("index: expected a non-negative integer, got 'abc'"),
            std::string::npos)
      << bad_index.body;
  const HttpReply bad_wait = http_get(address(), "/v1/blocks/svc?index=1&wait=soon");
  EXPECT_EQ(bad_wait.status, 400);
  EXPECT_NE(bad_wait.body.find("wait:"), std::string::npos) << bad_wait.body;
  const HttpReply bad_after = http_get(address(), "/v1/events?after=-1");
  EXPECT_EQ(bad_after.status, 400);
  EXPECT_NE(bad_after.body.find("after:"), std::string::npos) << bad_after.body;
  const HttpReply bad_limit = http_get(address(), "/v1/events?after=0&limit=0");
  EXPECT_EQ(bad_limit.status, 400);
  EXPECT_NE(bad_limit.body.find("limit: expected an integer from 1 to 1000"), std::string::npos)
      << bad_limit.body;
}

TEST_F(Watch, EventsAfterACursorAndWakingOnNewOnes) {
  const std::uint64_t cursor = newest_seq();
  ASSERT_GT(cursor, 0u);  // unknown -> ok in SetUp

  // Nothing after the cursor: a short wait answers empty, same cursor.
  HttpReply reply =
      long_get(address(), "/v1/events?after=" + std::to_string(cursor) + "&wait=300ms");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(reply.json().at("events").as_array().empty()) << reply.body;
  EXPECT_EQ(reply.json().at("next").to_number<std::uint64_t>(), cursor);

  // Two transitions after the cursor, oldest first.
  set_status("svc", "node-1", 2, "unhealthy");
  set_status("other", "node-9", 1, "degraded");
  reply = long_get(address(), "/v1/events?after=" + std::to_string(cursor) + "&wait=5s");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::value page = reply.json();
  const json::array& events = page.at("events").as_array();
  ASSERT_EQ(events.size(), 2u) << reply.body;
  EXPECT_EQ(str(events[0], "block_id"), "svc");
  EXPECT_EQ(str(events[0], "to"), "unhealthy");
  EXPECT_EQ(str(events[1], "block_id"), "other");
  EXPECT_EQ(str(events[1], "to"), "degraded");
  EXPECT_GT(events[0].at("seq").to_number<std::uint64_t>(), cursor);
  const std::uint64_t next = reply.json().at("next").to_number<std::uint64_t>();
  EXPECT_EQ(next, events[1].at("seq").to_number<std::uint64_t>());

  // ?block= keeps one block's; ?limit= pages.
  reply = http_get(address(), "/v1/events?after=" + std::to_string(cursor) + "&block=other");
  ASSERT_EQ(reply.status, 200) << reply.body;
  ASSERT_EQ(reply.json().at("events").as_array().size(), 1u) << reply.body;
  EXPECT_EQ(str(reply.json().at("events").at(0), "instance_id"), "node-9");
  reply = http_get(address(), "/v1/events?after=" + std::to_string(cursor) + "&limit=1");
  ASSERT_EQ(reply.json().at("events").as_array().size(), 1u) << reply.body;
  EXPECT_EQ(str(reply.json().at("events").at(0), "block_id"), "svc");

  // Waiting at the newest cursor wakes on the next transition.
  auto waiter = std::async(std::launch::async, [&] {
    return long_get(address(), "/v1/events?after=" + std::to_string(next) + "&wait=5m");
  });
  std::thread changer([&] { set_status("svc", "node-1", 0, "ok"); });
  changer.join();
  reply = waiter.get();
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::value woken_page = reply.json();
  const json::array& woken = woken_page.at("events").as_array();
  ASSERT_EQ(woken.size(), 1u) << reply.body;
  EXPECT_EQ(str(woken[0], "from"), "unhealthy");
  EXPECT_EQ(str(woken[0], "to"), "ok");
  EXPECT_GT(woken[0].at("seq").to_number<std::uint64_t>(), next);
}

TEST_F(Watch, FiftyConcurrentWatchersAllWake) {
  constexpr int kWatchers = 50;
  const std::uint64_t before = index_of(block_view(address(), "svc"));
  std::atomic<int> sent{0};
  std::vector<std::future<HttpReply>> watchers;
  watchers.reserve(kWatchers);
  for (int i = 0; i < kWatchers; ++i) {
    watchers.push_back(std::async(std::launch::async, [&] {
      ++sent;
      return long_get(address(), "/v1/blocks/svc?index=" + std::to_string(before) + "&wait=5m");
    }));
  }
  ASSERT_TRUE(wait_until([&] { return sent.load() == kWatchers; }));
  // The daemon (2 server threads) still answers while they wait.
  const HttpReply healthz = http_get(address(), "/healthz");
  EXPECT_EQ(healthz.status, 200) << healthz.error;
  set_status("svc", "node-1", 2, "unhealthy");
  for (auto& w : watchers) {
    const HttpReply reply = w.get();
    ASSERT_EQ(reply.status, 200) << reply.error << reply.body;
    EXPECT_GT(index_of(reply.json()), before);
    EXPECT_EQ(str(instance_of(reply.json(), "node-1"), "status"), "unhealthy");
  }
}

}  // namespace
}  // namespace blockhealth::test
