// Holds end to end: maintenance windows and silences keep transitions from
// firing actions (while the verdict stays visible), end by themselves or
// when lifted, and refuse bad bodies clearly; the quorum (min_healthy as a
// count or a percentage, instances in maintenance not counted) next to the
// strict AIOS meaning; flapping detected, holding actions, and released
// with one flap_ended call.
#include <gtest/gtest.h>

#include <algorithm>
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

HttpReply http_delete(const std::string& address, const std::string& target) {
  HttpRequest r;
  r.method = "DELETE";
  r.target = target;
  return http_request(address, r);
}

HttpReply put_json(const std::string& address, const std::string& target, const std::string& body) {
  HttpRequest r;
  r.method = "PUT";
  r.target = target;
  r.body = body;
  r.headers["Content-Type"] = "application/json";
  return http_request(address, r);
}

// The error message of a JSON error answer.
std::string message_of(const HttpReply& reply) {
  boost::system::error_code ec;
  const json::value v = json::parse(reply.body, ec);
  return ec ? reply.body : str(v, "message");
}

// Calls for one instance of block `svc`, in arrival order, as parsed bodies.
std::vector<json::value> calls_for(const WebhookReceiver& receiver, const std::string& instance) {
  std::vector<json::value> out;
  for (const ReceivedRequest& r : receiver.requests()) {
    if (r.target != "/svc") continue;
    json::value body = r.json();
    if (str(body, "instance_id") == instance) out.push_back(std::move(body));
  }
  return out;
}

class Holds : public ::testing::Test {
 protected:
  // Block `svc` (node-1, node-2) with a webhook on every transition, block
  // `count` (min_healthy: 2) and block `pct` (min_healthy: 50%), each with
  // a, b, c; block `flap` (node-1) with flapping detection and a webhook.
  // Blocks are paused: policies run on request, while the 200ms health
  // timer still republishes views and samples flapping.
  std::string config() const {
    return test_plugin_dirs_yaml({"test_echo"}) + "state_dir: '" +
           (dir_.path() / "state").string() + "'\n" + R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  degraded_after: 1
  stale_after: 1h
blocks:
  - id: svc
    instances: [{id: node-1}, {id: node-2}]
    policies: [{use: test_echo}]
    on_transition:
      - webhook: )" +
           receiver_.url("/svc") +
           R"(
  - id: count
    min_healthy: 2
    instances: [{id: a}, {id: b}, {id: c}]
    policies: [{use: test_echo}]
  - id: pct
    min_healthy: 50%
    instances: [{id: a}, {id: b}, {id: c}]
    policies: [{use: test_echo}]
  - id: flap
    flapping: { window: 8, start_percent: 40, stop_percent: 10 }
    instances: [{id: node-1}]
    policies: [{use: test_echo}]
    on_transition:
      - webhook: )" +
           receiver_.url("/flap") + "\n";
  }

  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config());
    ASSERT_TRUE(daemon_->started());
    for (const char* block : {"svc", "count", "pct", "flap"}) {
      ASSERT_EQ(mgmt(address(), block, "pause").status, 200);
    }
  }

  const std::string& address() const { return daemon_->address(); }

  // Pushes the test_status values and evaluates `block` until every named
  // instance has its status. Returns the view.
  json::value set_statuses(const std::string& block,
                           const std::vector<std::pair<std::string, int>>& values) {
    for (const auto& [instance, value] : values) {
      EXPECT_EQ(push_status(address(), block, instance, value).status, 200);
    }
    return evaluate_and_wait(address(), block, [&](const json::value& v) {
      for (const auto& [instance, value] : values) {
        if (str(instance_of(v, instance), "status") != status_name(value)) return false;
      }
      return true;
    });
  }

  static std::string status_name(int value) {
    switch (value) {
      case 0:
        return "ok";
      case 1:
        return "degraded";
      case 2:
        return "unhealthy";
      default:
        return "unknown";
    }
  }

  HttpReply put_maintenance(const std::string& block, const std::string& instance,
                            const std::string& body) {
    return put_json(address(), "/v1/blocks/" + block + "/instances/" + instance + "/maintenance",
                    body);
  }

  TempDir dir_;
  WebhookReceiver receiver_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Holds, MaintenanceSuppressesActionsKeepsTheVerdictAndIsLifted) {
  set_statuses("svc", {{"node-1", 0}});
  ASSERT_TRUE(receiver_.wait_for(1));  // unknown -> ok

  const HttpReply put =
      put_maintenance("svc", "node-1", R"({"reason": "kernel upgrade", "until": "1h"})");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(str(put.json().at("maintenance"), "reason"), "kernel upgrade");

  // The verdict is computed and visible; the transition fires nothing.
  const json::value view = set_statuses("svc", {{"node-1", 2}});
  const json::value in = instance_of(view, "node-1");
  EXPECT_EQ(str(in, "status"), "unhealthy");
  ASSERT_TRUE(in.at("maintenance").is_object()) << in;
  EXPECT_EQ(str(in.at("maintenance"), "reason"), "kernel upgrade");
  EXPECT_EQ(in.at("counts_for_quorum"), json::value(false));

  const HttpReply listed = http_get(address(), "/v1/silences");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json().at("maintenance").as_array().size(), 1u) << listed.body;
  EXPECT_EQ(str(listed.json().at("maintenance").at(0), "instance_id"), "node-1");

  const HttpReply lifted = http_delete(address(), "/v1/blocks/svc/instances/node-1/maintenance");
  ASSERT_EQ(lifted.status, 200) << lifted.body;
  const HttpReply again = http_delete(address(), "/v1/blocks/svc/instances/node-1/maintenance");
  EXPECT_EQ(again.status, 404);
  EXPECT_NE(message_of(again).find("not in maintenance"), std::string::npos) << again.body;

  // Lifted: the next transition fires (barrier for the held one: same
  // instance and action, so it would have come first).
  set_statuses("svc", {{"node-1", 0}});
  ASSERT_TRUE(wait_until([&] { return calls_for(receiver_, "node-1").size() >= 2; }));
  const auto calls = calls_for(receiver_, "node-1");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(str(calls[1], "from"), "unhealthy");
  EXPECT_EQ(str(calls[1], "to"), "ok");
}

