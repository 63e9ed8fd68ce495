// ActionDispatcher against a real loopback receiver (WebhookReceiver).
// Retries use small backoffs; every wait polls a condition with a deadline.
#include "core/actions/action_dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "core/actions/action_listener.h"
#include "core/prometheus/metrics_registry.h"
#include "core/util/time_text.h"
#include "core/wire/action_bodies.h"
#include "tests/core/actions/action_test_util.h"
#include "tests/support/fake_instance.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"
#include "tests/support/webhook_receiver.h"

namespace blockhealth {
namespace {

using test::make_transition;
using test::ReceiverReply;
using test::wait_until;
using test::WebhookReceiver;

std::string webhook_config(const std::string& url, const std::string& action_extra = "",
                           const std::string& block_extra = "") {
  return "blocks:\n"
         "  - id: b\n"
         "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n" +
         block_extra +
         "    on_transition:\n"
         "      - webhook: " +
         url + "\n" + action_extra;
}

class ActionDispatcherTest : public ::testing::Test {
 protected:
  ActionDispatcherPtr make(DispatcherOptions options = test::fast_options(),
                           DeliveryOutbox* outbox = nullptr) {
    return std::make_unique<ActionDispatcher>(std::move(options),
                                              outbox != nullptr ? *outbox : outbox_,
                                              SystemClock::instance(), &registry_);
  }
  // A started dispatcher with `yaml` applied.
  ActionDispatcherPtr start(const std::string& yaml,
                            DispatcherOptions options = test::fast_options()) {
    auto d = make(std::move(options));
    d->apply(test::load_test_config(yaml));
    EXPECT_TRUE(d->start().has_value());
    return d;
  }
  std::string metrics() const {
    std::string out;
    registry_.render(out);
    return out;
  }
  bool has_metric(const std::string& line) const {
    return metrics().find(line + "\n") != std::string::npos;
  }

  MemoryOutbox outbox_;
  prometheus::MetricsRegistry registry_;
  test::TempDir dir_;
};

TEST_F(ActionDispatcherTest, OneTransitionIsOneWebhookWithTheTransitionAndHeaders) {
  WebhookReceiver receiver;
  const auto token = dir_.write("hook-token", "t0ken\n");
  auto d = start(webhook_config(receiver.url("/hooks/alerts"),
                                "        headers: { X-Team: gpu }\n"
                                "        token_file: " +
                                    token.string() + "\n"));
  Transition t = make_transition(7, "executor", Status::kOk, Status::kUnhealthy, "GPU 0 at 91C");
  t.evidence = Evidence{"DCGM_FI_DEV_GPU_TEMP", 91, 88};
  d->notify(t, ActionEvent::kTransition);

  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(d->stats().pending, 0U);
  EXPECT_EQ(d->stats().repeats_armed, 0U);  // repeat_after is off: nothing more can go out
  EXPECT_EQ(outbox_.size(), 0U);
  ASSERT_EQ(receiver.count(), 1U);
  const auto r = receiver.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/alerts");
  EXPECT_EQ(r.body, wire::webhook_body(t, ActionEvent::kTransition));
  EXPECT_EQ(r.body, R"({"event":"transition","seq":7,"time":"2026-01-01T00:00:07.000Z",)"
                    R"("block_id":"b","instance_id":"executor","from":"ok","to":"unhealthy",)"
                    R"("policy":"gpu-temp","reason":"GPU 0 at 91C",)"
                    R"("evidence":{"metric":"DCGM_FI_DEV_GPU_TEMP","observed":91,"limit":88},)"
                    R"("repeat":false})");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-team"), "gpu");
  EXPECT_EQ(r.header("authorization"), "Bearer t0ken");
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="webhook#0",result="delivered"} 1)"));
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_delivery_duration_seconds_count{block="b",action="webhook#0"} 1)"));
  EXPECT_TRUE(has_metric("blockhealth_action_pending 0"));
}

