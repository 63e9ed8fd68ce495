// The `alertmanager:` action end to end: the real daemon posts to a real
// Prometheus Alertmanager (Debian's prometheus-alertmanager, unpacked into
// .deps/ by scripts/install-deps.sh), and Alertmanager's own API shows the
// alert appear with our labels and annotations, change with the status,
// resolve on recovery, get re-sent while active, resolve during
// maintenance, and outlive a restart of the daemon.
//
// Debian's binary reads its notification templates from
// /usr/share/prometheus/alertmanager/ and will not start without them. When
// the package is not installed there, it runs in a private mount namespace
// (unshare) where .deps/'s copy is mounted at that path; the machine itself
// is not changed.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "core/util/time_text.h"
#include "tests/e2e/e2e_client.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// A real Alertmanager on a free loopback port, no cluster, routing every
// alert to a receiver that notifies nobody.
class RealAlertmanager {
 public:
  explicit RealAlertmanager(const std::filesystem::path& dir) {
    const std::filesystem::path unpacked = source_dir() / ".deps/alertmanager";
    const std::filesystem::path binary = unpacked / "usr/bin/prometheus-alertmanager";
    if (!std::filesystem::exists(binary)) {
      skip_reason_ = "no Alertmanager at " + binary.string() +
                     " (scripts/install-deps.sh unpacks Debian's prometheus-alertmanager there)";
      return;
    }
    const int port = free_loopback_port();
    if (port <= 0) {
      skip_reason_ = "no free loopback port";
      return;
    }
    address_ = "127.0.0.1:" + std::to_string(port);
    const auto config = dir / "alertmanager.yml";
    {
      std::ofstream out(config);
      out << "route: {receiver: 'null', group_wait: 1s}\n"
             "receivers: [{name: 'null'}]\n";
    }
    std::vector<std::string> args = {binary.string(),
                                     "--config.file=" + config.string(),
                                     "--web.listen-address=" + address_,
                                     "--cluster.listen-address=",
                                     "--storage.path=" + (dir / "alertmanager-data").string(),
                                     "--log.level=warn"};
    const std::filesystem::path templates = "/usr/share/prometheus/alertmanager/default.tmpl";
    if (!std::filesystem::exists(templates)) {
      if (!std::filesystem::exists("/usr/bin/unshare")) {
        skip_reason_ = "Debian's Alertmanager needs " + templates.string() +
                       " (the package installed) or unshare(1) to mount .deps/'s copy there";
        return;
      }
      // $0: the unpacked package; then the command. /usr/share is a fresh
      // tmpfs in the namespace, with only the package's own files in it.
      args.insert(args.begin(),
                  {"/usr/bin/unshare", "--user", "--map-root-user", "--mount", "/bin/sh", "-c",
                   "mount -t tmpfs tmpfs /usr/share && mkdir /usr/share/prometheus && "
                   "mount --bind \"$0/usr/share/prometheus\" /usr/share/prometheus && exec \"$@\"",
                   unpacked.string()});
    }
    process_ = std::make_unique<ChildProcess>(args, dir / "alertmanager.log");
    const bool ready = wait_until(
        [&] { return !process_->running() || http_get(address_, "/-/ready").status == 200; },
        std::chrono::seconds(30));
    if (!ready || !process_->running()) {
      skip_reason_ = "Alertmanager did not start (" +
                     std::string(ready ? "it exited" : "not ready") + "): " + process_->output();
    }
  }

  // Why it cannot run here, or "" when it runs.
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& address() const { return address_; }
  std::string base_url() const { return "http://" + address_; }
  std::string log() const { return process_ ? process_->output() : ""; }

  // GET /api/v2/alerts: the alerts it holds that have not ended (resolved
  // ones are not listed).
  json::array alerts() const {
    const HttpReply reply = http_get(address_, "/api/v2/alerts");
    if (reply.status != 200) return {};
    json::value v = reply.json();
    return v.is_array() ? v.as_array() : json::array{};
  }
  // The listed alert whose labels have `alertname` and instance_id, or null.
  json::value alert(const std::string& alertname, const std::string& instance = "node-1") const {
    for (const json::value& a : alerts()) {
      if (str(a.at("labels"), "alertname") == alertname &&
          str(a.at("labels"), "instance_id") == instance) {
        return a;
      }
    }
    return nullptr;
  }

 private:
  std::string skip_reason_;
  std::string address_;
  std::unique_ptr<ChildProcess> process_;
};

std::int64_t alert_time(const json::value& alert, const char* key) {
  const auto t = parse_time_ms(str(alert, key));
  return t ? *t : -1;
}

class AlertmanagerAction : public ::testing::Test {
 protected:
  void SetUp() override {
    am_ = std::make_unique<RealAlertmanager>(dir_.path());
    if (!am_->skip_reason().empty()) GTEST_SKIP() << am_->skip_reason();
  }

