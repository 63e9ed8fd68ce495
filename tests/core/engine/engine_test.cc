// The Engine facade driven in process with real plugins: verdicts from
// pushed samples to the published views, transitions, hysteresis,
// staleness, pausing and the errors of its methods.
#include "core/engine/engine.h"

#include <blockhealth/policy_abi.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/wire/block_bodies.h"
#include "core/wire/plugins_json.h"
#include "tests/core/engine/engine_harness.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

std::string echo_config(const std::string& block_extra = "") {
  return test_defaults_yaml() +
         "blocks:\n"
         "  - id: b\n" +
         block_extra +
         "    instances:\n"
         "      - id: i1\n"
         "      - id: i2\n"
         "      - id: i3\n"
         "    policies:\n"
         "      - use: test_echo\n"
         "        id: echo\n";
}

// i2 of echo_config's block went unhealthy (and was notified) before a restart.
Transition make_unhealthy_before_restart() {
  Transition t;
  t.seq = 7;
  t.time_ms = EngineHarness::kStartMs - 60'000;
  t.block_id = "b";
  t.instance_id = "i2";
  t.from = Status::kOk;
  t.to = Status::kUnhealthy;
  t.policy = "echo";
  t.reason = "echo: test_status=2";
  return t;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineHarness h_;
};

TEST_F(EngineTest, BeforeAnyObservationEveryInstanceIsUnknown) {
  h_.apply(echo_config());
  const auto view = h_.view("b");
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(view->status, Status::kUnknown);
  EXPECT_FALSE(view->healthy);
  ASSERT_EQ(view->instances.size(), 3U);
  for (const InstanceView& in : view->instances) {
    EXPECT_EQ(in.status, Status::kUnknown) << in.id;
    EXPECT_EQ(in.reason, "no observations yet") << in.id;
    EXPECT_FALSE(in.pushed);
  }
  const json::value aios = json::parse(test::aios_text(*view, h_.clock().wall_ms()));
  EXPECT_EQ(aios.at("healthy"), false);
  EXPECT_EQ(aios.at("instances").at(0).at("reason"), "no observations yet");
  EXPECT_FALSE(aios.at("instances").at(0).as_object().contains("lastMetrics"));
}

TEST_F(EngineTest, VerdictsFlowFromPushedSamplesToTheViews) {
  h_.apply(echo_config());
  h_.push_status("b", "i1", 0);
  h_.push_status("b", "i2", 1);
  h_.evaluate("b");

  const InstanceView i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kOk);
  EXPECT_EQ(i1.policy, "echo");
  EXPECT_EQ(i1.reason, "echo: test_status=0");
  ASSERT_EQ(i1.policies.size(), 1U);
  EXPECT_EQ(i1.policies[0].status, Status::kOk);
  EXPECT_EQ(i1.policies[0].raw_status, Status::kOk);
  EXPECT_EQ(i1.policies[0].streak, 1);
  EXPECT_EQ(i1.policies[0].evaluated_ms, EngineHarness::kStartMs);
  EXPECT_EQ(i1.last_seen_ms, EngineHarness::kStartMs);

  const InstanceView i2 = h_.instance("b", "i2");
  EXPECT_EQ(i2.status, Status::kDegraded);
  EXPECT_EQ(i2.reason, "echo: test_status=1");
  ASSERT_TRUE(i2.evidence.has_value());
  EXPECT_EQ(i2.evidence->metric, "test_status");
  EXPECT_EQ(i2.evidence->observed, 1);

  // Never heard of: the staleness check speaks before the policy.
  const InstanceView i3 = h_.instance("b", "i3");
  EXPECT_EQ(i3.status, Status::kUnknown);
  EXPECT_EQ(i3.policy, "staleness");
  EXPECT_EQ(i3.reason, "no observations yet");
  EXPECT_EQ(i3.policies[0].reason, "no test_status sample");

  const auto view = h_.view("b");
  EXPECT_EQ(view->status, Status::kUnknown);  // worst: unknown > degraded
  EXPECT_FALSE(view->healthy);

  h_.clock().advance_ms(1'500);
  const json::value aios = json::parse(test::aios_text(*view, h_.clock().wall_ms()));
  const json::array& ins = aios.at("instances").as_array();
  EXPECT_EQ(ins.at(0).at("healthy"), true);
  EXPECT_EQ(ins.at(0).at("lastMetrics"), "1.5s ago");
  EXPECT_FALSE(ins.at(0).as_object().contains("reason"));
  EXPECT_EQ(ins.at(1).at("healthy"), true);                // degraded still serves
  EXPECT_FALSE(ins.at(1).as_object().contains("reason"));  // AIOS: reasons on unhealthy rows only
  EXPECT_EQ(ins.at(2).at("healthy"), false);
}

