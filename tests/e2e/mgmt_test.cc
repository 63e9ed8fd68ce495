// POST /block/<id>/health-checker/mgmt: the built-in actions (get_state,
// pause, resume, evaluate), errors, and actions routed to a policy's manage.
#include <gtest/gtest.h>

#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

class Mgmt : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string config = on_request_yaml({"test_echo", "test_fail"}) + R"(
blocks:
  - id: block
    instances:
      - id: node
    policies:
      - use: test_echo
        id: echo
  - id: other
    policies:
      - use: test_fail
)";
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "block", "pause").status, 200);
    ASSERT_EQ(mgmt(address(), "other", "pause").status, 200);
  }
  const std::string& address() const { return daemon_->address(); }
  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Mgmt, GetStateAnswersTheBlockView) {
  const HttpReply reply = mgmt(address(), "block", "get_state");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::value body = reply.json();
  EXPECT_TRUE(body.at("success").as_bool());
  const json::value& result = body.at("result");
  EXPECT_EQ(str(result, "block_id"), "block");
  EXPECT_TRUE(result.at("paused").as_bool());
  EXPECT_EQ(str(instance_of(result, "node"), "status"), "unknown") << result;
  EXPECT_EQ(str(policy_state_of(result, "echo"), "use"), "test_echo") << result;
  // The same object as GET /v1/blocks/<id>, but for the volatile parts.
  json::value view = block_view(address(), "block");
  EXPECT_EQ(result.at("instances"), view.at("instances"));
  EXPECT_EQ(result.at("status"), view.at("status"));
}

TEST_F(Mgmt, PauseAndResumeShowInTheViews) {
  HttpReply reply = mgmt(address(), "block", "resume");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json(),
            json::parse(R"({"success":true,"data":{"action":"resume","block_id":"block"},)"
                        R"("result":{"action":"resume","block_id":"block"}})"));
  EXPECT_FALSE(block_view(address(), "block").at("paused").as_bool());

  reply = mgmt(address(), "block", "pause");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("result").at("action").as_string(), "pause");
  EXPECT_TRUE(block_view(address(), "block").at("paused").as_bool());
  const json::value list = http_get(address(), "/v1/blocks").json();
  ASSERT_EQ(list.at("blocks").as_array().size(), 2u) << list;
  EXPECT_EQ(str(list.at("blocks").at(0), "block_id"), "block");
  EXPECT_TRUE(list.at("blocks").at(0).at("paused").as_bool()) << list;
}

TEST_F(Mgmt, EvaluateRunsThePoliciesOfAPausedBlock) {
  ASSERT_EQ(push_status(address(), "block", "node", 2).status, 200);
  const std::uint64_t before = total_calls(block_view(address(), "block"));
  const HttpReply reply = mgmt(address(), "block", "evaluate");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("result").at("action").as_string(), "evaluate");
  const json::value view = wait_for_view(address(), "block", [](const json::value& v) {
    return str(instance_of(v, "node"), "status") == "unhealthy";
  });
  EXPECT_EQ(total_calls(view), before + 1);
  EXPECT_TRUE(view.at("paused").as_bool());
}

// Without mgmt_data.policy, an action that is not built in goes to the
// block's only policy with management actions (AIOS's one
// stabilityChecker); here test_echo, which refuses it.
TEST_F(Mgmt, AnActionWithoutPolicyGoesToTheOnlyManagedPolicy) {
  const HttpReply reply = mgmt(address(), "block", "explode");
  EXPECT_EQ(reply.status, 400) << reply.body;
  const std::string expected =
      "mgmt_action 'explode' is not built in (get_state, pause, resume, evaluate, reload); "
      "policy test_echo failed: unknown action explode";
  EXPECT_EQ(str(reply.json(), "message"), expected);
  EXPECT_EQ(str(reply.json(), "error"), expected);  // AIOS clients read `error`
}

TEST_F(Mgmt, AnActionWithoutPolicyInABlockWithoutManagedPoliciesIs400) {
  const HttpReply reply = mgmt(address(), "other", "explode");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(str(reply.json(), "message"),
            "mgmt_action 'explode' is not built in (get_state, pause, resume, evaluate, reload); "
            "block 'other' has no policy with management actions");
}