TEST_F(Holds, MaintenanceEndsByItself) {
  set_statuses("svc", {{"node-1", 0}});
  ASSERT_TRUE(receiver_.wait_for(1));
  ASSERT_EQ(put_maintenance("svc", "node-1", R"({"reason": "short", "until": "1s"})").status, 200);
  set_statuses("svc", {{"node-1", 2}});  // held
  // It ends by itself: the view and the list no longer show it.
  const json::value view = wait_for_view(address(), "svc", [](const json::value& v) {
    return instance_of(v, "node-1").at("maintenance").is_null();
  });
  EXPECT_EQ(instance_of(view, "node-1").at("counts_for_quorum"), json::value(true));
  EXPECT_TRUE(wait_until([&] {
    return http_get(address(), "/v1/silences").json().at("maintenance").as_array().empty();
  }));
  // And transitions fire again.
  set_statuses("svc", {{"node-1", 1}});
  ASSERT_TRUE(wait_until([&] { return calls_for(receiver_, "node-1").size() >= 2; }));
  const auto calls = calls_for(receiver_, "node-1");
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(str(calls[1], "to"), "degraded");
}

TEST_F(Holds, SilencesForABlockAndForOneInstanceAreLiftedOneAtATime) {
  const HttpReply block_silence = http_post(
      address(), "/v1/silences", R"({"block": "svc", "reason": "deploy", "until": "1h"})");
  ASSERT_EQ(block_silence.status, 201) << block_silence.body;
  const std::string block_id = str(block_silence.json().at("silence"), "id");
  ASSERT_FALSE(block_id.empty());
  EXPECT_TRUE(block_silence.json().at("silence").at("instance_id").is_null());
  const HttpReply instance_silence =
      http_post(address(), "/v1/silences",
                R"({"block": "svc", "instance": "node-1", "reason": "flaky disk", "until": "2h"})");
  ASSERT_EQ(instance_silence.status, 201) << instance_silence.body;
  const std::string instance_id = str(instance_silence.json().at("silence"), "id");
  EXPECT_NE(instance_id, block_id);
  EXPECT_EQ(str(instance_silence.json().at("silence"), "instance_id"), "node-1");

  const HttpReply listed = http_get(address(), "/v1/silences");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.json().at("silences").as_array().size(), 2u) << listed.body;

  // Both silenced: transitions recorded, shown, not sent.
  json::value view = set_statuses("svc", {{"node-1", 2}, {"node-2", 2}});
  EXPECT_TRUE(instance_of(view, "node-1").at("silence").is_object()) << view;
  EXPECT_EQ(str(instance_of(view, "node-2").at("silence"), "id"), block_id) << view;

  // Lift the block's silence: node-2 fires again, node-1 stays silenced.
  const HttpReply lift_block = http_delete(address(), "/v1/silences/" + block_id);
  ASSERT_EQ(lift_block.status, 200) << lift_block.body;
  view = set_statuses("svc", {{"node-1", 0}, {"node-2", 0}});
  EXPECT_EQ(str(instance_of(view, "node-1").at("silence"), "id"), instance_id) << view;
  EXPECT_TRUE(instance_of(view, "node-2").at("silence").is_null()) << view;
  ASSERT_TRUE(wait_until([&] { return !calls_for(receiver_, "node-2").empty(); }));

  // Lift the instance's: node-1 fires again.
  ASSERT_EQ(http_delete(address(), "/v1/silences/" + instance_id).status, 200);
  const HttpReply gone = http_delete(address(), "/v1/silences/" + instance_id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_NE(message_of(gone).find(instance_id), std::string::npos) << gone.body;
  set_statuses("svc", {{"node-1", 1}});
  ASSERT_TRUE(wait_until([&] { return !calls_for(receiver_, "node-1").empty(); }));

  // Exactly one call each: the first after each lift (the held ones,
  // earlier in each instance's order, would have arrived first).
  const auto node1 = calls_for(receiver_, "node-1");
  const auto node2 = calls_for(receiver_, "node-2");
  ASSERT_EQ(node1.size(), 1u);
  ASSERT_EQ(node2.size(), 1u);
  EXPECT_EQ(str(node1[0], "from"), "ok");
  EXPECT_EQ(str(node1[0], "to"), "degraded");
  EXPECT_EQ(str(node2[0], "from"), "unhealthy");
  EXPECT_EQ(str(node2[0], "to"), "ok");
  EXPECT_TRUE(http_get(address(), "/v1/silences").json().at("silences").as_array().empty());
}