TEST_F(ActionDispatcherTest, FailurePolicyCallIsTheAiosBodyAtExecuteFailurePolicy) {
  WebhookReceiver receiver;
  auto d = start(
      "blocks:\n"
      "  - id: b\n"
      "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n"
      "    on_transition:\n"
      "      - failure_policy: " +
      receiver.url("/fp") +
      "\n"
      "        failure_policy_id: restart-instance\n"
      "        parameters: { max_restarts: 3, mode: \"soft\" }\n"
      "        to: [unhealthy]\n");
  d->notify(make_transition(1, "in-vkkv", Status::kOk, Status::kUnhealthy, "CUDA error"),
            ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  ASSERT_EQ(receiver.count(), 1U);
  const auto r = receiver.requests()[0];
  EXPECT_EQ(r.target, "/fp/executeFailurePolicy");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"failure_policy_id":"restart-instance","inputs":{"block_id":"b",)"
                    R"("instance_id":"in-vkkv","status":"unhealthy","reason":"CUDA error"},)"
                    R"("parameters":{"max_restarts":3,"mode":"soft"}})");
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="failure_policy#0",result="delivered"} 1)"));
}

TEST_F(ActionDispatcherTest, OnlyActionsWhoseToHasTheNewStatusRun) {
  WebhookReceiver receiver;
  auto d = start(
      "blocks:\n"
      "  - id: b\n"
      "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n"
      "    on_transition:\n"
      "      - webhook: " +
      receiver.url("/bad") +
      "\n"
      "        to: [unhealthy, unknown]\n"
      "      - webhook: " +
      receiver.url("/good") +
      "\n"
      "        to: ok\n"
      "  - id: other\n"
      "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n");
  d->notify(make_transition(1, "i", Status::kUnknown, Status::kDegraded), ActionEvent::kTransition);
  d->notify(make_transition(2, "i", Status::kOk, Status::kUnhealthy, "x", "other"),
            ActionEvent::kTransition);
  EXPECT_EQ(d->stats().queued, 0U);  // decided in notify(), synchronously
  d->notify(make_transition(3, "i", Status::kDegraded, Status::kUnhealthy),
            ActionEvent::kTransition);
  d->notify(make_transition(4, "i", Status::kUnhealthy, Status::kOk), ActionEvent::kTransition);
  EXPECT_EQ(d->stats().queued, 2U);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 2; }));
  ASSERT_EQ(receiver.count(), 2U);
  for (const auto& r : receiver.requests()) {
    if (r.target == "/bad") {
      EXPECT_NE(r.body.find(R"("seq":3,)"), std::string::npos) << r.body;
    } else {
      EXPECT_EQ(r.target, "/good");
      EXPECT_NE(r.body.find(R"("seq":4,)"), std::string::npos) << r.body;
    }
  }
}

TEST_F(ActionDispatcherTest, ReceiverDownIsRetriedUntilItComesUpOnTheSamePort) {
  const std::uint16_t port = test::FakeInstance::closed_port();
  auto d = start(webhook_config("http://127.0.0.1:" + std::to_string(port) + "/hook"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().failed_attempts >= 3; }));
  EXPECT_EQ(d->stats().delivered, 0U);
  EXPECT_EQ(d->stats().pending, 1U);
  ASSERT_EQ(outbox_.size(), 1U);
  const Delivery stored = outbox_.pending()->at(0);
  EXPECT_GE(stored.attempts, 1);
  EXPECT_EQ(stored.last_error, "connect: Connection refused");

  WebhookReceiver receiver(port);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(receiver.count(), 1U);
  EXPECT_EQ(outbox_.size(), 0U);
  EXPECT_EQ(d->stats().gave_up, 0U);
  EXPECT_TRUE(metrics().find(R"(result="failed_attempt"} )") != std::string::npos);
}

TEST_F(ActionDispatcherTest, ServerErrorsAreRetriedThenDelivered) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(503, "busy"), ReceiverReply::answer(429),
                   ReceiverReply::answer(408), ReceiverReply::answer(204)});
  auto d = start(webhook_config(receiver.url("/hook")));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(d->stats().failed_attempts, 3U);
  EXPECT_EQ(receiver.count(), 4U);
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="webhook#0",result="failed_attempt"} 3)"));
}

