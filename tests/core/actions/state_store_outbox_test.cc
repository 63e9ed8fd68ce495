// The dispatcher over the real SQLite state store: restarts and a crash
// (a child process killed with SIGKILL) lose no pending delivery.
#include "core/actions/state_store_outbox.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/actions/action_dispatcher.h"
#include "core/wire/action_bodies.h"
#include "tests/core/actions/action_test_util.h"
#include "tests/support/fake_instance.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"
#include "tests/support/webhook_receiver.h"

namespace blockhealth {
namespace {

using test::make_transition;
using test::wait_until;
using test::WebhookReceiver;

std::string config_for(std::uint16_t port) {
  return "blocks:\n"
         "  - id: b\n"
         "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n"
         "    on_transition:\n"
         "      - webhook: http://127.0.0.1:" +
         std::to_string(port) + "/hook\n";
}

StateStorePtr open_store(const test::TempDir& dir) {
  auto store = StateStore::open(dir.path() / "state");
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

TEST(StateStoreOutbox, StoresUpdatesListsByIdAndRemoves) {
  test::TempDir dir;
  StateStorePtr store = open_store(dir);
  ASSERT_NE(store, nullptr);
  StateStoreOutbox outbox(*store);
  Delivery d;
  d.block_id = "b";
  d.instance_id = "i";
  d.action = "webhook#0";
  d.url = "http://127.0.0.1:1/hook";
  d.body = R"({"x":1})";
  d.transition_seq = 3;
  d.next_attempt_ms = 2'000;
  d.created_ms = 1'000;
  auto first = outbox.add(d);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  d.next_attempt_ms = 1'000;  // due earlier, but added later: listed after
  auto second = outbox.add(d);
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(*second, *first);

  d.id = *first;
  d.attempts = 2;
  d.next_attempt_ms = 9'000;
  d.last_error = "connect: Connection refused";
  ASSERT_TRUE(outbox.update(d).has_value());

  auto pending = outbox.pending();
  ASSERT_TRUE(pending.has_value()) << pending.error().message;
  ASSERT_EQ(pending->size(), 2U);
  EXPECT_EQ((*pending)[0].id, *first);
  EXPECT_EQ((*pending)[0].attempts, 2);
  EXPECT_EQ((*pending)[0].next_attempt_ms, 9'000);
  EXPECT_EQ((*pending)[0].last_error, "connect: Connection refused");
  EXPECT_EQ((*pending)[0].body, R"({"x":1})");
  EXPECT_EQ((*pending)[0].transition_seq, 3U);
  EXPECT_EQ((*pending)[1].id, *second);

  ASSERT_TRUE(outbox.remove(*first).has_value());
  ASSERT_TRUE(outbox.remove(*first).has_value());  // already gone: fine
  EXPECT_EQ(outbox.pending()->size(), 1U);
}

TEST(StateStoreOutbox, UpdateOfAMissingDeliveryIsAnError) {
  test::TempDir dir;
  StateStorePtr store = open_store(dir);
  ASSERT_NE(store, nullptr);
  StateStoreOutbox outbox(*store);
  Delivery d;
  d.id = 12345;
  auto r = outbox.update(d);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find("update_delivery"), std::string::npos) << r.error().message;
}

TEST(StateStoreOutbox, ARestartDeliversWhatWasPendingExactlyOnce) {
  test::TempDir dir;
  const std::uint16_t port = test::FakeInstance::closed_port();
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  {
    StateStorePtr store = open_store(dir);
    ASSERT_NE(store, nullptr);
    StateStoreOutbox outbox(*store);
    ActionDispatcher first(test::fast_options(), outbox, SystemClock::instance(), nullptr);
    first.apply(test::load_test_config(config_for(port)));
    ASSERT_TRUE(first.start().has_value());
    first.notify(t, ActionEvent::kTransition);
    ASSERT_TRUE(wait_until([&] { return first.stats().failed_attempts >= 2; }));
    first.stop();
  }  // the store is closed: the next one reads the file again

  WebhookReceiver receiver(port);
  StateStorePtr store = open_store(dir);
  ASSERT_NE(store, nullptr);
  ASSERT_EQ(store->pending_deliveries()->size(), 1U);
  EXPECT_GE(store->pending_deliveries()->at(0).attempts, 2);
  StateStoreOutbox outbox(*store);
  ActionDispatcher second(test::fast_options(), outbox, SystemClock::instance(), nullptr);
  second.apply(test::load_test_config(config_for(port)));
  ASSERT_TRUE(second.start().has_value());
  ASSERT_TRUE(wait_until([&] { return second.stats().delivered == 1; }));
  EXPECT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].body, wire::webhook_body(t, ActionEvent::kTransition));
  EXPECT_TRUE(store->pending_deliveries()->empty());
}

TEST(StateStoreOutbox, ACrashRightAfterNotifyLosesNothing) {
  test::TempDir dir;
  const std::uint16_t port = test::FakeInstance::closed_port();
  const Transition t = make_transition(5, "i", Status::kOk, Status::kDegraded);
  const Config config = test::load_test_config(config_for(port));
  // The child notifies and is killed at once, whatever its thread is doing.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = StateStore::open(dir.path() / "state");
    if (!store) _exit(2);
    StateStoreOutbox outbox(**store);
    ActionDispatcher d(test::fast_options(), outbox, SystemClock::instance(), nullptr);
    d.apply(config);
    if (!d.start()) _exit(3);
    d.notify(t, ActionEvent::kTransition);
    kill(getpid(), SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  WebhookReceiver receiver(port);
  StateStorePtr store = open_store(dir);
  ASSERT_NE(store, nullptr);
  StateStoreOutbox outbox(*store);
  ActionDispatcher d(test::fast_options(), outbox, SystemClock::instance(), nullptr);
  d.apply(config);
  ASSERT_TRUE(d.start().has_value());
  ASSERT_TRUE(wait_until([&] { return d.stats().delivered == 1; }));
  EXPECT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].body, wire::webhook_body(t, ActionEvent::kTransition));
  EXPECT_TRUE(store->pending_deliveries()->empty());
}

}  // namespace
}  // namespace blockhealth
