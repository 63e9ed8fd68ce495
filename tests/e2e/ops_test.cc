// The daemon's own endpoints (healthz, readyz, /metrics checked with
// promtool when available) and its lifecycle (SIGTERM, SIGINT).
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string ops_config() {
  return on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: block
    instances:
      - id: node
    policies:
      - use: test_echo
)";
}

class Ops : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), ops_config());
    ASSERT_TRUE(daemon_->started());
  }
  const std::string& address() const { return daemon_->address(); }
  // Pauses, pushes test_status 0 and evaluates: one ok call, one transition.
  void evaluate_once() {
    ASSERT_EQ(mgmt(address(), "block", "pause").status, 200);
    ASSERT_EQ(push_status(address(), "block", "node", 0).status, 200);
    evaluate_and_wait(address(), "block", [](const json::value& v) {
      return str(instance_of(v, "node"), "status") == "ok";
    });
  }
  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Ops, HealthzAndReadyzAre200) {
  HttpReply reply = http_get(address(), "/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), json::parse(R"({"status":"ok"})"));
  reply = http_get(address(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), json::parse(R"({"status":"ready"})"));
}

TEST_F(Ops, MetricsExposeVerdictsAndPolicyCalls) {
  evaluate_once();
  const HttpReply reply = http_get(address(), "/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u)
      << reply.header("Content-Type");
  const std::string& body = reply.body;
  for (
      const std::string& line :
      {std::string("# TYPE blockhealth_instance_status gauge"),
       std::string(
           R"(blockhealth_instance_status{block="block",instance_id="node",status="ok"} 1)"),
       std::string(
           R"(blockhealth_instance_status{block="block",instance_id="node",status="unhealthy"} 0)"),
       std::string("# TYPE blockhealth_policy_calls_total counter"),
       std::string(
           R"(blockhealth_policy_calls_total{block="block",policy="test_echo",outcome="ok"} 1)"),
       std::string(R"(blockhealth_block_healthy{block="block"} 1)"),
       std::string(R"(blockhealth_transitions_total{block="block",to="ok"} 1)"),
       std::string(R"(blockhealth_ingested_samples_total{block="block"} 1)"),
       std::string(R"(blockhealth_reloads_total{result="applied"} 1)"),
       std::string("# TYPE blockhealth_policy_call_duration_seconds histogram"),
       std::string("blockhealth_build_info{version=\"")}) {
    EXPECT_NE(body.find("\n" + line), std::string::npos) << line << "\n---\n" << body;
  }
}

// Issue 12: what Prometheus users expect of any exporter — process_*
// metrics, and whether the last configuration load worked.
TEST_F(Ops, MetricsIncludeTheProcessAndTheLastReload) {
  const auto value = [&](const std::string& name) { return metric_value(address(), name); };
  EXPECT_GT(value("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(value("process_virtual_memory_bytes"), value("process_resident_memory_bytes"));
  EXPECT_GE(value("process_cpu_seconds_total"), 0);
  EXPECT_GT(value("process_open_fds"), 3);
  EXPECT_GE(value("process_max_fds"), value("process_open_fds"));
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_NEAR(value("process_start_time_seconds"), now, 120);
  const std::string body = http_get(address(), "/metrics").body;
  EXPECT_NE(body.find("# TYPE process_cpu_seconds_total counter"), std::string::npos) << body;
  EXPECT_EQ(value("blockhealth_config_last_reload_successful"), 1);
  const double applied_at = value("blockhealth_config_last_reload_success_timestamp_seconds");
  EXPECT_NEAR(applied_at, now, 120);

  // A reload that is rejected turns the gauge to 0 and keeps the time of
  // the last success; a good one turns it back.
  daemon_->write_config("blocks: [{id: broken, policies: [{use: no_such_policy}]}]\n");
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 422);
  EXPECT_EQ(value("blockhealth_config_last_reload_successful"), 0);
  EXPECT_EQ(value("blockhealth_config_last_reload_success_timestamp_seconds"), applied_at);
  daemon_->write_config(ops_config());
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200);
  EXPECT_EQ(value("blockhealth_config_last_reload_successful"), 1);
}

// Issue 12: a real Prometheus (Debian's) scrapes the daemon, and its query
// API returns our series, our instance_id label intact next to the
// target's `instance` (no exported_instance).
TEST_F(Ops, ARealPrometheusScrapesTheDaemon) {
  if (!std::filesystem::exists(prometheus_binary())) {
    GTEST_SKIP() << "no prometheus at " << prometheus_binary();
  }
  evaluate_once();
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  ChildProcess server(prometheus_args(dir_.path(),
                                      "global: {scrape_interval: 1s}\n"
                                      "scrape_configs:\n"
                                      "  - job_name: blockhealth\n"
                                      "    static_configs: [{targets: ['" +
                                          address() + "']}]\n",
                                      port),
                      dir_.path() / "prometheus.log");
  const std::string api = "127.0.0.1:" + std::to_string(port);
  json::value result;
  const bool found = wait_until(
      [&] {
        if (!server.running()) return true;
        const HttpReply reply =
            http_get(api, "/api/v1/query?query=blockhealth_instance_status%7Bstatus%3D%22ok%22%7D");
        if (reply.status != 200) return false;
        result = reply.json().at("data").at("result");
        return !result.as_array().empty();
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(found && server.running()) << server.output();
  ASSERT_FALSE(result.as_array().empty()) << server.output();
  const json::value& series = result.at(0);
  const json::object& labels = series.at("metric").as_object();
  EXPECT_EQ(str(series.at("metric"), "instance_id"), "node") << series;
  EXPECT_EQ(str(series.at("metric"), "block"), "block") << series;
  EXPECT_EQ(str(series.at("metric"), "job"), "blockhealth") << series;
  EXPECT_EQ(str(series.at("metric"), "instance"), address()) << series;
  EXPECT_FALSE(labels.contains("exported_instance")) << series;
  EXPECT_EQ(series.at("value").at(1).as_string(), "1") << series;
}

// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    bound_ = ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  bool bound() const { return bound_; }
  // The datagrams received until one contains `want` (returned last), or
  // all of them when `timeout` passes first.
  std::vector<std::string> until(const std::string& want,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::vector<std::string> got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      got.emplace_back(buffer, static_cast<std::size_t>(n));
      if (got.back().find(want) != std::string::npos) return got;
    }
    return got;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool bound_ = false;
};

// Issue 12 (deploy like the tools operators run): systemd's Type=notify
// protocol, readiness, reloads, stopping and the watchdog.
TEST(OpsSystemd, TheDaemonTellsSystemdItsState) {
  TempDir dir;
  NotifySocket systemd(dir.path() / "notify.sock");
  ASSERT_TRUE(systemd.bound());
  ::setenv("NOTIFY_SOCKET", (dir.path() / "notify.sock").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);
  DaemonProcess daemon(dir.path(), ops_config());
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ASSERT_TRUE(daemon.started());
  std::vector<std::string> got = systemd.until("READY=1");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "READY=1\nSTATUS=judging 1 blocks; listening on " + daemon.address());
  got = systemd.until("WATCHDOG=1");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "WATCHDOG=1");
  daemon.signal(SIGHUP);
  got = systemd.until("RELOADING=1");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "RELOADING=1");
  got = systemd.until("READY=1");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().rfind("READY=1", 0), 0u) << got.back();
  daemon.signal(SIGTERM);
  got = systemd.until("STOPPING=1");
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "STOPPING=1");
  EXPECT_EQ(daemon.wait_exit(), 0) << daemon.log();
}