TEST_F(EngineTest, AnUnhealthyResultCarriesItsEvidence) {
  h_.apply(echo_config());
  h_.push_status("b", "i1", 2);
  h_.evaluate("b");
  const InstanceView i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnhealthy);
  EXPECT_EQ(i1.reason, "echo: test_status=2");
  ASSERT_TRUE(i1.evidence.has_value());
  EXPECT_EQ(i1.evidence->observed, 2);
  EXPECT_EQ(i1.evidence->limit, 0);
  const json::value detail = json::parse(wire::bodies_of(*h_.view("b")).detail());
  EXPECT_EQ(detail.at("instances").at(0).at("evidence").at("metric"), "test_status");
}

TEST_F(EngineTest, EveryCallIsReportedToTheListener) {
  h_.apply(echo_config());
  h_.evaluate("b");
  h_.evaluate("b");
  EXPECT_EQ(h_.listener().outcome_count("b", "echo", CallOutcome::kOk), 2U);
  EXPECT_EQ(h_.policy_state("b", "echo").calls, 2U);
  EXPECT_FALSE(h_.policy_state("b", "echo").busy);
}

TEST_F(EngineTest, TransitionsAreReportedOnceAndKeptInTheHistory) {
  h_.apply(echo_config());
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  h_.evaluate("b");  // the same verdict again: no transition
  h_.clock().advance_ms(1'000);
  h_.push_status("b", "i1", 2);
  h_.evaluate("b");
  h_.evaluate("b");

  std::vector<Transition> mine;
  for (const Transition& t : h_.listener().transitions()) {
    if (t.instance_id == "i1") mine.push_back(t);
  }
  ASSERT_EQ(mine.size(), 2U);
  EXPECT_EQ(mine[0].block_id, "b");
  EXPECT_EQ(mine[0].from, Status::kUnknown);
  EXPECT_EQ(mine[0].to, Status::kOk);
  EXPECT_EQ(mine[0].policy, "echo");
  EXPECT_EQ(mine[0].time_ms, EngineHarness::kStartMs);
  EXPECT_EQ(mine[1].from, Status::kOk);
  EXPECT_EQ(mine[1].to, Status::kUnhealthy);
  EXPECT_EQ(mine[1].reason, "echo: test_status=2");
  EXPECT_EQ(mine[1].time_ms, EngineHarness::kStartMs + 1'000);
  EXPECT_GT(mine[1].seq, mine[0].seq);

  // The block's history: every instance's transitions, newest first.
  const auto view = h_.view("b");
  ASSERT_NE(view->history, nullptr);
  const auto all = h_.listener().transitions();
  ASSERT_EQ(wire::history_items(*view->history).size(), all.size());
  const json::value newest = json::parse(wire::history_items(*view->history).front());
  EXPECT_EQ(newest.at("seq").to_number<std::uint64_t>(), all.back().seq);
  EXPECT_EQ(newest.at("instance_id"), "i1");
  EXPECT_EQ(newest.at("to"), "unhealthy");
}

// A held transition says what held it, in words (held_by) and for code
// (hold); a notified one says neither.
TEST_F(EngineTest, HeldTransitionsSayWhatHeldThem) {
  h_.apply(echo_config());
  const auto last_of_i1 = [&] {
    Transition last;
    for (const Transition& t : h_.listener().transitions()) {
      if (t.instance_id == "i1") last = t;
    }
    return last;
  };
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  EXPECT_EQ(last_of_i1().hold, HoldKind::kNone);
  EXPECT_EQ(last_of_i1().held_by, "");

  const std::int64_t hour_later = EngineHarness::kStartMs + 3'600'000;
  ASSERT_TRUE(h_.engine().set_maintenance("b", "i1", "kernel upgrade", hour_later).has_value());
  h_.push_status("b", "i1", 2);
  h_.evaluate("b");
  EXPECT_EQ(last_of_i1().to, Status::kUnhealthy);
  EXPECT_EQ(last_of_i1().hold, HoldKind::kMaintenance);
  EXPECT_EQ(last_of_i1().held_by, "maintenance: kernel upgrade");
  ASSERT_TRUE(h_.engine().lift_maintenance("b", "i1").has_value());

  ASSERT_TRUE(h_.engine().add_silence("b", "", "noisy", hour_later).has_value());
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  EXPECT_EQ(last_of_i1().to, Status::kOk);
  EXPECT_EQ(last_of_i1().hold, HoldKind::kSilence);
  EXPECT_EQ(last_of_i1().held_by.rfind("silenced by ", 0), 0U) << last_of_i1().held_by;
  EXPECT_TRUE(h_.listener().notifications().size() == 1U);  // only the first ok

  // After a restart: the status notified before it is not news.
  EngineHarness restarted;
  restarted.apply(echo_config());
  Transition before = make_unhealthy_before_restart();
  restarted.engine().restore_history({before});
  restarted.push_status("b", "i2", 2);
  restarted.evaluate("b");
  Transition again;
  for (const Transition& t : restarted.listener().transitions()) {
    if (t.instance_id == "i2") again = t;
  }
  EXPECT_EQ(again.to, Status::kUnhealthy);
  EXPECT_EQ(again.hold, HoldKind::kNotifiedBeforeRestart);
  EXPECT_EQ(again.held_by, "already notified before the restart");
  EXPECT_TRUE(restarted.listener().notifications().empty());
}

TEST_F(EngineTest, HysteresisHoldsTheStatusUntilTheStreakIsLongEnough) {
  h_.apply(echo_config("    unhealthy_after: 3\n    healthy_after: 2\n"));
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kUnknown);  // 1 of 2 OKs
  h_.evaluate("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);

  h_.push_status("b", "i1", 2);
  h_.evaluate("b");
  h_.evaluate("b");
  InstanceView i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kOk);
  EXPECT_EQ(i1.policies[0].raw_status, Status::kUnhealthy);
  EXPECT_EQ(i1.policies[0].streak, 2);
  h_.evaluate("b");
  i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnhealthy);
  EXPECT_EQ(i1.policies[0].streak, 3);

  std::size_t transitions = 0;
  for (const Transition& t : h_.listener().transitions()) transitions += t.instance_id == "i1";
  EXPECT_EQ(transitions, 2U);
}

