// Actions end to end: the real daemon calls a real loopback receiver on
// transitions (webhook and AIOS failure policy), filters by `to:`, retries
// while the receiver is down, keeps pending calls across a restart (SIGTERM
// and SIGKILL), and counts give-ups on /metrics.
//
// "Exactly once" is checked with a barrier: calls of one (instance, action)
// go out one at a time in transition order, so once a later call has
// arrived, any duplicate of an earlier one would already have arrived.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"
#include "tests/support/webhook_receiver.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kToken = "s3cret-hook-token";

double deliveries(const std::string& address, const std::string& block, const std::string& result) {
  return metric_value(address, "blockhealth_action_deliveries_total",
                      {"block=\"" + block + "\"", "result=\"" + result + "\""});
}

class Actions : public ::testing::Test {
 protected:
  // One config-file instance `node-1` in block `svc`, judged by test_echo,
  // evaluated only on request; `actions` is the block's on_transition list.
  std::string config(const std::string& actions) const {
    return on_request_yaml({"test_echo"}) + "state_dir: '" + state_dir().string() + "'\n" +
           R"(
blocks:
  - id: svc
    instances:
      - id: node-1
    policies:
      - use: test_echo
    on_transition:
)" + actions;
  }

  std::filesystem::path state_dir() const { return dir_.path() / "state"; }

  void start(const std::string& actions) {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config(actions));
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "svc", "pause").status, 200);
  }

  const std::string& address() const { return daemon_->address(); }

  // Brings the receiver back on its port. The port is free while it is
  // down, so another process's connect or bind may hold it for a moment:
  // retry until the deadline.
  bool restart_receiver() {
    return wait_until([&] {
      try {
        receiver_.start();
        return true;
      } catch (const std::exception& e) {
        last_start_error_ = e.what();
        return false;
      }
    });
  }

  // Pushes test_status `value` to node-1 and evaluates until its status is
  // `status`.
  void set_status(int value, const std::string& status) {
    ASSERT_EQ(push_status(address(), "svc", "node-1", value).status, 200);
    const json::value view = evaluate_and_wait(address(), "svc", [&](const json::value& v) {
      return str(instance_of(v, "node-1"), "status") == status;
    });
    ASSERT_EQ(str(instance_of(view, "node-1"), "status"), status) << view;
  }

  TempDir dir_;
  WebhookReceiver receiver_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string last_start_error_;
};

TEST_F(Actions, OneTransitionIsOneWebhookWithTheRightBodyAndHeaders) {
  const auto token_file = dir_.write("hook-token", std::string(kToken) + "\n");
  start("      - webhook: " + receiver_.url("/hook?team=gpu") +
        "\n        headers: { X-Team: gpu }\n        token_file: '" + token_file.string() +
        "'\n        timeout: 2s\n");
  set_status(2, "unhealthy");
  ASSERT_TRUE(receiver_.wait_for(1));

  // The same state evaluated again is no new transition.
  set_status(2, "unhealthy");
  set_status(2, "unhealthy");
  // Barrier: the next transition's call.
  set_status(0, "ok");
  ASSERT_TRUE(receiver_.wait_for(2));

  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 2u);
  const ReceivedRequest& first = requests[0];
  EXPECT_EQ(first.method, "POST");
  EXPECT_EQ(first.target, "/hook?team=gpu");
  EXPECT_EQ(first.header("content-type"), "application/json");
  EXPECT_EQ(first.header("user-agent"), "blockhealthd");
  EXPECT_EQ(first.header("x-team"), "gpu");
  EXPECT_EQ(first.header("authorization"), std::string("Bearer ") + kToken);

  const json::value body = first.json();
  EXPECT_EQ(str(body, "event"), "transition");
  EXPECT_EQ(str(body, "block_id"), "svc");
  EXPECT_EQ(str(body, "instance_id"), "node-1");
  EXPECT_EQ(str(body, "from"), "unknown");
  EXPECT_EQ(str(body, "to"), "unhealthy");
  EXPECT_EQ(str(body, "policy"), "test_echo");
  EXPECT_NE(str(body, "reason").find("test_status=2"), std::string::npos) << body;
  EXPECT_FALSE(str(body, "time").empty()) << body;
  ASSERT_TRUE(body.at("seq").is_number()) << body;
  ASSERT_TRUE(body.at("evidence").is_object()) << body;
  EXPECT_EQ(body.at("repeat"), json::value(false));

  // The seq is the transition's, as in the block's history.
  const HttpReply history = http_get(address(), "/v1/blocks/svc/history");
  ASSERT_EQ(history.status, 200);
  bool found = false;
  const json::value history_json = history.json();
  for (const json::value& t : history_json.at("transitions").as_array()) {
    if (str(t, "to") == "unhealthy") {
      EXPECT_EQ(t.at("seq"), body.at("seq")) << t;
      found = true;
    }
  }
  EXPECT_TRUE(found) << history.body;

  const json::value second = requests[1].json();
  EXPECT_EQ(str(second, "from"), "unhealthy");
  EXPECT_EQ(str(second, "to"), "ok");
  EXPECT_GT(second.at("seq").to_number<std::int64_t>(), body.at("seq").to_number<std::int64_t>());
  EXPECT_TRUE(wait_until([&] { return deliveries(address(), "svc", "delivered") == 2; }));
}