TEST_F(ActionDispatcherTest, AClientErrorGivesUpAtOnce) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(400, "bad body")});
  auto d = start(webhook_config(receiver.url("/hook")));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().gave_up == 1; }));
  EXPECT_EQ(d->stats().failed_attempts, 1U);
  EXPECT_EQ(d->stats().pending, 0U);
  EXPECT_EQ(receiver.count(), 1U);
  EXPECT_EQ(outbox_.size(), 0U);
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="webhook#0",result="gave_up"} 1)"));
}

TEST_F(ActionDispatcherTest, ATimeoutIsRetried) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::hang()});
  auto d = start(webhook_config(receiver.url("/hook"), "        timeout: 100ms\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(d->stats().failed_attempts, 1U);
  EXPECT_EQ(receiver.count(), 2U);
}

TEST_F(ActionDispatcherTest, GivesUpAfterMaxAttempts) {
  WebhookReceiver receiver;
  receiver.set_fallback(ReceiverReply::answer(503, "down for maintenance"));
  DispatcherOptions options = test::fast_options();
  options.max_attempts = 3;
  auto d = start(webhook_config(receiver.url("/hook")), options);
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().gave_up == 1; }));
  EXPECT_EQ(d->stats().failed_attempts, 3U);
  EXPECT_EQ(d->stats().pending, 0U);
  EXPECT_EQ(receiver.count(), 3U);
  EXPECT_EQ(outbox_.size(), 0U);
}

TEST_F(ActionDispatcherTest, TooOldIsGivenUpWithoutSending) {
  const std::uint16_t port = test::FakeInstance::closed_port();
  DispatcherOptions options = test::fast_options();
  options.backoff_base = std::chrono::milliseconds(200);
  options.max_age = std::chrono::milliseconds(50);
  auto d = start(webhook_config("http://127.0.0.1:" + std::to_string(port) + "/hook"), options);
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().gave_up == 1; }));
  EXPECT_LE(d->stats().failed_attempts, 1U);  // at most the first attempt, before max_age
  EXPECT_EQ(outbox_.size(), 0U);
}

TEST_F(ActionDispatcherTest, AFullQueueDropsNewDeliveriesAndCountsThem) {
  const std::uint16_t port = test::FakeInstance::closed_port();
  DispatcherOptions options = test::fast_options();
  options.backoff_base = std::chrono::hours(1);
  options.backoff_cap = std::chrono::hours(1);
  options.max_pending = 2;
  auto d = start(webhook_config("http://127.0.0.1:" + std::to_string(port) + "/hook"), options);
  for (int i = 0; i < 5; ++i) {
    d->notify(make_transition(i + 1, "i" + std::to_string(i), Status::kOk, Status::kUnhealthy),
              ActionEvent::kTransition);
  }
  EXPECT_EQ(d->stats().pending, 2U);
  EXPECT_EQ(d->stats().dropped, 3U);
  EXPECT_EQ(outbox_.size(), 2U);
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="webhook#0",result="dropped"} 3)"));
  EXPECT_TRUE(has_metric("blockhealth_action_pending 2"));
}

TEST_F(ActionDispatcherTest, OneInstancesNotificationsArriveInOrder) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(503)});  // the first one fails once
  DispatcherOptions options = test::fast_options();
  options.max_in_flight = 8;
  auto d = start(webhook_config(receiver.url("/hook")), options);
  d->notify(make_transition(1, "a", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  d->notify(make_transition(2, "a", Status::kUnhealthy, Status::kOk), ActionEvent::kTransition);
  d->notify(make_transition(3, "a", Status::kOk, Status::kDegraded), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 3; }));
  std::vector<std::string> seqs;
  for (const auto& r : receiver.requests()) {
    const auto at = r.body.find(R"("seq":)");
    seqs.push_back(r.body.substr(at + 6, 1));
  }
  EXPECT_EQ(seqs, (std::vector<std::string>{"1", "1", "2", "3"}));
}