TEST_F(EngineTest, StalenessFollowsTheClock) {
  h_.apply(echo_config());
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  ASSERT_EQ(h_.instance("b", "i1").status, Status::kOk);

  h_.clock().advance_ms(86'400'000);  // exactly stale_after: not stale yet
  h_.evaluate("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);

  h_.clock().advance_ms(1'000);
  h_.evaluate("b");
  InstanceView i1 = h_.instance("b", "i1");
  EXPECT_EQ(i1.status, Status::kUnknown);
  EXPECT_EQ(i1.policy, "staleness");
  EXPECT_EQ(i1.reason, "no observations for 86401s (stale_after 86400s)");
  const auto transitions = h_.listener().transitions();
  ASSERT_FALSE(transitions.empty());
  EXPECT_EQ(transitions.back().policy, "staleness");
  EXPECT_EQ(transitions.back().to, Status::kUnknown);

  h_.push_status("b", "i1", 0);  // heard from again
  h_.evaluate("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
}

TEST_F(EngineTest, APausedBlockStillEvaluatesOnDemand) {
  h_.apply(echo_config());
  EXPECT_TRUE(h_.view("b")->paused);
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  EXPECT_EQ(h_.instance("b", "i1").status, Status::kOk);
  ASSERT_TRUE(h_.engine().set_paused("b", false));
  EXPECT_FALSE(h_.view("b")->paused);
  EXPECT_FALSE(json::parse(wire::bodies_of(*h_.view("b")).detail()).at("paused").as_bool());
}

TEST_F(EngineTest, StateIndexGrowsOnlyWhenSomethingChanges) {
  h_.apply(echo_config());
  h_.push_status("b", "i1", 0);
  h_.evaluate("b");
  const std::uint64_t first = h_.view("b")->state_index;
  h_.evaluate("b");
  EXPECT_EQ(h_.view("b")->state_index, first);
  h_.push_status("b", "i1", 2);
  h_.evaluate("b");
  EXPECT_GT(h_.view("b")->state_index, first);
}

TEST_F(EngineTest, AProbedInstanceIsJudgedByItsLatestHealthProbeOnce) {
  h_.apply(test_defaults_yaml() +
           "blocks:\n"
           "  - id: probed\n"
           "    instances:\n"
           "      - id: web\n"
           "        health_url: http://127.0.0.1:9/health\n");
  EXPECT_EQ(h_.instance("probed", "web").reason, "no observations yet");
  // Samples make it observed, but only a probe says whether it is healthy.
  h_.push_status("probed", "web", 0);
  h_.evaluate("probed");
  EXPECT_EQ(h_.instance("probed", "web").status, Status::kUnknown);
  EXPECT_EQ(h_.instance("probed", "web").reason, "health_probe: not evaluated yet");

  auto record = h_.engine().find_record("probed", "web");
  ASSERT_TRUE(record);
  ProbeResult probe;
  probe.outcome = BH_PROBE_RESPONSE;
  probe.http_status = 200;
  probe.time_ms = h_.clock().wall_ms();
  probe.url = "http://127.0.0.1:9/health";
  probe.body = R"({"status": "healthy"})";
  (*record)->record_probe(probe);
  h_.evaluate("probed");
  InstanceView web = h_.instance("probed", "web");
  EXPECT_EQ(web.status, Status::kOk);
  EXPECT_EQ(web.policy, "health_probe");
  EXPECT_EQ(web.reason,
            R"(health_probe: GET http://127.0.0.1:9/health: HTTP 200 OK, status "healthy")");
  EXPECT_TRUE(h_.view("probed")->healthy);
  h_.evaluate("probed");  // the same probe is not counted twice
  EXPECT_EQ(h_.instance("probed", "web").policies.at(0).streak, 1);

  h_.clock().advance_ms(1'000);
  probe.http_status = 503;
  probe.time_ms = h_.clock().wall_ms();
  probe.body = "overloaded";
  (*record)->record_probe(probe);
  h_.evaluate("probed");
  web = h_.instance("probed", "web");
  EXPECT_EQ(web.status, Status::kUnhealthy);
  EXPECT_EQ(
      web.reason,
      "health_probe: GET http://127.0.0.1:9/health: HTTP 503 Service Unavailable: overloaded");
}

// docs/configuration.md: min_healthy decides the block's quorum in /v1;
// the AIOS endpoint keeps its strict meaning (every instance healthy).
TEST_F(EngineTest, MinHealthyDecidesTheQuorumNotTheAiosVerdict) {
  h_.apply(echo_config("    min_healthy: 1\n"));
  h_.push_status("b", "i1", 0);
  h_.push_status("b", "i2", 2);
  h_.push_status("b", "i3", 2);
  h_.evaluate("b");
  ASSERT_EQ(h_.instance("b", "i1").status, Status::kOk);
  EXPECT_TRUE(h_.view("b")->quorum.ok) << "1 healthy instance of 3 with min_healthy: 1";
  EXPECT_EQ(h_.view("b")->quorum.healthy, 1);
  EXPECT_EQ(h_.view("b")->quorum.required, 1);
  EXPECT_FALSE(h_.view("b")->healthy);
  EXPECT_EQ(json::parse(test::aios_text(*h_.view("b"), h_.clock().wall_ms())).at("healthy"), false);
}

TEST_F(EngineTest, MethodsNameTheBlockOrInstanceThatDoesNotExist) {
  h_.apply(echo_config());
  auto evaluated = h_.engine().evaluate_now("nope");
  ASSERT_FALSE(evaluated);
  EXPECT_EQ(evaluated.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(evaluated.error().message, "no block 'nope' in the configuration");
  auto paused = h_.engine().set_paused("nope", true);
  ASSERT_FALSE(paused);
  EXPECT_EQ(paused.error().code, ErrorCode::kNotFound);
  auto registered = h_.engine().register_instance("nope", "x");
  ASSERT_FALSE(registered);
  EXPECT_EQ(registered.error().message, "no block 'nope' in the configuration");
  auto record = h_.engine().find_record("nope", "i1");
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(record.error().message, "no block 'nope' in the configuration");
  auto missing = h_.engine().find_record("b", "zz");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message,
            "block 'b' has no instance 'zz'; register it first with PUT /v1/blocks/b/instances/zz");
}

TEST_F(EngineTest, BeforeTheFirstPlanThereIsNothing) {
  EXPECT_EQ(h_.engine().plan(), nullptr);
  EXPECT_TRUE(h_.engine().views()->ordered.empty());
  EXPECT_EQ(h_.engine().evaluate_now("b").error().code, ErrorCode::kNotFound);
  const json::value plugins = json::parse(wire::plugins_body(h_.engine().plugins_view()));
  EXPECT_TRUE(plugins.at("plugins").as_array().empty());
  EXPECT_TRUE(plugins.at("policies").as_array().empty());
}

TEST_F(EngineTest, StopIsIdempotentAndLaterCallsSayTheEngineIsStopping) {
  h_.apply(echo_config());
  h_.engine().stop();
  h_.engine().stop();
  auto r = h_.engine().evaluate_now("b");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(r.error().message, "the engine is stopping");
  // Published views stay readable.
  EXPECT_NE(h_.view("b"), nullptr);
}

TEST_F(EngineTest, ViewsKeepConfigOrder) {
  h_.apply(test_defaults_yaml() +
           "blocks:\n"
           "  - id: zeta\n"
           "    instances: [{id: a}]\n"
           "    policies: [{use: test_echo}]\n"
           "  - id: alpha\n"
           "    instances: [{id: a}]\n"
           "    policies: [{use: test_echo}]\n");
  const auto views = h_.engine().views();
  ASSERT_EQ(views->ordered.size(), 2U);
  EXPECT_EQ(views->ordered[0]->view()->id, "zeta");
  EXPECT_EQ(views->ordered[1]->view()->id, "alpha");
}

}  // namespace
}  // namespace blockhealth::test