  // Block `svc` with instance node-1 (judged by test_echo, evaluated on
  // request) and one alertmanager action to the real one, plus `extra`
  // keys of that action.
  std::string config(const std::string& extra) const {
    return on_request_yaml({"test_echo"}) + "state_dir: '" + (dir_.path() / "state").string() +
           "'\n" + R"(
blocks:
  - id: svc
    instances:
      - id: node-1
    policies:
      - use: test_echo
    on_transition:
      - alertmanager: )" +
           am_->base_url() + "\n" + extra;
  }

  void start(const std::string& extra) {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config(extra));
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "svc", "pause").status, 200);
  }
  const std::string& address() const { return daemon_->address(); }

  // Pushes test_status `value` to node-1 and evaluates until its status is
  // `status`.
  void set_status(int value, const std::string& status) {
    ASSERT_EQ(push_status(address(), "svc", "node-1", value).status, 200);
    const json::value view = evaluate_and_wait(address(), "svc", [&](const json::value& v) {
      return str(instance_of(v, "node-1"), "status") == status;
    });
    ASSERT_EQ(str(instance_of(view, "node-1"), "status"), status) << view;
  }

  // The time of node-1's latest transition to `to` in the daemon's history.
  std::int64_t transition_time(const std::string& to) const {
    const json::value history = http_get(address(), "/v1/blocks/svc/history").json();
    std::int64_t latest = -1;
    for (const json::value& t : history.at("transitions").as_array()) {
      if (str(t, "to") == to && str(t, "instance_id") == "node-1") {
        const auto time = parse_time_ms(str(t, "time"));
        if (time) latest = std::max(latest, *time);
      }
    }
    return latest;
  }

  double delivered() const {
    return metric_value(address(), "blockhealth_action_deliveries_total",
                        {"action=\"alertmanager#0\"", "result=\"delivered\""});
  }

  // Polls until `alertname` of node-1 is listed (or, with `listed` false,
  // no longer listed); the alert last seen.
  json::value wait_alert(const std::string& alertname, bool listed = true) const {
    json::value seen;
    const bool ok = wait_until([&] {
      seen = am_->alert(alertname);
      return seen.is_null() != listed;
    });
    EXPECT_TRUE(ok) << alertname << (listed ? " never listed" : " still listed: ")
                    << json::serialize(seen) << "\ndaemon log:\n"
                    << daemon_->log() << "\nalertmanager log:\n"
                    << am_->log();
    return seen;
  }

  TempDir dir_;
  std::unique_ptr<RealAlertmanager> am_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(AlertmanagerAction, AnAlertFiresChangesWithTheStatusAndResolvesOnRecovery) {
  start("        labels: { severity: page, team: gpu }\n");
  set_status(2, "unhealthy");
  const json::value fired = wait_alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(fired.is_null());
  EXPECT_EQ(fired.at("labels"), json::parse(R"({"alertname":"BlockInstanceUnhealthy",)"
                                            R"("block":"svc","instance_id":"node-1",)"
                                            R"("policy":"test_echo","status":"unhealthy",)"
                                            R"("severity":"page","team":"gpu"})"))
      << fired;
  EXPECT_EQ(str(fired.at("annotations"), "reason"), "test_echo: test_status=2") << fired;
  EXPECT_EQ(json::parse(str(fired.at("annotations"), "evidence")),
            json::parse(R"({"metric":"test_status","observed":2,"limit":0})"))
      << fired;
  EXPECT_EQ(str(fired.at("status"), "state"), "active") << fired;
  EXPECT_EQ(alert_time(fired, "startsAt"), transition_time("unhealthy")) << fired;
  EXPECT_GT(alert_time(fired, "endsAt"), alert_time(fired, "startsAt")) << fired;
  EXPECT_EQ(str(fired, "generatorURL"), "http://" + address() + "/v1/blocks/svc") << fired;

  // Unhealthy -> degraded: another alert (its own alertname), the
  // unhealthy one resolved.
  set_status(1, "degraded");
  const json::value degraded = wait_alert("BlockInstanceDegraded");
  EXPECT_EQ(str(degraded.at("labels"), "status"), "degraded") << degraded;
  EXPECT_EQ(alert_time(degraded, "startsAt"), transition_time("degraded")) << degraded;
  wait_alert("BlockInstanceUnhealthy", false);

  // Ok: nothing of node-1 is listed any more.
  set_status(0, "ok");
  wait_alert("BlockInstanceDegraded", false);
  EXPECT_TRUE(am_->alerts().empty()) << json::serialize(am_->alerts());
  EXPECT_TRUE(wait_until([&] { return delivered() == 3; })) << daemon_->log();
  EXPECT_EQ(metric_value(address(), "blockhealth_action_deliveries_total",
                         {"action=\"alertmanager#0\"", "result=\"gave_up\""}),
            -1);
}