TEST_F(ActionDispatcherTest, RepeatsWhileTheStatusLastsAndStopsWhenItChanges) {
  WebhookReceiver receiver;
  auto d = start(webhook_config(receiver.url("/hook"), "        to: [unhealthy]\n",
                                "    repeat_after: 100ms\n"));
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  d->notify(t, ActionEvent::kTransition);
  ASSERT_TRUE(receiver.wait_for(3));
  const auto requests = receiver.requests();
  EXPECT_EQ(requests[0].body, wire::webhook_body(t, ActionEvent::kTransition));
  EXPECT_EQ(requests[1].body, wire::webhook_body(t, ActionEvent::kRepeat));
  EXPECT_EQ(requests[2].body, wire::webhook_body(t, ActionEvent::kRepeat));
  EXPECT_EQ(d->stats().repeats_armed, 1U);
  // Back to ok (an action that does not trigger on ok): the repeats stop.
  d->notify(make_transition(2, "i", Status::kUnhealthy, Status::kOk), ActionEvent::kTransition);
  EXPECT_EQ(d->stats().repeats_armed, 0U);
  ASSERT_TRUE(wait_until([&] { return d->stats().pending == 0; }));
  EXPECT_GE(d->stats().repeats, 2U);
}

TEST_F(ActionDispatcherTest, AHeldTransitionStopsTheRepeatsToo) {
  WebhookReceiver receiver;
  auto d = start(webhook_config(receiver.url("/hook"), "", "    repeat_after: 100ms\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(receiver.wait_for(2));
  d->observe(make_transition(2, "i", Status::kUnhealthy, Status::kOk));  // e.g. silenced
  EXPECT_EQ(d->stats().repeats_armed, 0U);
}

TEST_F(ActionDispatcherTest, TheSameStatusAgainWithinRepeatAfterIsSuppressed) {
  WebhookReceiver receiver;
  auto d = start(
      webhook_config(receiver.url("/hook"), "        to: [unhealthy]\n", "    repeat_after: 1h\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  d->notify(make_transition(2, "i", Status::kUnhealthy, Status::kUnknown),
            ActionEvent::kTransition);
  d->notify(make_transition(3, "i", Status::kUnknown, Status::kUnhealthy),
            ActionEvent::kTransition);
  d->notify(make_transition(4, "j", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  EXPECT_EQ(d->stats().suppressed, 1U);
  EXPECT_EQ(d->stats().queued, 2U);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 2; }));
  EXPECT_EQ(receiver.count(), 2U);
  EXPECT_TRUE(has_metric(R"(blockhealth_action_suppressed_total{block="b",action="webhook#0"} 1)"));
}

TEST_F(ActionDispatcherTest, TheRepeatGateHoldsRepeatsBack) {
  WebhookReceiver receiver;
  std::atomic<int> asked{0};
  DispatcherOptions options = test::fast_options();
  options.repeat_gate = [&asked](std::string_view block, std::string_view instance) {
    EXPECT_EQ(block, "b");
    EXPECT_EQ(instance, "i");
    ++asked;
    return false;
  };
  auto d = start(webhook_config(receiver.url("/hook"), "", "    repeat_after: 100ms\n"), options);
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return asked.load() >= 2; }));
  EXPECT_EQ(d->stats().repeats, 0U);
  EXPECT_EQ(d->stats().queued, 1U);
  EXPECT_EQ(d->stats().repeats_armed, 1U);
}

std::string alertmanager_config(const std::string& base, const std::string& action_extra = "") {
  return "blocks:\n"
         "  - id: b\n"
         "    instances: [{ id: i, health_url: \"http://127.0.0.1:1/health\" }]\n"
         "    repeat_after: 1h\n"  // does not apply to alertmanager actions
         "    on_transition:\n"
         "      - alertmanager: " +
         base + "\n" + action_extra;
}

std::int64_t time_of(const boost::json::value& v) {
  return parse_time_ms(std::string_view(v.as_string())).value();
}

TEST_F(ActionDispatcherTest, AlertmanagerGetsTheAlertResentWhileActiveThenResolved) {
  WebhookReceiver receiver;
  auto d = start(alertmanager_config(receiver.url("/am"),
                                     "        resend_every: 1s\n"
                                     "        labels: { severity: page }\n"));
  d->set_self_url("http://bh.example:30201");
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy, "GPU hot");
  d->notify(bad, ActionEvent::kTransition);
  ASSERT_TRUE(receiver.wait_for(2));  // fired, then re-sent a second later
  EXPECT_EQ(d->stats().alerts_firing, 1U);
  EXPECT_EQ(d->stats().suppressed, 0U);  // repeat_after plays no part
  const auto sent = receiver.requests();
  EXPECT_EQ(sent[0].target, "/am/api/v2/alerts");
  EXPECT_EQ(sent[0].header("content-type"), "application/json");
  const boost::json::value first = sent[0].json();
  ASSERT_TRUE(first.is_array()) << sent[0].body;
  ASSERT_EQ(first.as_array().size(), 1U) << first;
  const boost::json::value& alert = first.at(0);
  EXPECT_EQ(alert.at("labels"),
            boost::json::parse(R"({"alertname":"BlockInstanceUnhealthy","block":"b",)"
                               R"("instance_id":"i","policy":"gpu-temp","status":"unhealthy",)"
                               R"("severity":"page"})"));
  EXPECT_EQ(alert.at("annotations"), boost::json::parse(R"({"reason":"GPU hot"})"));
  EXPECT_EQ(time_of(alert.at("startsAt")), bad.time_ms);
  EXPECT_EQ(alert.at("generatorURL"), boost::json::value("http://bh.example:30201/v1/blocks/b"));
  const boost::json::value second = sent[1].json();
  EXPECT_EQ(second.at(0).at("labels"), alert.at("labels"));
  EXPECT_EQ(second.at(0).at("startsAt"), alert.at("startsAt"));
  EXPECT_GT(time_of(second.at(0).at("endsAt")), time_of(alert.at("endsAt")));

  const Transition good = make_transition(2, "i", Status::kUnhealthy, Status::kOk);
  d->notify(good, ActionEvent::kTransition);
  EXPECT_EQ(d->stats().alerts_firing, 0U);
  ASSERT_TRUE(wait_until([&] {
    const auto all = receiver.requests();
    return time_of(all.back().json().at(0).at("endsAt")) == good.time_ms;
  }));
  const boost::json::value last = receiver.requests().back().json();
  EXPECT_EQ(last.at(0).at("labels"), alert.at("labels"));
  ASSERT_TRUE(wait_until([&] { return d->stats().pending == 0; }));
  EXPECT_TRUE(has_metric(
      R"(blockhealth_action_deliveries_total{block="b",action="alertmanager#0",result="delivered"} )" +
      std::to_string(receiver.count())));
}

