// The `alertmanager:` action as pure units: the alert of a transition, the
// body Alertmanager's /api/v2/alerts takes, its endsAt moved to the time of
// sending, and the AlertTracker's rules (fire, resolve, re-send, holds,
// reloads, restarts) over times given by hand.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/actions/action_plan.h"
#include "core/actions/alert_tracker.h"
#include "core/actions/alertmanager_alert.h"
#include "core/util/time_text.h"
#include "core/wire/alertmanager_body.h"
#include "tests/core/actions/action_test_util.h"

namespace blockhealth {
namespace {

namespace json = boost::json;
using test::make_transition;
using wire::PostableAlert;

constexpr std::int64_t kAlertNow =
    1'767'225'700'000;  // 2026-01-01T00:01:40Z, after make_transition's

ActionPlan alert_plan_of(const std::string& action_yaml) {
  return ActionPlan::build(test::load_test_config("blocks:\n"
                                                  "  - id: b\n"
                                                  "    instances: [{ id: i, health_url: "
                                                  "\"http://127.0.0.1:1/health\" }]\n"
                                                  "    on_transition:\n" +
                                                  action_yaml),
                           nullptr);
}

const PreparedAction& alert_action_of(const ActionPlan& plan, std::size_t i = 0) {
  return plan.block("b")->actions.at(i);
}

std::vector<std::pair<std::string, std::string>> label_pairs(
    std::initializer_list<std::pair<std::string, std::string>> list) {
  return list;
}

// --- The alert and its body.

TEST(AlertmanagerAlert, LabelsAnnotationsAndTimesOfATransition) {
  const ActionPlan plan = alert_plan_of(
      "      - alertmanager: http://am:9093\n"
      "        labels: { team: gpu, severity: page }\n");
  Transition t = make_transition(7, "in-vkkv", Status::kOk, Status::kUnhealthy, "GPU 0 at 91C");
  t.evidence = Evidence{"DCGM_FI_DEV_GPU_TEMP", 91, 88};
  const PostableAlert a = alert_for(t, alert_action_of(plan), "http://bh:30201");
  EXPECT_EQ(a.labels, label_pairs({{"alertname", "BlockInstanceUnhealthy"},
                                   {"block", "b"},
                                   {"instance_id", "in-vkkv"},
                                   {"policy", "gpu-temp"},
                                   {"status", "unhealthy"},
                                   {"severity", "page"},
                                   {"team", "gpu"}}));
  EXPECT_EQ(
      a.annotations,
      label_pairs({{"reason", "GPU 0 at 91C"},
                   {"evidence", R"({"metric":"DCGM_FI_DEV_GPU_TEMP","observed":91,"limit":88})"}}));
  EXPECT_EQ(a.starts_ms, t.time_ms);
  EXPECT_EQ(a.generator_url, "http://bh:30201/v1/blocks/b");

  // No evidence, no policy, no self URL: left out.
  Transition bare = make_transition(8, "i", Status::kOk, Status::kUnknown, "stale");
  bare.policy = "";
  const PostableAlert b = alert_for(bare, alert_action_of(plan), "");
  EXPECT_EQ(b.labels, label_pairs({{"alertname", "BlockInstanceUnknown"},
                                   {"block", "b"},
                                   {"instance_id", "i"},
                                   {"status", "unknown"},
                                   {"severity", "page"},
                                   {"team", "gpu"}}));
  EXPECT_EQ(b.annotations, label_pairs({{"reason", "stale"}}));
  EXPECT_EQ(b.generator_url, "");
  EXPECT_EQ(alertname_for(Status::kDegraded), "BlockInstanceDegraded");
}

TEST(AlertmanagerAlert, FiringEndsFourResendsAheadAndResolvedNeverBeforeItStarts) {
  PostableAlert a;
  a.starts_ms = 1'000;
  EXPECT_EQ(firing_copy(a, 5'000, std::chrono::seconds(60)).ends_ms, 5'000 + 240'000);
  EXPECT_EQ(resolved_copy(a, 9'000).ends_ms, 9'000);
  EXPECT_EQ(resolved_copy(a, 500).ends_ms, 1'000);
}

TEST(AlertmanagerBody, IsAnArrayOfPostableAlertsInThisOrder) {
  PostableAlert a;
  a.labels = {{"alertname", "BlockInstanceUnhealthy"}, {"block", "b"}};
  a.annotations = {{"reason", "said \"no\"\n"}};
  a.starts_ms = 1'767'225'607'000;
  a.ends_ms = 1'767'225'847'000;
  a.generator_url = "http://bh:30201/v1/blocks/b";
  PostableAlert resolved = a;
  resolved.labels[0].second = "BlockInstanceDegraded";
  resolved.annotations = {{"reason", std::string("bad \xff byte")}};
  resolved.ends_ms = a.starts_ms;
  resolved.generator_url = "";
  EXPECT_EQ(wire::alertmanager_body({a, resolved}),
            R"([{"labels":{"alertname":"BlockInstanceUnhealthy","block":"b"},)"
            R"("annotations":{"reason":"said \"no\"\n"},)"
            R"("startsAt":"2026-01-01T00:00:07.000Z","endsAt":"2026-01-01T00:04:07.000Z",)"
            R"("generatorURL":"http://bh:30201/v1/blocks/b"},)"
            R"({"labels":{"alertname":"BlockInstanceDegraded","block":"b"},)"
            R"("annotations":{"reason":"bad )"
            "\xEF\xBF\xBD"  // U+FFFD
            R"( byte"},)"
            R"("startsAt":"2026-01-01T00:00:07.000Z","endsAt":"2026-01-01T00:00:07.000Z"}])")
      << "the invalid byte is replaced";
}

TEST(AlertmanagerBody, AtSendTimeFiringAlertsEndAsFarAheadAsWhenBuilt) {
  PostableAlert firing;
  firing.labels = {{"alertname", "BlockInstanceUnhealthy"}};
  firing.starts_ms = 1'000'000;
  firing.ends_ms = 2'000'000 + 240'000;  // built at 2'000'000
  PostableAlert resolved = firing;
  resolved.labels = {{"alertname", "BlockInstanceDegraded"}};
  resolved.ends_ms = 1'500'000;
  const std::string body = wire::alertmanager_body({resolved, firing});
  EXPECT_EQ(wire::alertmanager_body_at(body, 2'000'000, 2'000'000), body);
  EXPECT_EQ(wire::alertmanager_body_at(body, 2'000'000, 1'000'000), body);  // clock went back

  const json::value late = json::parse(wire::alertmanager_body_at(body, 2'000'000, 2'600'000));
  EXPECT_EQ(late.at(0).at("endsAt"), json::value(format_time_ms(1'500'000)));  // resolved: as is
  EXPECT_EQ(late.at(1).at("endsAt"), json::value(format_time_ms(2'600'000 + 240'000)));
  EXPECT_EQ(late.at(1).at("startsAt"), json::value(format_time_ms(1'000'000)));
  EXPECT_EQ(late.at(1).at("labels"), json::parse(R"({"alertname":"BlockInstanceUnhealthy"})"));
  EXPECT_EQ(wire::alertmanager_body_at("not json", 1, 2), "not json");
}

// --- The tracker.

class AlertTrackerTest : public ::testing::Test {
 protected:
  AlertTrackerTest()
      : plan_(alert_plan_of("      - alertmanager: http://am:9093\n"
                            "        resend_every: 10s\n")) {}
  const PreparedAction& am() const { return alert_action_of(plan_); }

  static std::string alertname(const PostableAlert& a) { return a.labels.at(0).second; }
  static bool firing_at(const PostableAlert& a, std::int64_t now) { return a.ends_ms > now; }

  std::vector<AlertTracker::Post> due(std::int64_t now, bool open = true, bool busy = false) {
    return tracker_.take_due(
        now, [open](std::string_view, std::string_view) { return open; },
        [busy](const std::string&, const std::string&, const std::string&) { return busy; });
  }

  ActionPlan plan_;
  AlertTracker tracker_;
};

TEST_F(AlertTrackerTest, FiresOnABadStatusAndResolvesOnOk) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  const auto fired = tracker_.notify(bad, am(), kAlertNow);
  ASSERT_TRUE(fired.has_value());
  EXPECT_EQ(fired->block_id, "b");
  EXPECT_EQ(fired->instance_id, "i");
  EXPECT_EQ(fired->action, "alertmanager#0");
  EXPECT_EQ(fired->transition_seq, 1U);
  EXPECT_FALSE(fired->resend);
  ASSERT_EQ(fired->alerts.size(), 1U);
  EXPECT_EQ(alertname(fired->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(fired->alerts[0].starts_ms, bad.time_ms);
  EXPECT_EQ(fired->alerts[0].ends_ms, kAlertNow + 40'000);
  EXPECT_EQ(tracker_.firing(), 1U);
  EXPECT_EQ(tracker_.next_due(), kAlertNow + 10'000);

  const Transition good = make_transition(2, "i", Status::kUnhealthy, Status::kOk);
  const auto resolved = tracker_.notify(good, am(), kAlertNow + 1'000);
  ASSERT_TRUE(resolved.has_value());
  ASSERT_EQ(resolved->alerts.size(), 1U);
  EXPECT_EQ(resolved->alerts[0].labels, fired->alerts[0].labels);
  EXPECT_EQ(resolved->alerts[0].starts_ms, bad.time_ms);
  EXPECT_EQ(resolved->alerts[0].ends_ms, good.time_ms);
  EXPECT_EQ(tracker_.firing(), 0U);
  EXPECT_EQ(tracker_.tracked(), 0U);
  EXPECT_FALSE(tracker_.next_due().has_value());

  // Ok again with nothing firing: nothing to say.
  EXPECT_FALSE(tracker_.notify(good, am(), kAlertNow + 2'000).has_value());
}

TEST_F(AlertTrackerTest, AnotherBadStatusResolvesTheOldAlertAndFiresTheNewInOnePost) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  const Transition degraded = make_transition(2, "i", Status::kUnhealthy, Status::kDegraded);
  const auto post = tracker_.notify(degraded, am(), kAlertNow + 5'000);
  ASSERT_TRUE(post.has_value());
  ASSERT_EQ(post->alerts.size(), 2U);
  EXPECT_EQ(alertname(post->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(post->alerts[0].ends_ms, degraded.time_ms);
  EXPECT_EQ(alertname(post->alerts[1]), "BlockInstanceDegraded");
  EXPECT_EQ(post->alerts[1].starts_ms, degraded.time_ms);
  EXPECT_TRUE(firing_at(post->alerts[1], kAlertNow + 5'000));
  EXPECT_EQ(tracker_.firing(), 1U);
}

TEST_F(AlertTrackerTest, TheSameLabelsAgainKeepTheStartTime) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy, "first");
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  // E.g. a flap end that settles in unhealthy again, with a newer reason.
  const Transition again = make_transition(5, "i", Status::kOk, Status::kUnhealthy, "second");
  const auto post = tracker_.notify(again, am(), kAlertNow + 3'000);
  ASSERT_TRUE(post.has_value());
  ASSERT_EQ(post->alerts.size(), 1U);
  EXPECT_EQ(post->alerts[0].starts_ms, bad.time_ms);
  EXPECT_EQ(post->alerts[0].annotations.at(0).second, "second");
}

TEST_F(AlertTrackerTest, AStatusNotInToResolves) {
  const ActionPlan plan =
      alert_plan_of("      - alertmanager: http://am:9093\n        to: [unhealthy]\n");
  const PreparedAction& only_unhealthy = alert_action_of(plan);
  EXPECT_FALSE(tracker_
                   .notify(make_transition(1, "i", Status::kOk, Status::kDegraded), only_unhealthy,
                           kAlertNow)
                   .has_value());
  ASSERT_TRUE(tracker_
                  .notify(make_transition(2, "i", Status::kDegraded, Status::kUnhealthy),
                          only_unhealthy, kAlertNow)
                  .has_value());
  const auto post = tracker_.notify(make_transition(3, "i", Status::kUnhealthy, Status::kDegraded),
                                    only_unhealthy, kAlertNow);
  ASSERT_TRUE(post.has_value());
  ASSERT_EQ(post->alerts.size(), 1U);
  EXPECT_EQ(alertname(post->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_FALSE(firing_at(post->alerts[0], kAlertNow));
  EXPECT_EQ(tracker_.tracked(), 0U);
}

TEST_F(AlertTrackerTest, ResentEveryResendEveryWithAFreshEndsAt) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  EXPECT_TRUE(due(kAlertNow + 9'999).empty());
  const auto first = due(kAlertNow + 10'000);
  ASSERT_EQ(first.size(), 1U);
  EXPECT_TRUE(first[0].resend);
  EXPECT_EQ(first[0].transition_seq, 1U);
  ASSERT_EQ(first[0].alerts.size(), 1U);
  EXPECT_EQ(first[0].alerts[0].starts_ms, bad.time_ms);
  EXPECT_EQ(first[0].alerts[0].ends_ms, kAlertNow + 10'000 + 40'000);
  EXPECT_EQ(tracker_.next_due(), kAlertNow + 20'000);
  // A post of it still pending: nothing added (that one goes out fresh).
  EXPECT_TRUE(due(kAlertNow + 20'000, true, true).empty());
  EXPECT_EQ(tracker_.next_due(), kAlertNow + 30'000);
  EXPECT_EQ(due(kAlertNow + 30'000).size(), 1U);
}

TEST_F(AlertTrackerTest, TheAlertOfAnInstanceThatIsGoneIsResolvedAndForgotten) {
  ASSERT_TRUE(
      tracker_.notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), am(), kAlertNow));
  const auto gone = [](std::string_view, std::string_view instance) { return instance != "i"; };
  const auto posts = tracker_.take_due(kAlertNow + 10'000, nullptr, nullptr, gone);
  ASSERT_EQ(posts.size(), 1U);
  EXPECT_EQ(alertname(posts[0].alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(posts[0].alerts[0].ends_ms, kAlertNow + 10'000);
  EXPECT_EQ(tracker_.tracked(), 0U);
}

TEST_F(AlertTrackerTest, WhileHeldTheAlertIsResolvedOnceThenFiresAgainWithItsStart) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  // Maintenance set meanwhile: the next resend resolves it.
  const auto held = due(kAlertNow + 10'000, false);
  ASSERT_EQ(held.size(), 1U);
  EXPECT_FALSE(held[0].resend);
  EXPECT_EQ(held[0].alerts[0].ends_ms, kAlertNow + 10'000);
  EXPECT_EQ(tracker_.firing(), 0U);
  EXPECT_TRUE(due(kAlertNow + 20'000, false).empty());  // once
  // Lifted, still unhealthy: it fires again, from its first start.
  const auto back = due(kAlertNow + 30'000, true);
  ASSERT_EQ(back.size(), 1U);
  EXPECT_FALSE(back[0].resend);
  EXPECT_EQ(back[0].alerts[0].starts_ms, bad.time_ms);
  EXPECT_TRUE(firing_at(back[0].alerts[0], kAlertNow + 30'000));
  EXPECT_EQ(tracker_.firing(), 1U);
}

TEST_F(AlertTrackerTest, HeldTransitions) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  // Flapping: the alert stays as notified.
  Transition flap = make_transition(2, "i", Status::kUnhealthy, Status::kOk);
  flap.hold = HoldKind::kFlapping;
  flap.held_by = "flapping (60% state changes)";
  EXPECT_FALSE(tracker_.held(flap, am(), kAlertNow).has_value());
  EXPECT_EQ(tracker_.firing(), 1U);
  // Not held: the dispatcher's notify() handles it.
  EXPECT_FALSE(
      tracker_.held(make_transition(3, "i", Status::kOk, Status::kDegraded), am(), kAlertNow)
          .has_value());
  // In maintenance, the instance leaves the alert's status: resolved, forgotten.
  Transition left = make_transition(4, "i", Status::kUnhealthy, Status::kOk);
  left.hold = HoldKind::kMaintenance;
  const auto post = tracker_.held(left, am(), kAlertNow + 1'000);
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(alertname(post->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(post->alerts[0].ends_ms, left.time_ms);
  EXPECT_EQ(tracker_.tracked(), 0U);
  // Silenced, going bad: nothing fires.
  Transition silenced = make_transition(5, "i", Status::kOk, Status::kUnhealthy);
  silenced.hold = HoldKind::kSilence;
  EXPECT_FALSE(tracker_.held(silenced, am(), kAlertNow).has_value());
  EXPECT_EQ(tracker_.tracked(), 0U);
}

// Discovery dropped the instance (Engine::record_dropped): its alert
// resolves at once, and nothing fires for the held transition to unknown.
TEST_F(AlertTrackerTest, AnInstanceDiscoveryDroppedResolvesItsAlertAtOnce) {
  const Transition bad = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  ASSERT_TRUE(tracker_.notify(bad, am(), kAlertNow).has_value());
  Transition removed = make_transition(2, "i", Status::kUnhealthy, Status::kUnknown);
  removed.hold = HoldKind::kRemoved;
  removed.held_by = "instance removed by discovery";
  const auto post = tracker_.held(removed, am(), kAlertNow + 1'000);
  ASSERT_TRUE(post.has_value());
  ASSERT_EQ(post->alerts.size(), 1U);
  EXPECT_EQ(alertname(post->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(post->alerts[0].ends_ms, removed.time_ms);
  EXPECT_EQ(tracker_.tracked(), 0U);
  EXPECT_FALSE(tracker_.held(removed, am(), kAlertNow + 2'000).has_value());
}

TEST_F(AlertTrackerTest, ARestoredAlertIsSentAgainOnlyOnceConfirmed) {
  // Before the restart: unhealthy since t1. Another instance was ok.
  const Transition before = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  const Transition other = make_transition(2, "j", Status::kUnknown, Status::kOk);
  tracker_.restore({other, before}, plan_, kAlertNow);
  EXPECT_EQ(tracker_.tracked(), 1U);
  EXPECT_EQ(tracker_.firing(), 0U);  // not known to fire
  EXPECT_TRUE(due(kAlertNow + 10'000).empty());

  // The first transition after the restart: unhealthy again, held as
  // already notified. The alert goes out, with its first start.
  Transition confirmed = make_transition(9, "i", Status::kUnknown, Status::kUnhealthy);
  confirmed.hold = HoldKind::kNotifiedBeforeRestart;
  const auto post = tracker_.held(confirmed, am(), kAlertNow + 11'000);
  ASSERT_TRUE(post.has_value());
  ASSERT_EQ(post->alerts.size(), 1U);
  EXPECT_EQ(post->alerts[0].starts_ms, before.time_ms);
  EXPECT_TRUE(firing_at(post->alerts[0], kAlertNow + 11'000));
  EXPECT_EQ(tracker_.firing(), 1U);
  EXPECT_EQ(due(kAlertNow + 21'000).size(), 1U);  // and is re-sent from now on
}

TEST_F(AlertTrackerTest, ARestoredAlertIsResolvedByARecoveryAndForgottenUnconfirmed) {
  const Transition before = make_transition(1, "i", Status::kOk, Status::kUnhealthy);
  tracker_.restore({before}, plan_, kAlertNow);
  const auto post = tracker_.notify(make_transition(9, "i", Status::kUnknown, Status::kOk), am(),
                                    kAlertNow + 1'000);
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(alertname(post->alerts[0]), "BlockInstanceUnhealthy");
  EXPECT_EQ(post->alerts[0].starts_ms, before.time_ms);
  EXPECT_EQ(tracker_.tracked(), 0U);

  // Never confirmed (the instance is gone): forgotten once Alertmanager
  // has ended it (4 resends), without a post.
  tracker_.restore({before}, plan_, kAlertNow);
  EXPECT_EQ(tracker_.next_due(), kAlertNow + 40'000);
  EXPECT_TRUE(due(kAlertNow + 40'000).empty());
  EXPECT_EQ(tracker_.tracked(), 0U);
}

TEST_F(AlertTrackerTest, AReloadResolvesWhatNoLongerFiresAndRelabels) {
  ASSERT_TRUE(
      tracker_.notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), am(), kAlertNow));
  ASSERT_TRUE(
      tracker_.notify(make_transition(2, "j", Status::kOk, Status::kUnknown), am(), kAlertNow));
  // Now: a webhook first (the action moved to #1), unknown no longer fires,
  // and a new label.
  const ActionPlan reloaded = alert_plan_of(
      "      - webhook: http://h/\n"
      "      - alertmanager: http://am:9093\n"
      "        to: [unhealthy, degraded]\n"
      "        labels: { severity: page }\n"
      "        resend_every: 5s\n");
  const auto posts = tracker_.apply(reloaded, kAlertNow + 1'000);
  ASSERT_EQ(posts.size(), 2U);
  // i: the old labels resolved, the new ones fired (same start).
  EXPECT_EQ(posts[0].instance_id, "i");
  EXPECT_EQ(posts[0].action, "alertmanager#1");
  ASSERT_EQ(posts[0].alerts.size(), 2U);
  EXPECT_FALSE(firing_at(posts[0].alerts[0], kAlertNow + 1'000));
  EXPECT_EQ(posts[0].alerts[0].labels.size(), 5U);
  EXPECT_TRUE(firing_at(posts[0].alerts[1], kAlertNow + 1'000));
  EXPECT_EQ(posts[0].alerts[1].labels.back(),
            std::make_pair(std::string("severity"), std::string("page")));
  EXPECT_EQ(posts[0].alerts[1].starts_ms, posts[0].alerts[0].starts_ms);
  EXPECT_EQ(posts[0].alerts[1].ends_ms, kAlertNow + 1'000 + 20'000);
  // j: unknown no longer fires.
  EXPECT_EQ(posts[1].instance_id, "j");
  ASSERT_EQ(posts[1].alerts.size(), 1U);
  EXPECT_EQ(alertname(posts[1].alerts[0]), "BlockInstanceUnknown");
  EXPECT_FALSE(firing_at(posts[1].alerts[0], kAlertNow + 1'000));
  EXPECT_EQ(tracker_.tracked(), 1U);
  EXPECT_EQ(tracker_.next_due(), kAlertNow + 1'000 + 5'000);

  // The action removed: forgotten without a post (Alertmanager ends it).
  EXPECT_TRUE(
      tracker_.apply(alert_plan_of("      - webhook: http://h/\n"), kAlertNow + 2'000).empty());
  EXPECT_EQ(tracker_.tracked(), 0U);
}

TEST_F(AlertTrackerTest, TheSelfUrlReachesAlertsAlreadyFiring) {
  ASSERT_TRUE(
      tracker_.notify(make_transition(1, "i", Status::kOk, Status::kUnhealthy), am(), kAlertNow));
  tracker_.set_self_url("http://bh:30201");
  const auto posts = due(kAlertNow + 10'000);
  ASSERT_EQ(posts.size(), 1U);
  EXPECT_EQ(posts[0].alerts[0].generator_url, "http://bh:30201/v1/blocks/b");
}

}  // namespace
}  // namespace blockhealth