// GET /v1/silences pages (issue 13: bounded answers): ?limit= holds, a
// `next` cursor leads through every hold exactly once even when one is
// lifted between pages, ?block= filters, and a bad limit is a 400.
TEST_F(Holds, TheListOfHoldsComesInPages) {
  for (const char* instance : {"a", "b"}) {
    ASSERT_EQ(put_maintenance("count", instance, R"({"reason": "m", "until": "1h"})").status, 200);
  }
  std::vector<std::string> silence_ids;
  for (int i = 0; i < 5; ++i) {
    const HttpReply made = http_post(address(), "/v1/silences",
                                     R"({"block": ")" + std::string(i < 3 ? "svc" : "pct") +
                                         R"(", "reason": "s", "until": "1h"})");
    ASSERT_EQ(made.status, 201) << made.body;
    silence_ids.push_back(str(made.json().at("silence"), "id"));
  }
  std::vector<std::string> seen;  // "m:<instance>" or the silence id
  std::string cursor;
  int pages = 0;
  for (;; ++pages) {
    ASSERT_LT(pages, 10) << "the pages do not end";
    const HttpReply page =
        http_get(address(), "/v1/silences?limit=3" + (cursor.empty() ? "" : "&after=" + cursor));
    ASSERT_EQ(page.status, 200) << page.body;
    const json::value body = page.json();
    const std::size_t n =
        body.at("maintenance").as_array().size() + body.at("silences").as_array().size();
    EXPECT_LE(n, 3u) << page.body;
    for (const json::value& m : body.at("maintenance").as_array()) {
      seen.push_back("m:" + str(m, "instance_id"));
    }
    for (const json::value& x : body.at("silences").as_array()) seen.push_back(str(x, "id"));
    if (pages == 0) {
      // Lifting a hold already listed moves no other hold across a page.
      ASSERT_EQ(http_delete(address(), "/v1/blocks/count/instances/a/maintenance").status, 200);
    }
    const json::value* next = body.as_object().if_contains("next");
    if (next == nullptr) break;
    cursor = std::string(next->as_string());
  }
  EXPECT_EQ(pages, 2);  // 7 holds, 3 a page
  // Maintenance first, then silences (by creation time; ties by id).
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen[0], "m:a");
  EXPECT_EQ(seen[1], "m:b");
  std::vector<std::string> silences_seen(seen.begin() + 2, seen.end());
  std::sort(silences_seen.begin(), silences_seen.end());
  std::sort(silence_ids.begin(), silence_ids.end());
  EXPECT_EQ(silences_seen, silence_ids);

  const json::value pct = http_get(address(), "/v1/silences?block=pct").json();
  EXPECT_EQ(pct.at("silences").as_array().size(), 2u) << pct;
  EXPECT_TRUE(pct.at("maintenance").as_array().empty()) << pct;
  EXPECT_EQ(pct.as_object().if_contains("next"), nullptr) << pct;
  for (const char* bad : {"limit=0", "limit=1001", "limit=x"}) {
    const HttpReply refused = http_get(address(), std::string("/v1/silences?") + bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
    EXPECT_NE(message_of(refused).find("limit"), std::string::npos) << refused.body;
  }
}