TEST_F(ActionDispatcherTest, AlertmanagerAlertIsResolvedWhileTheGateHoldsItAndFiresAfter) {
  WebhookReceiver receiver;
  std::atomic<bool> open{true};
  DispatcherOptions options = test::fast_options();
  options.repeat_gate = [&open](std::string_view, std::string_view) { return open.load(); };
  auto d = start(alertmanager_config(receiver.url(""), "        resend_every: 1s\n"), options);
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  d->notify(bad, ActionEvent::kTransition);
  ASSERT_TRUE(receiver.wait_for(1));
  open = false;  // e.g. maintenance set
  ASSERT_TRUE(wait_until([&] { return d->stats().alerts_firing == 0; }));
  ASSERT_TRUE(wait_until([&] { return d->stats().pending == 0; }));
  const auto held = receiver.requests().back();
  const std::int64_t held_ends = time_of(held.json().at(0).at("endsAt"));
  EXPECT_LE(held_ends, SystemClock::instance().wall_ms());
  const std::size_t while_held = receiver.count();
  open = true;  // lifted
  ASSERT_TRUE(wait_until([&] { return d->stats().alerts_firing == 1; }));
  ASSERT_TRUE(receiver.wait_for(while_held + 1));
  const boost::json::value again = receiver.requests()[while_held].json();
  EXPECT_EQ(time_of(again.at(0).at("startsAt")), bad.time_ms);
  EXPECT_GT(time_of(again.at(0).at("endsAt")), SystemClock::instance().wall_ms());
}