// deploy/: the alerting rules pass `promtool check rules` and their unit
// tests; every dashboard query is valid PromQL (checked as a recording
// rule); and every metric either names is one the daemon exports.
TEST_F(Ops, TheShippedRulesAndDashboardUseRealMetricsAndValidPromql) {
  const std::filesystem::path promtool = source_dir() / ".deps/prometheus/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) GTEST_SKIP() << "no promtool at " << promtool;
  const std::filesystem::path deploy = source_dir() / "deploy";
  const auto run = [&](const std::string& args, const std::filesystem::path& cwd) {
    const auto out = dir_.path() / "promtool.txt";
    const std::string command = "cd '" + cwd.string() + "' && '" + promtool.string() + "' " + args +
                                " > '" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());  // NOLINT(cert-env33-c): test-only
    return std::make_pair(WIFEXITED(status) && WEXITSTATUS(status) == 0, read_file(out));
  };
  const auto rules = run("check rules blockhealth-rules.yml", deploy / "prometheus");
  EXPECT_TRUE(rules.first) << rules.second;
  const auto unit = run("test rules blockhealth-rules.test.yml", deploy / "prometheus");
  EXPECT_TRUE(unit.first) << unit.second;

  const std::string dashboard_text = read_file(deploy / "grafana/blockhealth-dashboard.json");
  const json::value dashboard = json::parse(dashboard_text);
  std::string as_rules = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (const json::value& panel : dashboard.at("panels").as_array()) {
    for (const json::value& target : panel.at("targets").as_array()) {
      std::string expr(target.at("expr").as_string());
      for (std::size_t at; (at = expr.find("$block")) != std::string::npos;) {
        expr.replace(at, 6, ".*");
      }
      json::string quoted(expr);
      as_rules += "      - record: dashboard:query" + std::to_string(++n) +
                  "\n        expr: " + json::serialize(quoted) + "\n";
    }
  }
  ASSERT_GT(n, 10);
  {
    std::ofstream out(dir_.path() / "dashboard-rules.yml");
    out << as_rules;
  }
  const auto queries = run("check rules dashboard-rules.yml", dir_.path());
  EXPECT_TRUE(queries.first) << queries.second << "\n" << as_rules;

  // Every metric named exists on the daemon's /metrics.
  const std::string exported = http_get(address(), "/metrics").body;
  const std::string rules_text = read_file(deploy / "prometheus/blockhealth-rules.yml");
  const std::regex name(R"(\b((?:blockhealth|process)_[a-z_]+))");
  std::set<std::string> names;
  for (const std::string* text : {&rules_text, &dashboard_text}) {
    for (auto it = std::sregex_iterator(text->begin(), text->end(), name);
         it != std::sregex_iterator(); ++it) {
      names.insert((*it)[1].str());
    }
  }
  ASSERT_FALSE(names.empty());
  for (std::string metric : names) {
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      const std::string s(suffix);
      if (metric.size() > s.size() && metric.ends_with(s) &&
          exported.find("# TYPE " + metric.substr(0, metric.size() - s.size()) + " histogram") !=
              std::string::npos) {
        metric.resize(metric.size() - s.size());
      }
    }
    EXPECT_NE(exported.find("# TYPE " + metric + " "), std::string::npos)
        << metric << " is not a metric of the daemon";
  }
}