TEST_F(Actions, FailurePolicyGetsTheAiosBodyOnlyForItsToStatuses) {
  start("      - failure_policy: " + receiver_.url("/aios") +
        "\n        failure_policy_id: restart-instance\n"
        "        parameters: { max_restarts: 3, mode: soft, quoted: \"3\" }\n"
        "        to: [unhealthy]\n");
  set_status(2, "unhealthy");
  ASSERT_TRUE(receiver_.wait_for(1));
  set_status(0, "ok");        // not in to:
  set_status(1, "degraded");  // not in to:
  set_status(2, "unhealthy");
  ASSERT_TRUE(receiver_.wait_for(2));

  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const ReceivedRequest& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/aios/executeFailurePolicy");
    EXPECT_EQ(r.header("content-type"), "application/json");
    const json::value body = r.json();
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_EQ(body.as_object().size(), 3u) << body;
    EXPECT_EQ(str(body, "failure_policy_id"), "restart-instance");
    const json::value& inputs = body.at("inputs");
    EXPECT_EQ(inputs.as_object().size(), 4u) << inputs;
    EXPECT_EQ(str(inputs, "block_id"), "svc");
    EXPECT_EQ(str(inputs, "instance_id"), "node-1");
    EXPECT_EQ(str(inputs, "status"), "unhealthy");
    EXPECT_NE(str(inputs, "reason").find("test_status=2"), std::string::npos) << inputs;
    EXPECT_EQ(body.at("parameters"),
              json::parse(R"({"max_restarts":3,"mode":"soft","quoted":"3"})"));
  }
}

TEST_F(Actions, RetriesWhileTheReceiverIsDownThenDelivers) {
  // Down before the daemon starts: the daemon would otherwise inherit the
  // receiver's listening socket (the test's sockets are not close-on-exec)
  // and keep the port listening after stop().
  receiver_.stop();
  start("      - webhook: " + receiver_.url("/hook") + "\n        timeout: 1s\n");
  set_status(2, "unhealthy");
  // Two failed attempts (connection refused), then the receiver is back.
  ASSERT_TRUE(wait_until([&] { return deliveries(address(), "svc", "failed_attempt") >= 2; }))
      << daemon_->log();
  EXPECT_EQ(receiver_.count(), 0u);
  ASSERT_TRUE(restart_receiver()) << last_start_error_;
  ASSERT_TRUE(receiver_.wait_for(1)) << daemon_->log();
  EXPECT_EQ(str(receiver_.requests()[0].json(), "to"), "unhealthy");
  EXPECT_TRUE(wait_until([&] { return deliveries(address(), "svc", "delivered") == 1; }));
  EXPECT_TRUE(
      wait_until([&] { return metric_value(address(), "blockhealth_action_pending", {}) == 0; }));
}

TEST_F(Actions, A503IsRetriedWithTheSameBody) {
  start("      - webhook: " + receiver_.url("/hook") + "\n");
  receiver_.script({ReceiverReply::answer(503, "busy")});
  set_status(2, "unhealthy");
  ASSERT_TRUE(receiver_.wait_for(2)) << daemon_->log();
  const auto requests = receiver_.requests();
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_TRUE(wait_until([&] { return deliveries(address(), "svc", "delivered") == 1; }));
  EXPECT_GE(deliveries(address(), "svc", "failed_attempt"), 1);
}