TEST_F(ActionDispatcherTest, AlertmanagerRetryCarriesAFreshEndsAt) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(503, "not ready")});
  auto d = start(
      alertmanager_config(receiver.url(""), "        backoff: 200ms\n        max_backoff: 1s\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  const auto sent = receiver.requests();
  ASSERT_EQ(sent.size(), 2U);
  const boost::json::value first = sent[0].json();
  const boost::json::value retry = sent[1].json();
  EXPECT_EQ(first.at(0).at("labels"), retry.at(0).at("labels"));
  EXPECT_EQ(first.at(0).at("startsAt"), retry.at(0).at("startsAt"));
  EXPECT_GE(time_of(retry.at(0).at("endsAt")) - time_of(first.at(0).at("endsAt")), 200);
}

TEST_F(ActionDispatcherTest, FlapEndedIsDeliveredAsSuch) {
  WebhookReceiver receiver;
  auto d = start(webhook_config(receiver.url("/hook")));
  d->notify(make_transition(5, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kFlapEnded);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(receiver.requests()[0].body.rfind(R"({"event":"flap_ended",)", 0), 0U);
}

TEST_F(ActionDispatcherTest, TheEngineListenerForwardsToTheDispatcher) {
  WebhookReceiver receiver;
  auto d = start(webhook_config(receiver.url("/hook"), "", "    repeat_after: 1h\n"));
  ActionListener listener(*d);
  EngineListener& engine_side = listener;
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  engine_side.on_transition(t);
  EXPECT_EQ(d->stats().queued, 0U);  // on_transition alone sends nothing
  engine_side.on_notify(t, NotifyKind::kFlapEnded);
  EXPECT_EQ(d->stats().repeats_armed, 1U);
  engine_side.on_transition(make_transition(2, "i", Status::kUnhealthy, Status::kOk));
  EXPECT_EQ(d->stats().repeats_armed, 0U);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(receiver.requests()[0].body, wire::webhook_body(t, ActionEvent::kFlapEnded));
  EXPECT_EQ(ActionListener::to_action_event(NotifyKind::kTransition), ActionEvent::kTransition);
}

TEST_F(ActionDispatcherTest, AnUnreadableTokenFileFailsTheAttemptUntilItIsThere) {
  WebhookReceiver receiver;
  const auto token = dir_.path() / "later-token";
  auto d =
      start(webhook_config(receiver.url("/hook"), "        token_file: " + token.string() + "\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().failed_attempts >= 2; }));
  const auto pending = outbox_.pending();
  ASSERT_TRUE(pending.has_value());
  ASSERT_EQ(pending->size(), 1U);
  EXPECT_EQ(pending->at(0).last_error,
            "token_file '" + token.string() + "': cannot open it: No such file or directory");
  EXPECT_EQ(receiver.count(), 0U);  // never sent without its token
  dir_.write("later-token", "fresh\n");
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  ASSERT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].header("authorization"), "Bearer fresh");
}

TEST_F(ActionDispatcherTest, ARestartDeliversWhatWasPendingExactlyOnce) {
  const std::uint16_t port = test::FakeInstance::closed_port();
  const std::string yaml = webhook_config("http://127.0.0.1:" + std::to_string(port) + "/hook");
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  {
    auto first = start(yaml);
    first->notify(t, ActionEvent::kTransition);
    ASSERT_TRUE(wait_until([&] { return first->stats().failed_attempts >= 1; }));
    first->stop();
  }
  ASSERT_EQ(outbox_.size(), 1U);
  EXPECT_GE(outbox_.pending()->at(0).attempts, 1);

  WebhookReceiver receiver(port);
  prometheus::MetricsRegistry second_registry;
  ActionDispatcher second(test::fast_options(), outbox_, SystemClock::instance(), &second_registry);
  second.apply(test::load_test_config(yaml));
  ASSERT_TRUE(second.start().has_value());
  ASSERT_TRUE(wait_until([&] { return second.stats().delivered == 1; }));
  EXPECT_EQ(receiver.count(), 1U);
  EXPECT_EQ(receiver.requests()[0].body, wire::webhook_body(t, ActionEvent::kTransition));
  EXPECT_EQ(outbox_.size(), 0U);
  EXPECT_EQ(second.stats().pending, 0U);
}

TEST_F(ActionDispatcherTest, NotificationsBeforeStartAreSentOnce) {
  WebhookReceiver receiver;
  auto d = make();
  d->apply(test::load_test_config(webhook_config(receiver.url("/hook"))));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  EXPECT_EQ(outbox_.size(), 1U);  // durable before anything is sent
  ASSERT_TRUE(d->start().has_value());
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(d->stats().pending, 0U);
  EXPECT_EQ(receiver.count(), 1U);
}

TEST_F(ActionDispatcherTest, StopLeavesADeliveryInFlightInTheOutbox) {
  WebhookReceiver receiver;
  receiver.set_fallback(ReceiverReply::hang());
  auto d = start(webhook_config(receiver.url("/hook"), "        timeout: 5m\n"));
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(receiver.wait_for(1));
  EXPECT_EQ(d->stats().in_flight, 1U);
  d->stop();  // does not wait for the hung POST
  ASSERT_EQ(outbox_.size(), 1U);
  EXPECT_EQ(outbox_.pending()->at(0).attempts, 0);  // the abandoned POST is not an attempt
  d->notify(make_transition(2, "i", Status::kUnhealthy, Status::kOk), ActionEvent::kTransition);
  EXPECT_EQ(outbox_.size(), 2U);  // still stored after stop, for the next start
}

TEST_F(ActionDispatcherTest, AReloadWithoutTheActionDropsItsDeliveries) {
  const std::uint16_t port = test::FakeInstance::closed_port();
  DispatcherOptions options = test::fast_options();
  options.backoff_base = std::chrono::hours(1);
  options.backoff_cap = std::chrono::hours(1);
  auto d = start(webhook_config("http://127.0.0.1:" + std::to_string(port) + "/hook"), options);
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().failed_attempts == 1; }));
  d->apply(test::load_test_config(webhook_config("http://127.0.0.1:1/elsewhere")));
  EXPECT_EQ(d->stats().dropped, 1U);
  EXPECT_EQ(d->stats().pending, 0U);
  EXPECT_EQ(outbox_.size(), 0U);
}