// deploy/kubernetes and deploy/container hang together: the configuration
// they ship passes check-config, the Deployment's port is the one the
// configuration listens on and the Service and scrape annotation name, its
// probes are endpoints the daemon answers 200 on, and the generated
// ConfigMap is the one the Deployment mounts.
TEST_F(Ops, TheKubernetesManifestsMatchTheDaemon) {
  const std::filesystem::path k8s = source_dir() / "deploy/kubernetes";
  const CommandResult check =
      run_blockhealthd({"check-config", (k8s / "blockhealth.yaml").string()});
  EXPECT_EQ(check.exit_code, 0) << check.output;
  const YAML::Node config = YAML::LoadFile((k8s / "blockhealth.yaml").string());
  const std::string listen = config["server"]["listen"].as<std::string>();
  const int port = std::stoi(listen.substr(listen.rfind(':') + 1));

  YAML::Node deployment;
  YAML::Node service;
  for (const YAML::Node& doc : YAML::LoadAllFromFile((k8s / "blockhealthd.yaml").string())) {
    if (doc["kind"].as<std::string>() == "Deployment") deployment = doc;
    if (doc["kind"].as<std::string>() == "Service") service = doc;
  }
  ASSERT_TRUE(deployment.IsDefined() && service.IsDefined());
  const YAML::Node pod = deployment["spec"]["template"]["spec"];
  const YAML::Node container = pod["containers"][0];
  EXPECT_EQ(container["ports"][0]["containerPort"].as<int>(), port);
  EXPECT_EQ(service["spec"]["ports"][0]["port"].as<int>(), port);
  EXPECT_EQ(service["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(),
            std::to_string(port));
  for (const char* probe : {"readinessProbe", "livenessProbe"}) {
    const std::string path = container[probe]["httpGet"]["path"].as<std::string>();
    EXPECT_EQ(http_get(address(), path).status, 200) << probe << " " << path;
  }
  const YAML::Node kustomization = YAML::LoadFile((k8s / "kustomization.yaml").string());
  std::string mounted;
  for (const YAML::Node& volume : pod["volumes"]) {
    if (volume["configMap"]) mounted = volume["configMap"]["name"].as<std::string>();
  }
  EXPECT_EQ(kustomization["configMapGenerator"][0]["name"].as<std::string>(), mounted);
  EXPECT_EQ(kustomization["configMapGenerator"][0]["files"][0].as<std::string>(),
            "blockhealth.yaml");
  // The container recipe copies files that exist.
  const std::string dockerfile = read_file(source_dir() / "deploy/container/Dockerfile");
  const std::regex copy(R"(\nCOPY (\S+) /etc/)");
  for (auto it = std::sregex_iterator(dockerfile.begin(), dockerfile.end(), copy);
       it != std::sregex_iterator(); ++it) {
    EXPECT_TRUE(std::filesystem::exists(source_dir() / (*it)[1].str())) << (*it)[1].str();
  }
  EXPECT_NE(dockerfile.find("--listen\", \"0.0.0.0:" + std::to_string(port)), std::string::npos);
}

TEST_F(Ops, PromtoolAcceptsTheMetrics) {
  const std::filesystem::path promtool = source_dir() / ".deps/prometheus/usr/bin/promtool";
  if (!std::filesystem::exists(promtool)) GTEST_SKIP() << "no promtool at " << promtool;
  evaluate_once();
  const HttpReply reply = http_get(address(), "/metrics");
  ASSERT_EQ(reply.status, 200);
  const auto file = dir_.write("metrics.txt", reply.body);
  const auto out = dir_.path() / "promtool.txt";
  const std::string command = "'" + promtool.string() + "' check metrics < '" + file.string() +
                              "' > '" + out.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "promtool: " << read_file(out) << "\n---\n"
      << reply.body;
}

TEST_F(Ops, SigtermStopsTheDaemonWithExitCode0) {
  evaluate_once();
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_exit(), 0);
  const std::string log = daemon_->log();
  EXPECT_NE(log.find("SIGTERM: stopping"), std::string::npos) << log;
  EXPECT_NE(log.find("stopped"), std::string::npos) << log;
}