TEST_F(Holds, BadHoldBodiesAreRefusedNamingTheProblem) {
  const std::string maintenance = "/v1/blocks/svc/instances/node-1/maintenance";
  struct Case {
    std::string target;
    std::string method;
    std::string body;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {maintenance, "PUT", R"({"reason": "x"})", 400, "until: required"},
      {maintenance, "PUT", R"({"reason": "x", "until": "2020-01-01T00:00:00Z"})", 400,
       "is not in the future"},
      {maintenance, "PUT", R"({"reason": "x", "until": "100d"})", 400, "at most 90 days"},
      {maintenance, "PUT", R"({"reason": "x", "until": "soon"})", 400, "until:"},
      {maintenance, "PUT", R"({"until": "1h"})", 400, "reason: required"},
      {maintenance, "PUT", R"({"reason": "x", "until": "1h", "extra": 1})", 400,
       "unknown field 'extra'"},
      {maintenance, "PUT", R"({"reason": "x", "until": )", 400, "invalid JSON at byte"},
      {maintenance, "PUT", R"(["reason"])", 400, "expected a JSON object"},
      {"/v1/blocks/svc/instances/nope/maintenance", "PUT", R"({"reason": "x", "until": "1h"})", 404,
       "has no instance 'nope'"},
      {"/v1/blocks/nope/instances/node-1/maintenance", "PUT", R"({"reason": "x", "until": "1h"})",
       404, "no block 'nope'"},
      {"/v1/silences", "POST", R"({"reason": "x", "until": "1h"})", 400, "block: required"},
      {"/v1/silences", "POST", R"({"block": "svc", "reason": "x"})", 400, "until: required"},
      {"/v1/silences", "POST", R"({"block": "svc", "reason": "x", "until": "-1h"})", 400, "until:"},
      {"/v1/silences", "POST", "{oops", 400, "invalid JSON at byte"},
      {"/v1/silences", "POST",
       R"({"block": "svc", "until": "1h", "reason": ")" + std::string(1025, 'r') + "\"}", 400,
       "reason: at most 1024 bytes, got 1025"},
      {maintenance, "PUT", R"({"until": "1h", "reason": ")" + std::string(5000, 'r') + "\"}", 400,
       "reason: at most 1024 bytes, got 5000"},
  };
  for (const Case& c : cases) {
    HttpRequest r;
    r.method = c.method;
    r.target = c.target;
    r.body = c.body;
    r.headers["Content-Type"] = "application/json";
    const HttpReply reply = http_request(address(), r);
    EXPECT_EQ(reply.status, c.status)
        << c.method << " " << c.target << " " << c.body << ": " << reply.body;
    EXPECT_NE(message_of(reply).find(c.message), std::string::npos)
        << c.method << " " << c.target << " " << c.body << ": " << reply.body;
  }
  // Nothing was set by the refused requests.
  const json::value listed = http_get(address(), "/v1/silences").json();
  EXPECT_TRUE(listed.at("silences").as_array().empty()) << listed;
  EXPECT_TRUE(listed.at("maintenance").as_array().empty()) << listed;
}