// An outbox whose disk is broken: add() fails.
class BrokenOutbox final : public DeliveryOutbox {
 public:
  Result<std::int64_t> add(const Delivery&) override { return fail("disk I/O error"); }
  Result<void> update(const Delivery&) override { return fail("disk I/O error"); }
  Result<void> remove(std::int64_t) override { return fail("disk I/O error"); }
  Result<std::vector<Delivery>> pending() override { return fail("disk I/O error"); }
};

TEST_F(ActionDispatcherTest, ABrokenOutboxStillDeliversFromMemory) {
  WebhookReceiver receiver;
  receiver.script({ReceiverReply::answer(500)});
  BrokenOutbox broken;
  auto d = make(test::fast_options(), &broken);
  d->apply(test::load_test_config(webhook_config(receiver.url("/hook"))));
  auto started = d->start();
  ASSERT_FALSE(started.has_value());
  EXPECT_EQ(started.error().message, "actions: cannot read pending deliveries: disk I/O error");
  d->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return d->stats().delivered == 1; }));
  EXPECT_EQ(receiver.count(), 2U);
}

TEST_F(ActionDispatcherTest, ASecondDispatcherOnOneRegistryStillWorks) {
  WebhookReceiver receiver;
  auto first = make();
  auto second = make();  // its metrics cannot be registered: logged, not fatal
  second->apply(test::load_test_config(webhook_config(receiver.url("/hook"))));
  ASSERT_TRUE(second->start().has_value());
  second->notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy),
                 ActionEvent::kTransition);
  ASSERT_TRUE(wait_until([&] { return second->stats().delivered == 1; }));
}

}  // namespace
}  // namespace blockhealth