TEST_F(Ops, SigintStopsTheDaemonWithExitCode0) {
  daemon_->signal(SIGINT);
  EXPECT_EQ(daemon_->wait_exit(), 0);
  EXPECT_NE(daemon_->log().find("stopped"), std::string::npos) << daemon_->log();
}

// A stop asked for while the daemon starts (here: while a policy's create()
// takes its time) is a clean stop once start-up finishes, not a kill.
TEST(OpsShutdown, SignalsDuringStartupStopTheDaemonCleanly) {
  for (const int signo : {SIGTERM, SIGINT}) {
    TempDir dir;
    DaemonProcess daemon(dir.path(), on_request_yaml({"test_hang"}) + R"(
blocks:
  - id: slow
    instances: [{id: node}]
    policies: [{use: test_hang, with: {create_ms: 300}}]
)",
                         {}, DaemonProcess::Wait::kSpawned);
    ASSERT_TRUE(wait_until([&] {
      return daemon.log().find("test_hang create sleeping") != std::string::npos;
    })) << daemon.log();
    daemon.signal(signo);
    EXPECT_EQ(daemon.wait_exit(), 0) << daemon.log();
    EXPECT_NE(daemon.log().find("stopped"), std::string::npos) << daemon.log();
  }
}

TEST(OpsShutdown, SigtermStopsTheDaemonWhileClientsHoldConnectionsOpen) {
  TempDir dir;
  // Clients could hold their connections for an hour.
  DaemonProcess daemon(dir.path(), "server:\n  request_timeout: 1h\n" + ops_config());
  ASSERT_TRUE(daemon.started());
  RawConnection idle(daemon.address());
  RawConnection half(daemon.address());
  RawConnection kept_alive(daemon.address());
  ASSERT_TRUE(idle.connected() && half.connected() && kept_alive.connected());
  ASSERT_TRUE(half.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  ASSERT_TRUE(kept_alive.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_EQ(http_get(daemon.address(), "/healthz").status, 200);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait_exit(), 0) << daemon.log();
  EXPECT_EQ(kept_alive.read_until_closed().bytes.rfind("HTTP/1.1 200 OK", 0), 0u);
  EXPECT_EQ(idle.read_until_closed().end, RawConnection::End::kClosedByPeer);
}

}  // namespace
}  // namespace blockhealth::test
