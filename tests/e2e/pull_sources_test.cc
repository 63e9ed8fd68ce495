// Pull sources end to end: health_url probes (answered by the daemon's own
// /healthz, a 404 and a closed port) and a followed log_file.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kDefaults = R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
)";

TEST(PullSources, HealthProbesJudgeInstancesAndSayWhy) {
  TempDir dir;
  // Start without probes, then point them at this daemon's own address.
  DaemonProcess daemon(dir.path(), std::string(kDefaults) + "blocks: []\n");
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  daemon.write_config(std::string(kDefaults) + R"(
blocks:
  - id: probed
    instances:
      - id: good
        health_url: http://)" +
                      address + R"(/healthz
      - id: missing
        health_url: http://)" +
                      address + R"(/no-such-page
      - id: closed
        health_url: http://127.0.0.1:1/healthz
)");
  const HttpReply reload = http_post(address, "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;

  const json::value view = wait_for_view(address, "probed", [](const json::value& v) {
    return str(instance_of(v, "good"), "status") == "ok" &&
           str(instance_of(v, "missing"), "status") == "unhealthy" &&
           str(instance_of(v, "closed"), "status") == "unhealthy";
  });
  const std::string missing = str(instance_of(view, "missing"), "reason");
  EXPECT_NE(missing.find("GET http://" + address + "/no-such-page"), std::string::npos) << missing;
  EXPECT_NE(missing.find("404"), std::string::npos) << missing;
  const std::string closed = str(instance_of(view, "closed"), "reason");
  EXPECT_NE(closed.find("GET http://127.0.0.1:1/healthz"), std::string::npos) << closed;
  EXPECT_NE(closed.find("connection refused"), std::string::npos) << closed;

  const json::value aios = http_get(address, "/block/health/probed").json();
  EXPECT_FALSE(aios.at("healthy").as_bool());
  EXPECT_TRUE(aios.at("instances").at(0).at("healthy").as_bool()) << aios;
  EXPECT_FALSE(aios.at("instances").at(1).at("healthy").as_bool()) << aios;
  EXPECT_FALSE(aios.at("instances").at(2).at("healthy").as_bool()) << aios;
}

TEST(PullSources, AFollowedLogFileFeedsLogPattern) {
  TempDir dir;
  const auto log = dir.write("model.log", "INFO starting\n");
  const std::string config = std::string(kDefaults) + R"(
blocks:
  - id: logs
    instances:
      - id: in-vkkv
        log_file: ')" + log.string() +
                             R"('
    policies:
      - use: log_pattern
        with: { critical: ["CUDA error"], window: 1h }
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  // Once the daemon follows the file (from its end: old lines are not
  // news), appended lines are judged.
  json::value view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    const json::value in = instance_of(v, "in-vkkv");
    if (!in.is_object()) return false;
    for (const json::value& s : in.at("sources").as_array()) {
      if (str(s, "source") == "logs" && s.at("ok").as_bool()) return true;
    }
    return false;
  });
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "reason"), "no observations yet") << view;
  {
    std::ofstream out(log, std::ios::app);
    out << "ERROR CUDA error: an illegal memory access was encountered\n";
  }
  view = wait_for_view(daemon.address(), "logs", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy";
  });
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason").find("CUDA error: an illegal memory"),
            std::string::npos)
      << view;
}

}  // namespace
}  // namespace blockhealth::test