TEST_F(AlertmanagerAction, AnActiveAlertIsResentEveryResendEvery) {
  start("        resend_every: 1s\n");
  set_status(2, "unhealthy");
  const json::value first = wait_alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(first.is_null());
  // With no new transition, Alertmanager hears of it again: updatedAt and
  // endsAt move on, startsAt stays.
  json::value later;
  ASSERT_TRUE(wait_until([&] {
    later = am_->alert("BlockInstanceUnhealthy");
    return !later.is_null() && alert_time(later, "updatedAt") > alert_time(first, "updatedAt");
  })) << json::serialize(first);
  EXPECT_GT(alert_time(later, "endsAt"), alert_time(first, "endsAt")) << later;
  EXPECT_EQ(alert_time(later, "startsAt"), alert_time(first, "startsAt")) << later;
  EXPECT_TRUE(wait_until([&] { return delivered() >= 2; })) << daemon_->log();
}

TEST_F(AlertmanagerAction, MaintenanceResolvesTheAlertAndItFiresAgainAfter) {
  start("        resend_every: 1s\n");
  set_status(2, "unhealthy");
  const json::value fired = wait_alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(fired.is_null());

  HttpRequest put;
  put.method = "PUT";
  put.target = "/v1/blocks/svc/instances/node-1/maintenance";
  put.body = R"({"reason": "driver upgrade", "until": "1h"})";
  put.headers["Content-Type"] = "application/json";
  ASSERT_EQ(http_request(address(), put).status, 200);
  wait_alert("BlockInstanceUnhealthy", false);

  HttpRequest lift;
  lift.method = "DELETE";
  lift.target = put.target;
  ASSERT_EQ(http_request(address(), lift).status, 200);
  const json::value again = wait_alert("BlockInstanceUnhealthy");
  EXPECT_EQ(alert_time(again, "startsAt"), alert_time(fired, "startsAt")) << again;
}

// An instance removed from the configuration has its alert resolved at
// the next re-send.
TEST_F(AlertmanagerAction, RemovingTheInstanceResolvesItsAlert) {
  start("        resend_every: 1s\n");
  set_status(2, "unhealthy");
  ASSERT_FALSE(wait_alert("BlockInstanceUnhealthy").is_null());
  std::string without = config("        resend_every: 1s\n");
  const std::string node = "      - id: node-1\n";
  ASSERT_NE(without.find(node), std::string::npos);
  without.replace(without.find(node), node.size(), "      - id: node-2\n");
  daemon_->write_config(without);
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200) << daemon_->log();
  wait_alert("BlockInstanceUnhealthy", false);
}

// A stop does not resolve the alert (the instance is no healthier for it);
// after the restart the daemon confirms the status and sends it again.
TEST_F(AlertmanagerAction, AnAlertOutlivesARestartAndIsSentAgainAfterIt) {
  const std::string action = "        resend_every: 5s\n";
  start(action);
  set_status(2, "unhealthy");
  const json::value fired = wait_alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(fired.is_null());
  ASSERT_TRUE(
      wait_until([&] { return metric_value(address(), "blockhealth_action_pending") == 0; }));

  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(), std::optional<int>(0)) << daemon_->log();
  // Still firing: endsAt (4 resends ahead) has not come.
  const json::value after_stop = am_->alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(after_stop.is_null()) << daemon_->log();
  EXPECT_EQ(str(after_stop.at("status"), "state"), "active") << after_stop;
  daemon_.reset();

  start(action);
  EXPECT_EQ(delivered(), -1);  // nothing sent before the status is known again
  set_status(2, "unhealthy");
  json::value resent;
  ASSERT_TRUE(wait_until([&] {
    resent = am_->alert("BlockInstanceUnhealthy");
    return !resent.is_null() &&
           alert_time(resent, "updatedAt") > alert_time(after_stop, "updatedAt");
  })) << daemon_->log();
  EXPECT_EQ(alert_time(resent, "startsAt"), alert_time(fired, "startsAt")) << resent;
  EXPECT_TRUE(wait_until([&] { return delivered() >= 1; })) << daemon_->log();

  set_status(0, "ok");
  wait_alert("BlockInstanceUnhealthy", false);
}

// The alert is remembered from the stored history: a recovery that is the
// first thing the restarted daemon sees resolves it at once (without that,
// Alertmanager would keep it until its endsAt, 4 minutes ahead here).
TEST_F(AlertmanagerAction, ARecoveryRightAfterARestartResolvesTheAlert) {
  start("");
  set_status(2, "unhealthy");
  const json::value fired = wait_alert("BlockInstanceUnhealthy");
  ASSERT_FALSE(fired.is_null());
  ASSERT_GT(alert_time(fired, "endsAt") - alert_time(fired, "startsAt"), 200'000) << fired;
  ASSERT_TRUE(
      wait_until([&] { return metric_value(address(), "blockhealth_action_pending") == 0; }));
  daemon_->signal(SIGKILL);
  ASSERT_TRUE(daemon_->wait_exit().has_value());
  daemon_.reset();

  start("");
  set_status(0, "ok");
  wait_alert("BlockInstanceUnhealthy", false);
  EXPECT_TRUE(wait_until([&] { return delivered() == 1; })) << daemon_->log();
}

}  // namespace
}  // namespace blockhealth::test