TEST_F(Actions, RefusedCallIsGivenUpAndCountedOnMetrics) {
  start("      - webhook: " + receiver_.url("/hook") + "\n");
  receiver_.set_fallback(ReceiverReply::answer(400, "bad body"));
  set_status(2, "unhealthy");
  ASSERT_TRUE(wait_until([&] { return deliveries(address(), "svc", "gave_up") == 1; }))
      << daemon_->log();
  EXPECT_EQ(receiver_.count(), 1u);
  EXPECT_NE(daemon_->log().find("400"), std::string::npos) << daemon_->log();
  // Barrier: the next call goes out (the refused one is not retried before it).
  receiver_.set_fallback(ReceiverReply::answer(200));
  set_status(0, "ok");
  ASSERT_TRUE(receiver_.wait_for(2));
  EXPECT_EQ(receiver_.count(), 2u);
  EXPECT_EQ(str(receiver_.requests()[1].json(), "to"), "ok");
}

// max_attempts and backoff per action: a receiver that keeps failing gets
// exactly max_attempts calls, then the call is given up and counted.
TEST_F(Actions, ACallFailingMaxAttemptsTimesIsGivenUp) {
  start("      - webhook: " + receiver_.url("/hook") +
        "\n        max_attempts: 3\n        backoff: 100ms\n        max_backoff: 200ms\n");
  receiver_.set_fallback(ReceiverReply::answer(503, "still busy"));
  set_status(2, "unhealthy");
  ASSERT_TRUE(wait_until([&] { return deliveries(address(), "svc", "gave_up") == 1; }))
      << daemon_->log();
  EXPECT_EQ(receiver_.count(), 3u);
  EXPECT_EQ(deliveries(address(), "svc", "failed_attempt"), 3);
  EXPECT_NE(daemon_->log().find("after 3 attempts; last error: answered HTTP 503: still busy"),
            std::string::npos)
      << daemon_->log();
  // Barrier: the next call goes out, and no fourth attempt of the first came before it.
  receiver_.set_fallback(ReceiverReply::answer(200));
  set_status(0, "ok");
  ASSERT_TRUE(receiver_.wait_for(4));
  EXPECT_EQ(receiver_.count(), 4u);
  EXPECT_EQ(str(receiver_.requests()[3].json(), "to"), "ok");
}

// Receiver down, the daemon stops (cleanly or killed), starts again on the
// same folder and state_dir, the receiver comes back: the pending call
// arrives exactly once.
class ActionsAcrossRestart : public Actions, public ::testing::WithParamInterface<int> {};

TEST_P(ActionsAcrossRestart, PendingCallArrivesExactlyOnce) {
  const std::string actions = "      - webhook: " + receiver_.url("/hook") +
                              "\n        to: [unhealthy, ok]\n        timeout: 1s\n";
  receiver_.stop();  // before the daemon starts (see RetriesWhileTheReceiverIsDownThenDelivers)
  start(actions);
  set_status(2, "unhealthy");
  ASSERT_TRUE(wait_until([&] { return deliveries(address(), "svc", "failed_attempt") >= 1; }));
  ASSERT_TRUE(std::filesystem::exists(state_dir() / "blockhealth.db"));

  daemon_->signal(GetParam());
  const auto code = daemon_->wait_exit();
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, GetParam() == SIGKILL ? 128 + SIGKILL : 0) << daemon_->log();
  daemon_.reset();

  start(actions);
  ASSERT_TRUE(restart_receiver()) << last_start_error_;
  ASSERT_TRUE(receiver_.wait_for(1)) << daemon_->log();
  const json::value first = receiver_.requests()[0].json();
  EXPECT_EQ(str(first, "to"), "unhealthy");
  EXPECT_EQ(str(first, "instance_id"), "node-1");

  // Barrier: a new transition after the restart.
  set_status(0, "ok");
  ASSERT_TRUE(receiver_.wait_for(2)) << daemon_->log();
  const auto requests = receiver_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(str(requests[1].json(), "to"), "ok");
}

INSTANTIATE_TEST_SUITE_P(Signals, ActionsAcrossRestart, ::testing::Values(SIGTERM, SIGKILL),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == SIGKILL ? std::string("Sigkill")
                                                        : std::string("Sigterm");
                         });

}  // namespace
}  // namespace blockhealth::test
