#include "core/wire/block_bodies.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/engine/block_board.h"
#include "core/util/time_text.h"
#include "core/wire/engine_json.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

using wire::AiosBody;

namespace json = boost::json;
constexpr std::int64_t kNow = 1'764'238'565'772;  // 2025-11-27T10:16:05.772Z

std::shared_ptr<LastSeenCell> cell(std::int64_t ms) {
  return std::make_shared<LastSeenCell>(ms);
}

InstanceView instance(std::string id, Status status, std::string reason,
                      std::shared_ptr<LastSeenCell> last_seen = nullptr) {
  InstanceView in;
  in.id = std::move(id);
  in.status = status;
  in.reason = std::move(reason);
  if (last_seen) {
    in.last_seen_ms = last_seen->load();
    in.last_reported_ms = last_seen->load();
    in.last_reported = std::move(last_seen);
  }
  return in;
}

InstanceView executor() {
  InstanceView in;
  in.id = "executor";
  in.executor = true;
  in.status = Status::kUnknown;
  in.reason = "no observations yet";
  return in;
}

std::vector<std::string> keys_of(const json::object& o) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : o) keys.emplace_back(k);
  return keys;
}

TEST(FormatTimeMs, Iso8601UtcWithMilliseconds) {
  EXPECT_EQ(format_time_ms(kNow), "2025-11-27T10:16:05.772Z");
  EXPECT_EQ(format_time_ms(1'000), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(format_time_ms(1'800'000'000'005), "2027-01-15T08:00:00.005Z");
  EXPECT_EQ(format_time_ms(0), "");
}

std::string render(const AiosBody& body, std::int64_t now) {
  std::string out;
  body.render(out, now);
  return out;
}

TEST(AiosBody, RendersFragmentsAroundLiveAges) {
  auto a = cell(kNow - 1'500);
  auto b = cell(kNow - 250);
  AiosBody body({"[", "|", "]"}, {a, b}, AiosShape::LastMetrics::kString);
  // Python's float repr, as the AIOS tutorial shows it: always a point.
  EXPECT_EQ(render(body, kNow), R"([,"lastMetrics":"1.5s ago"|,"lastMetrics":"0.25s ago"])");
  a->store(kNow);  // a fresh observation after the view was built
  EXPECT_EQ(render(body, kNow + 2'000),
            R"([,"lastMetrics":"2.0s ago"|,"lastMetrics":"2.25s ago"])");
  // A clock behind the cell never gives a negative age.
  EXPECT_EQ(render(body, kNow - 10'000),
            R"([,"lastMetrics":"0.0s ago"|,"lastMetrics":"0.0s ago"])");
}

TEST(AiosBody, NumericLastMetricsAsCurrentAiosSendsThem) {
  auto a = cell(kNow - 12'959);
  auto b = cell(kNow - 5'000);
  AiosBody body({"[", "|", "]"}, {a, b}, AiosShape::LastMetrics::kNumber);
  EXPECT_EQ(render(body, kNow), R"([,"lastMetrics":12.959|,"lastMetrics":5.0])");
}

TEST(AiosBody, AnInstanceThatNeverReportedHasNoLastMetricsUntilItDoes) {
  auto a = cell(0);
  AiosBody body({"[", "]"}, {a}, AiosShape::LastMetrics::kString);
  EXPECT_EQ(render(body, kNow), "[]");
  a->store(kNow - 3'000);
  EXPECT_EQ(render(body, kNow), R"([,"lastMetrics":"3.0s ago"])");
}

class SerializeBlockViewTest : public ::testing::Test {
 protected:
  BlockView view_;
  void SetUp() override {
    view_.id = "gemma3-27b-block";
    view_.state_index = 7;
    view_.built_ms = kNow;
  }
  json::value aios(std::int64_t now = kNow) {
    const std::string body = render(wire::bodies_of(view_).aios(), now);
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    EXPECT_FALSE(ec) << body;
    return v;
  }
};

TEST_F(SerializeBlockViewTest, AiosShapeMatchesTheFixtureKeysInOrder) {
  view_.healthy = true;
  view_.instances.push_back(executor());
  view_.instances.push_back(instance("in-vkkv", Status::kOk, "p: fine", cell(kNow - 12'959)));
  const json::value got = aios();
  const json::value fixture = json::parse(test::read_fixture("aios-block-health-response.json"));
  EXPECT_EQ(keys_of(got.as_object()), keys_of(fixture.as_object()));
  const auto& ours = got.at("instances").as_array();
  const auto& theirs = fixture.at("instances").as_array();
  ASSERT_EQ(ours.size(), theirs.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(keys_of(ours[i].as_object()), keys_of(theirs[i].as_object())) << "instance " << i;
  }
  EXPECT_EQ(got.at("block_id"), "gemma3-27b-block");
  EXPECT_EQ(got.at("healthy"), true);
  EXPECT_EQ(got.at("success"), true);
  EXPECT_EQ(ours[0], fixture.at("instances").at(0));  // the executor row, exactly
  EXPECT_EQ(ours[1].at("lastMetrics"), "12.959s ago");
}

TEST_F(SerializeBlockViewTest, AnExecutorThatIsCheckedShowsItsVerdict) {
  InstanceView in = executor();
  in.status = Status::kUnhealthy;
  in.reason = "health_probe: GET http://e:18001/health: connection refused";
  in.policies.push_back(
      {"health_probe", Status::kUnhealthy, Status::kUnhealthy, 3, in.reason, {}, kNow, kNow, 0});
  view_.instances.push_back(in);
  const json::value got = aios();
  EXPECT_EQ(got.at("healthy"), false);
  EXPECT_EQ(got.at("instances").at(0).at("healthy"), false);
  EXPECT_EQ(got.at("instances").at(0).at("reason"), json::value(in.reason));
}

TEST_F(SerializeBlockViewTest, ExecutorRowCanBeTurnedOff) {
  view_.aios.executor_row = false;
  view_.instances.push_back(executor());
  const json::value got = aios();
  EXPECT_EQ(got.at("healthy"), false);
  EXPECT_EQ(got.at("instances").at(0).at("reason"), "no observations yet");
}

TEST_F(SerializeBlockViewTest, AiosMembershipListsOnlyInstancesThatReported) {
  view_.aios.membership = AiosShape::Membership::kAios;
  view_.instances.push_back(instance("silent", Status::kUnknown, "no observations yet"));
  view_.instances.push_back(instance("a", Status::kOk, "", cell(kNow - 2'000)));
  view_.instances.push_back(executor());
  EXPECT_EQ(render(wire::bodies_of(view_).aios(), kNow),
            R"({"block_id":"gemma3-27b-block","healthy":true,"instances":[)"
            R"({"healthy":true,"instanceId":"a","lastMetrics":"2.0s ago"},)"
            R"({"healthy":true,"instanceId":"executor","reason":"executor instance"}],)"
            R"("success":true})");
}

TEST_F(SerializeBlockViewTest, AnEmptyBlockIsHealthyOnlyWithAiosMembership) {
  EXPECT_EQ(aios().at("healthy"), false);
  BlockView aios_view;
  aios_view.id = "b";
  aios_view.aios.membership = AiosShape::Membership::kAios;
  aios_view.instances.push_back(instance("silent", Status::kUnknown, "no observations yet"));
  EXPECT_EQ(render(wire::bodies_of(aios_view).aios(), kNow),
            R"({"block_id":"b","healthy":true,"instances":[],"success":true})");
}

TEST_F(SerializeBlockViewTest, AiosKeysAreSortedAndReasonOnlyWhenUnhealthy) {
  view_.healthy = false;
  view_.instances.push_back(instance("a", Status::kOk, "p: fine", cell(kNow - 1'000)));
  view_.instances.push_back(instance("b", Status::kDegraded, "p: warm", cell(kNow - 2'000)));
  view_.instances.push_back(instance("c", Status::kUnhealthy, "p: hot", cell(kNow - 3'000)));
  view_.instances.push_back(instance("d", Status::kUnknown, "no observations yet"));
  EXPECT_EQ(
      render(wire::bodies_of(view_).aios(), kNow),
      R"({"block_id":"gemma3-27b-block","healthy":false,"instances":[)"
      R"({"healthy":true,"instanceId":"a","lastMetrics":"1.0s ago"},)"
      R"({"healthy":true,"instanceId":"b","lastMetrics":"2.0s ago"},)"
      R"({"healthy":false,"instanceId":"c","lastMetrics":"3.0s ago","reason":"p: hot"},)"
      R"({"healthy":false,"instanceId":"d","reason":"no observations yet"}],"success":true})");
}

TEST_F(SerializeBlockViewTest, LastMetricsIsComputedFromTheLiveCellAtRenderTime) {
  auto seen = cell(kNow - 1'000);
  view_.instances.push_back(instance("a", Status::kOk, "", seen));
  json::value first = aios(kNow);
  EXPECT_EQ(first.at("instances").at(0).at("lastMetrics"), "1.0s ago");
  seen->store(kNow + 4'500);
  const std::string later = render(wire::bodies_of(view_).aios(), kNow + 5'000);
  EXPECT_EQ(json::parse(later).at("instances").at(0).at("lastMetrics"), "0.5s ago");
}

TEST_F(SerializeBlockViewTest, StringsAreJsonEscaped) {
  view_.id = "blk";
  view_.instances.push_back(instance("x", Status::kUnhealthy, "said \"no\"\n\\ \x01"));
  const json::value got = aios();
  EXPECT_EQ(got.at("instances").at(0).at("reason"), "said \"no\"\n\\ \x01");
}

TEST_F(SerializeBlockViewTest, NoInstances) {
  const json::value got = aios();
  EXPECT_TRUE(got.at("instances").as_array().empty());
  EXPECT_EQ(got.at("healthy"), false);  // nothing serving, with every configured instance listed
}

TEST_F(SerializeBlockViewTest, DetailJsonHasEveryField) {
  view_.status = Status::kUnhealthy;
  view_.healthy = false;
  view_.paused = true;
  InstanceView in = instance("in-vkkv", Status::kUnhealthy, "gpu: hot", cell(kNow - 500));
  in.policy = "gpu";
  in.evidence = Evidence{"temp", 91, 88};
  in.since_ms = kNow - 2'000;
  in.policies.push_back({"gpu", Status::kUnhealthy, Status::kUnhealthy, 3, "hot",
                         Evidence{"temp", 91, 88}, kNow - 2'000, kNow - 10, kNow + 60'000});
  in.policies.push_back(
      {"logs", Status::kUnknown, Status::kUnknown, 0, "not evaluated yet", {}, 0, 0, 0});
  in.sources.push_back({"metrics", "http://h:9400/metrics", false, "connection refused", kNow, 0});
  view_.instances.push_back(in);
  InstanceView pushed = instance("p1", Status::kOk, "");
  pushed.pushed = true;
  view_.instances.push_back(pushed);
  PolicyStateView p;
  p.id = "gpu";
  p.use = "gpu_temperature";
  p.plugin_version = "1.0.0";
  p.interval_ms = 5'000;
  p.timeout_ms = 2'000;
  p.quarantined = true;
  p.quarantine_until_ms = kNow + 5'000;
  p.quarantine_reason = "policy gpu_temperature timed out after 2s";
  p.calls = 12;
  p.errors = 1;
  p.timeouts = 2;
  p.skipped_busy = 3;
  p.last_duration_us = 85;
  p.busy = true;
  view_.policies.push_back(p);
  PolicyStateView q;
  q.id = "logs";
  view_.policies.push_back(q);

  const json::value d = json::parse(wire::bodies_of(view_).detail());
  EXPECT_EQ(
      keys_of(d.as_object()),
      (std::vector<std::string>{"block_id", "status", "healthy", "paused", "source", "state_index",
                                "evaluated_at", "quorum_ok", "quorum", "instances", "policies"}));
  EXPECT_EQ(d.at("status"), "unhealthy");
  EXPECT_EQ(d.at("source"), "file");
  EXPECT_EQ(d.at("healthy"), false);
  EXPECT_EQ(d.at("paused"), true);
  EXPECT_EQ(d.at("state_index"), 7);
  EXPECT_EQ(d.at("evaluated_at"), "2025-11-27T10:16:05.772Z");

  const json::value& i0 = d.at("instances").at(0);
  EXPECT_EQ(i0.at("instance_id"), "in-vkkv");
  EXPECT_EQ(i0.at("source"), "config");
  EXPECT_EQ(i0.at("status"), "unhealthy");
  EXPECT_EQ(i0.at("healthy"), false);
  EXPECT_EQ(i0.at("since"), "2025-11-27T10:16:03.772Z");
  EXPECT_EQ(i0.at("policy"), "gpu");
  EXPECT_EQ(i0.at("reason"), "gpu: hot");
  EXPECT_EQ(i0.at("evidence").at("metric"), "temp");
  EXPECT_EQ(i0.at("evidence").at("observed").to_number<double>(), 91);
  EXPECT_EQ(i0.at("evidence").at("limit").to_number<double>(), 88);
  EXPECT_EQ(i0.at("last_seen"), "2025-11-27T10:16:05.272Z");
  const json::value& pol = i0.at("policies").at(0);
  EXPECT_EQ(pol.at("id"), "gpu");
  EXPECT_EQ(pol.at("status"), "unhealthy");
  EXPECT_EQ(pol.at("raw_status"), "unhealthy");
  EXPECT_EQ(pol.at("streak"), 3);
  EXPECT_EQ(pol.at("reason"), "hot");
  EXPECT_EQ(pol.at("evaluated_at"), "2025-11-27T10:16:05.762Z");
  EXPECT_EQ(pol.at("valid_until"), "2025-11-27T10:17:05.772Z");
  const json::value& never = i0.at("policies").at(1);
  EXPECT_TRUE(never.at("evidence").is_null());
  EXPECT_TRUE(never.at("since").is_null());
  EXPECT_TRUE(never.at("evaluated_at").is_null());
  EXPECT_TRUE(never.at("valid_until").is_null());
  const json::value& src = i0.at("sources").at(0);
  EXPECT_EQ(src.at("source"), "metrics");
  EXPECT_EQ(src.at("target"), "http://h:9400/metrics");
  EXPECT_EQ(src.at("ok"), false);
  EXPECT_EQ(src.at("message"), "connection refused");
  EXPECT_EQ(src.at("checked_at"), "2025-11-27T10:16:05.772Z");
  EXPECT_TRUE(src.at("last_success").is_null());

  const json::value& i1 = d.at("instances").at(1);
  EXPECT_EQ(i1.at("source"), "pushed");
  EXPECT_TRUE(i1.at("last_seen").is_null());
  EXPECT_TRUE(i1.at("evidence").is_null());
  EXPECT_TRUE(i1.at("since").is_null());

  const json::value& ps = d.at("policies").at(0);
  EXPECT_EQ(ps.at("use"), "gpu_temperature");
  EXPECT_EQ(ps.at("plugin_version"), "1.0.0");
  EXPECT_EQ(ps.at("interval_ms"), 5000);
  EXPECT_EQ(ps.at("timeout_ms"), 2000);
  EXPECT_EQ(ps.at("quarantined"), true);
  EXPECT_EQ(ps.at("quarantine").at("until"), "2025-11-27T10:16:10.772Z");
  EXPECT_EQ(ps.at("quarantine").at("reason"), "policy gpu_temperature timed out after 2s");
  EXPECT_EQ(ps.at("calls"), 12);
  EXPECT_EQ(ps.at("errors"), 1);
  EXPECT_EQ(ps.at("timeouts"), 2);
  EXPECT_EQ(ps.at("skipped_busy"), 3);
  EXPECT_EQ(ps.at("busy"), true);
  EXPECT_EQ(ps.at("last_duration_us"), 85);
  EXPECT_FALSE(d.at("policies").at(1).as_object().contains("quarantine"));
}

TEST_F(SerializeBlockViewTest, SummaryJsonCountsHealthyInstances) {
  view_.status = Status::kUnknown;
  view_.instances.push_back(instance("a", Status::kOk, ""));
  view_.instances.push_back(instance("b", Status::kDegraded, "warm"));
  view_.instances.push_back(instance("c", Status::kUnknown, "?"));
  const json::value s = json::parse(wire::bodies_of(view_).summary());
  EXPECT_EQ(
      keys_of(s.as_object()),
      (std::vector<std::string>{"block_id", "status", "healthy", "paused", "source", "state_index",
                                "instances", "healthy_instances", "quorum_ok"}));
  EXPECT_EQ(s.at("block_id"), "gemma3-27b-block");
  EXPECT_EQ(s.at("status"), "unknown");
  EXPECT_EQ(s.at("instances"), 3);
  EXPECT_EQ(s.at("healthy_instances"), 2);
  EXPECT_EQ(s.at("state_index"), 7);
}

TEST(SerializeTransition, HasEveryField) {
  Transition t;
  t.seq = 42;
  t.time_ms = kNow;
  t.block_id = "blk";
  t.instance_id = "inst";
  t.from = Status::kOk;
  t.to = Status::kUnhealthy;
  t.policy = "gpu";
  t.reason = "gpu: hot";
  t.evidence = Evidence{"temp", 91.5, 88};
  const json::value v = json::parse(wire::transition_json(t));
  EXPECT_EQ(keys_of(v.as_object()),
            (std::vector<std::string>{"seq", "time", "time_ms", "block_id", "instance_id", "from",
                                      "to", "policy", "reason", "evidence"}));
  EXPECT_EQ(v.at("seq"), 42);
  EXPECT_EQ(v.at("time"), "2025-11-27T10:16:05.772Z");
  EXPECT_EQ(v.at("time_ms"), kNow);
  EXPECT_EQ(v.at("from"), "ok");
  EXPECT_EQ(v.at("to"), "unhealthy");
  EXPECT_EQ(v.at("evidence").at("observed").as_double(), 91.5);
  t.evidence.reset();
  EXPECT_TRUE(json::parse(wire::transition_json(t)).at("evidence").is_null());
}

TEST(ViewRegistry, FindsBoardsById) {
  ViewRegistry registry;
  auto board = std::make_shared<BlockBoard>(
      "blk", [](const BlockState&, std::uint64_t, std::uint64_t) { return nullptr; });
  registry.ordered.push_back(board);
  registry.by_id.emplace("blk", board);
  EXPECT_EQ(registry.board("blk"), board.get());
  EXPECT_EQ(registry.find("blk"), nullptr);  // nothing attached, nothing built yet
  EXPECT_EQ(registry.board("other"), nullptr);
  EXPECT_EQ(registry.find("other"), nullptr);
}

}  // namespace
}  // namespace blockhealth