// The quorum of a block next to its strict AIOS health.
struct Quorum {
  bool ok = false;
  int required = -1;
  int healthy = -1;
  std::vector<std::string> counted;
};

Quorum quorum_of(const json::value& view) {
  Quorum q;
  q.ok = view.at("quorum_ok").as_bool();
  const json::value& detail = view.at("quorum");
  q.required = static_cast<int>(detail.at("min_healthy").to_number<std::int64_t>());
  q.healthy = static_cast<int>(detail.at("healthy").to_number<std::int64_t>());
  for (const json::value& id : detail.at("counted").as_array()) {
    q.counted.emplace_back(id.as_string());
  }
  return q;
}

bool aios_healthy(const std::string& address, const std::string& block) {
  const HttpReply reply = http_get(address, "/block/health/" + block);
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.status == 200 && reply.json().at("healthy").as_bool();
}

TEST_F(Holds, QuorumCountsHealthyInstancesButNotThoseInMaintenance) {
  using Names = std::vector<std::string>;
  for (const std::string block : {"count", "pct"}) {
    SCOPED_TRACE(block);
    // All ok: quorum and strict health agree.
    json::value view = set_statuses(block, {{"a", 0}, {"b", 0}, {"c", 0}});
    Quorum q = quorum_of(view);
    EXPECT_TRUE(q.ok);
    EXPECT_EQ(q.required, 2);  // 2, and 50% of 3 rounded up
    EXPECT_EQ(q.healthy, 3);
    EXPECT_EQ(q.counted, (Names{"a", "b", "c"}));
    EXPECT_TRUE(aios_healthy(address(), block));

    // One down (degraded still counts as healthy): quorum holds, AIOS says
    // unhealthy.
    view = set_statuses(block, {{"a", 2}, {"b", 1}});
    q = quorum_of(view);
    EXPECT_TRUE(q.ok) << view;
    EXPECT_EQ(q.healthy, 2);
    EXPECT_FALSE(view.at("healthy").as_bool());
    EXPECT_FALSE(aios_healthy(address(), block));

    // Two down: no quorum.
    view = set_statuses(block, {{"b", 3}});
    q = quorum_of(view);
    EXPECT_FALSE(q.ok) << view;
    EXPECT_EQ(q.healthy, 1);
  }

  // b in maintenance does not count: 2 of the 2 counted for `count` (one
  // healthy: no quorum), 50% of 2 = 1 for `pct` (quorum).
  for (const std::string block : {"count", "pct"}) {
    ASSERT_EQ(put_maintenance(block, "b", R"({"reason": "swap GPU", "until": "1h"})").status, 200);
  }
  json::value count_view = wait_for_view(address(), "count", [](const json::value& v) {
    return v.at("quorum").at("counted").as_array().size() == 2;
  });
  json::value pct_view = wait_for_view(address(), "pct", [](const json::value& v) {
    return v.at("quorum").at("counted").as_array().size() == 2;
  });
  Quorum count = quorum_of(count_view);
  Quorum pct = quorum_of(pct_view);
  EXPECT_EQ(count.counted, (Names{"a", "c"}));
  EXPECT_EQ(count.required, 2);
  EXPECT_EQ(count.healthy, 1);
  EXPECT_FALSE(count.ok) << count_view;
  EXPECT_EQ(pct.counted, (Names{"a", "c"}));
  EXPECT_EQ(pct.required, 1);
  EXPECT_EQ(pct.healthy, 1);
  EXPECT_TRUE(pct.ok) << pct_view;
  // b's verdict is still shown, and the strict meaning still sees it.
  EXPECT_EQ(str(instance_of(pct_view, "b"), "status"), "unknown");
  EXPECT_FALSE(aios_healthy(address(), "pct"));

  // a recovers: `count` has its quorum again.
  count_view = set_statuses("count", {{"a", 0}});
  count = quorum_of(count_view);
  EXPECT_TRUE(count.ok) << count_view;
  EXPECT_EQ(count.healthy, 2);
}

