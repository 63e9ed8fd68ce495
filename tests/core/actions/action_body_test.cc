#include <gtest/gtest.h>

#include "core/actions/action_plan.h"
#include "core/wire/action_bodies.h"
#include "tests/core/actions/action_test_util.h"

namespace blockhealth {
namespace {

using test::make_transition;
using wire::failure_policy_body;
using wire::webhook_body;

TEST(ActionBody, WebhookBodyHasEveryFieldInOrder) {
  Transition t = make_transition(7, "executor", Status::kOk, Status::kUnhealthy, "GPU 0 at 91C");
  t.evidence = Evidence{"DCGM_FI_DEV_GPU_TEMP", 91, 88.5};
  EXPECT_EQ(webhook_body(t, ActionEvent::kTransition),
            R"({"event":"transition","seq":7,"time":"2026-01-01T00:00:07.000Z",)"
            R"("block_id":"b","instance_id":"executor","from":"ok","to":"unhealthy",)"
            R"("policy":"gpu-temp","reason":"GPU 0 at 91C",)"
            R"("evidence":{"metric":"DCGM_FI_DEV_GPU_TEMP","observed":91,"limit":88.5},)"
            R"("repeat":false})");
}

TEST(ActionBody, WebhookBodyWithoutEvidenceSaysNull) {
  const Transition t = make_transition(1, "i", Status::kUnknown, Status::kDegraded, "slow");
  const std::string body = webhook_body(t, ActionEvent::kTransition);
  EXPECT_NE(body.find(R"("evidence":null,"repeat":false})"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("from":"unknown","to":"degraded")"), std::string::npos) << body;
}

TEST(ActionBody, RepeatIsTheTransitionWithRepeatTrue) {
  const Transition t = make_transition(3, "i", Status::kOk, Status::kUnhealthy);
  const std::string body = webhook_body(t, ActionEvent::kRepeat);
  EXPECT_EQ(body.rfind(R"({"event":"transition","seq":3,)", 0), 0U) << body;
  EXPECT_NE(body.find(R"("repeat":true})"), std::string::npos) << body;
}

TEST(ActionBody, FlapEndedSaysSo) {
  const Transition t = make_transition(4, "i", Status::kOk, Status::kUnhealthy);
  const std::string body = webhook_body(t, ActionEvent::kFlapEnded);
  EXPECT_EQ(body.rfind(R"({"event":"flap_ended",)", 0), 0U) << body;
  EXPECT_NE(body.find(R"("repeat":false})"), std::string::npos) << body;
}

TEST(ActionBody, StringsAreEscaped) {
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy, "said \"no\"\n");
  const std::string body = webhook_body(t, ActionEvent::kTransition);
  EXPECT_NE(body.find(R"("reason":"said \"no\"\n")"), std::string::npos) << body;
}

TEST(ActionBody, FailurePolicyBodyIsTheAiosShape) {
  const Transition t = make_transition(9, "in-vkkv", Status::kOk, Status::kUnhealthy, "CUDA error");
  boost::json::object params{{"max_restarts", 3}};
  EXPECT_EQ(failure_policy_body(t, "restart-instance", params),
            R"({"failure_policy_id":"restart-instance","inputs":{"block_id":"b",)"
            R"("instance_id":"in-vkkv","status":"unhealthy","reason":"CUDA error"},)"
            R"("parameters":{"max_restarts":3}})");
}

TEST(ActionBody, FailurePolicyWithoutParametersSendsAnEmptyObject) {
  const Transition t = make_transition(9, "x", Status::kUnhealthy, Status::kUnknown, "stale");
  EXPECT_EQ(failure_policy_body(t, "p", nullptr),
            R"({"failure_policy_id":"p","inputs":{"block_id":"b","instance_id":"x",)"
            R"("status":"unknown","reason":"stale"},"parameters":{}})");
}

TEST(ActionBody, ParametersAreTypedByYaml12) {
  const Config config = test::load_test_config(R"(
blocks:
  - id: b
    instances: [{ id: i, health_url: "http://127.0.0.1:1/health" }]
    on_transition:
      - failure_policy: http://127.0.0.1:1/fp
        failure_policy_id: restart
        parameters: { n: 3, quoted: "3", yes_word: yes, flag: true, ratio: 0.5, none: ~,
                      list: [a, 1] }
      - failure_policy: http://127.0.0.1:1/fp2
        failure_policy_id: other
)");
  const ActionPlan plan = ActionPlan::build(config, nullptr);
  const BlockActions* block = plan.block("b");
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(block->actions.size(), 2U);
  const Transition t = make_transition(1, "i", Status::kOk, Status::kUnhealthy, "r");
  EXPECT_EQ(failure_policy_body(t, "restart", block->actions[0].parameters),
            R"({"failure_policy_id":"restart","inputs":{"block_id":"b","instance_id":"i",)"
            R"("status":"unhealthy","reason":"r"},"parameters":{"n":3,"quoted":"3",)"
            R"("yes_word":"yes","flag":true,"ratio":0.5,"none":null,"list":["a",1]}})");
  EXPECT_EQ(block->actions[1].parameters, boost::json::value(boost::json::object{}));
}

TEST(ActionPlan, NamesActionsByKindAndPositionAndFindsMovedOnes) {
  const Config config = test::load_test_config(R"(
defaults:
  repeat_after: 10m
blocks:
  - id: b
    instances: [{ id: i, health_url: "http://127.0.0.1:1/health" }]
    on_transition:
      - webhook: http://127.0.0.1:1/a
        to: [unhealthy, unknown]
      - failure_policy: http://127.0.0.1:1
        failure_policy_id: restart
  - id: quiet
    instances: [{ id: i, health_url: "http://127.0.0.1:1/health" }]
)");
  const ActionPlan plan = ActionPlan::build(config, nullptr);
  EXPECT_EQ(plan.block("quiet"), nullptr);
  const BlockActions* block = plan.block("b");
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->repeat_after, std::chrono::minutes(10));
  ASSERT_EQ(block->actions.size(), 2U);
  EXPECT_EQ(block->actions[0].name, "webhook#0");
  EXPECT_EQ(block->actions[1].name, "failure_policy#1");
  EXPECT_EQ(block->actions[1].url.text, "http://127.0.0.1:1/executeFailurePolicy");
  EXPECT_TRUE(block->actions[0].triggers_on(Status::kUnknown));
  EXPECT_FALSE(block->actions[0].triggers_on(Status::kOk));
  // By name and URL; by URL when moved; nothing when the URL changed.
  EXPECT_EQ(block->find("webhook#0", "http://127.0.0.1:1/a"), &block->actions[0]);
  EXPECT_EQ(block->find("webhook#3", "http://127.0.0.1:1/a"), &block->actions[0]);
  EXPECT_EQ(block->find("failure_policy#0", "http://127.0.0.1:1/executeFailurePolicy"),
            &block->actions[1]);
  EXPECT_EQ(block->find("webhook#0", "http://127.0.0.1:1/other"), nullptr);
  EXPECT_EQ(block->find("failure_policy#1", "http://127.0.0.1:1/a"), nullptr);
}

}  // namespace
}  // namespace blockhealth