TEST_F(Mgmt, AnswersCarryDataAsAiosDoesAndResultForOlderClients) {
  const HttpReply reply = mgmt(address(), "block", "resume");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("data"), reply.json().at("result"));
  EXPECT_EQ(str(reply.json().at("data"), "action"), "resume");
}

TEST_F(Mgmt, MalformedBodiesAre400) {
  const std::string target = "/block/block/health-checker/mgmt";
  HttpReply reply = http_post(address(), target, R"({"mgmt_data": {}})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(str(reply.json(), "message"), "mgmt_action: expected a non-empty string");
  reply = http_post(address(), target, R"({"mgmt_action": 3})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(str(reply.json(), "message"), "mgmt_action: expected a non-empty string");
  reply = http_post(address(), target, R"({"mgmt_action": "echo", "mgmt_data": [1]})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(str(reply.json(), "message"), "mgmt_data: expected an object");
  reply = http_post(address(), target, R"({"mgmt_action": "echo", "mgmt_data": {"policy": 1}})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(str(reply.json(), "message"), "mgmt_data.policy: expected a string");
  reply = http_post(address(), target, R"(["mgmt_action"])");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(str(reply.json(), "message").find("expected a JSON object"), std::string::npos);
}

TEST_F(Mgmt, UnknownBlockIs404) {
  const HttpReply reply = mgmt(address(), "nope", "get_state");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(str(reply.json(), "message"), "block 'nope' is not configured");
}

TEST_F(Mgmt, PolicyActionsReachManageByIdOrName) {
  const json::value data = json::parse(R"({"policy": "echo", "x": [1, "two", {"three": 3}]})");
  HttpReply reply = mgmt(address(), "block", "echo", data);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(reply.json().at("success").as_bool());
  // The whole mgmt_data object reaches the policy.
  EXPECT_EQ(reply.json().at("result"), json::object({{"echo", data}})) << reply.body;

  reply = mgmt(address(), "block", "count", json::parse(R"({"policy": "test_echo"})"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("result"), json::parse(R"({"evaluations": 0})"));
  ASSERT_EQ(push_status(address(), "block", "node", 0).status, 200);
  evaluate_and_wait(address(), "block");
  reply = mgmt(address(), "block", "count", json::parse(R"({"policy": "echo"})"));
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("result"), json::parse(R"({"evaluations": 1})"));
}

TEST_F(Mgmt, PolicyRefusingAnActionIs400WithItsMessage) {
  const HttpReply reply = mgmt(address(), "block", "dance", json::parse(R"({"policy": "echo"})"));
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_NE(str(reply.json(), "message").find("unknown action dance"), std::string::npos)
      << reply.body;
}

TEST_F(Mgmt, UnknownPolicyIs404) {
  const HttpReply reply = mgmt(address(), "block", "echo", json::parse(R"({"policy": "ghost"})"));
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_EQ(str(reply.json(), "message"), "block 'block' has no policy 'ghost'");
}

TEST_F(Mgmt, PolicyWithoutManageIsAnError) {
  const HttpReply reply =
      mgmt(address(), "other", "anything", json::parse(R"({"policy": "test_fail"})"));
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(str(reply.json(), "message"),
            "policy 'test_fail' (test_fail) has no management actions");
}

TEST_F(Mgmt, GetStateSurvivesNonFiniteEvidence) {
  // test_echo puts the pushed value in its evidence; a NaN there must not
  // break get_state (nor the daemon).
  ASSERT_EQ(push_metrics(address(), "block", "node", R"({"test_status": "NaN"})").status, 200);
  ASSERT_EQ(mgmt(address(), "block", "evaluate").status, 200);
  // Read the raw body: whether it is valid JSON is another test's concern.
  std::string raw;
  ASSERT_TRUE(wait_until([&] {
    raw = http_get(address(), "/v1/blocks/block").body;
    return raw.find(R"("calls":1,)") != std::string::npos &&
           raw.find(R"("busy":false)") != std::string::npos;
  })) << raw;
  const HttpReply reply = mgmt(address(), "block", "get_state");
  EXPECT_EQ(reply.status, 200) << reply.error << reply.body;
  EXPECT_EQ(http_get(address(), "/healthz").status, 200) << "the daemon died:\n" << daemon_->log();
}

}  // namespace
}  // namespace blockhealth::test