TEST_F(Holds, FlappingIsDetectedHoldsActionsAndIsReleasedOnce) {
  // Waits until the health timer has republished the view once after
  // `view` (it samples the flap detector right after). Only while the
  // detector is not steady: then the block is visited every interval.
  const auto next_tick = [&](const json::value& view) {
    const std::string at = str(view, "evaluated_at");
    return wait_for_view(address(), "flap",
                         [&](const json::value& v) { return str(v, "evaluated_at") != at; });
  };
  json::value view = set_statuses("flap", {{"node-1", 0}});
  ASSERT_TRUE(receiver_.wait_for(1));
  // No wait for a health tick here: while the detector's window holds one
  // status only (steady) the engine does not visit the block each interval
  // (nothing to sample), so evaluated_at may not move until the first flip.

  // Alternate unhealthy/ok, one health tick each, until it flaps.
  int value = 2;
  for (int flips = 0; flips < 60 && !instance_of(view, "node-1").at("flapping").as_bool();
       ++flips) {
    view = next_tick(set_statuses("flap", {{"node-1", value}}));
    value = 2 - value;
  }
  json::value in = instance_of(view, "node-1");
  ASSERT_TRUE(in.at("flapping").as_bool()) << view;
  EXPECT_GE(in.at("flap_percent").to_number<double>(), 40.0) << in;
  // What was last notified: the status when flapping started (transitions
  // until then fired).
  const std::string notified = str(in, "status");
  const HttpReply history = http_get(address(), "/v1/blocks/flap/history?limit=1000");
  ASSERT_EQ(history.status, 200);
  const json::value history_json = history.json();
  const json::array& before = history_json.at("transitions").as_array();
  const std::int64_t last_notified_seq = before.at(0).at("seq").to_number<std::int64_t>();
  const std::size_t notified_count = before.size();

  // Two more changes while flapping: held.
  view = set_statuses("flap", {{"node-1", notified == "ok" ? 2 : 0}});
  ASSERT_TRUE(instance_of(view, "node-1").at("flapping").as_bool()) << view;
  view = set_statuses("flap", {{"node-1", notified == "ok" ? 0 : 2}});

  // Settle in the other status: flapping stops, the actions are told once.
  const int settled = notified == "ok" ? 2 : 0;
  set_statuses("flap", {{"node-1", settled}});
  view = wait_for_view(address(), "flap", [](const json::value& v) {
    return !instance_of(v, "node-1").at("flapping").as_bool();
  });
  const auto flap_calls = [&] {
    std::vector<ReceivedRequest> out;
    for (const ReceivedRequest& r : receiver_.requests()) {
      if (r.target == "/flap") out.push_back(r);
    }
    return out;
  };
  ASSERT_TRUE(wait_until([&] {
    for (const ReceivedRequest& r : flap_calls()) {
      if (str(r.json(), "event") == "flap_ended") return true;
    }
    return false;
  })) << daemon_->log();

  const auto requests = flap_calls();
  std::size_t transitions = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const json::value body = requests[i].json();
    if (str(body, "event") == "transition") {
      ++transitions;
      EXPECT_LE(body.at("seq").to_number<std::int64_t>(), last_notified_seq) << body;
    } else {
      EXPECT_EQ(str(body, "event"), "flap_ended");
      EXPECT_EQ(i, requests.size() - 1) << "flap_ended is the last call";
      EXPECT_EQ(str(body, "from"), notified);
      EXPECT_EQ(str(body, "to"), status_name(settled));
      EXPECT_NE(str(body, "reason").find("settled after flapping"), std::string::npos) << body;
    }
  }
  EXPECT_EQ(transitions, notified_count);
}

}  // namespace
}  // namespace blockhealth::test
