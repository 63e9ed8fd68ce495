// blockhealthd judged the AIOS way, against the real daemon: /health
// answers in the aios_instance envelope, lastMetrics as the tutorial (a
// string) and as current AIOS (a number) write it, and growing for a dead
// instance, the executor row, AIOS membership, error bodies, and the /mgmt
// listener of the health-checker side-car.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_instance.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kFastDefaults = R"(
defaults:
  interval: 200ms
  timeout: 150ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 60s
)";

json::value aios_body(const std::string& address, const std::string& block) {
  const HttpReply reply = http_get(address, "/block/health/" + block);
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.status == 200 ? reply.json() : json::value();
}

// The row of `instance` in an AIOS body (null when not listed).
json::value row_of(const json::value& body, const std::string& instance) {
  if (!body.is_object()) return nullptr;
  for (const json::value& row : body.at("instances").as_array()) {
    if (str(row, "instanceId") == instance) return row;
  }
  return nullptr;
}

// Polls the AIOS body until `done` holds on it; the last body read.
json::value wait_for_aios(const std::string& address, const std::string& block,
                          const std::function<bool(const json::value&)>& done) {
  json::value body;
  const bool ok = wait_until([&] {
    body = aios_body(address, block);
    return body.is_object() && done(body);
  });
  EXPECT_TRUE(ok) << body;
  return body;
}

TEST(AiosFidelity, EnvelopedHealthAnswersAreJudgedAsTheAiosHealthChecker) {
  FakeInstance farm;
  farm.set("/ok/health", FakeResponse::answer(200, read_fixture("aios-instance-health-ok.json")));
  farm.set("/unreachable/health",
           FakeResponse::answer(200, read_fixture("aios-instance-health-unreachable.json")));
  farm.set("/failed/health",
           FakeResponse::answer(500, read_fixture("aios-instance-health-failed.json")));
  farm.set("/sdk/health",
           FakeResponse::answer(200, read_fixture("aios-instance-health-sdk-example.json")));
  TempDir dir;
  std::string config = std::string(kFastDefaults) + "blocks:\n  - id: blk\n    instances:\n";
  for (const char* id : {"ok", "unreachable", "failed", "sdk"}) {
    config += std::string("      - id: ") + id +
              "\n        health_url: " + farm.url(std::string("/") + id + "/health") + "\n";
  }
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  const json::value body = wait_for_aios(daemon.address(), "blk", [](const json::value& b) {
    // Every instance probed once: the unhealthy ones' reasons name the GET.
    for (const char* id : {"unreachable", "failed", "sdk"}) {
      if (str(row_of(b, id), "reason").find("GET ") == std::string::npos) return false;
    }
    return row_of(b, "ok").at("healthy").as_bool();
  });
  EXPECT_FALSE(body.at("healthy").as_bool()) << body;
  EXPECT_FALSE(row_of(body, "ok").as_object().contains("reason")) << body;
  const json::value unreachable = row_of(body, "unreachable");
  EXPECT_FALSE(unreachable.at("healthy").as_bool()) << body;
  EXPECT_NE(str(unreachable, "reason").find(R"(data.status is "unreachable")"), std::string::npos)
      << body;
  const json::value failed = row_of(body, "failed");
  EXPECT_FALSE(failed.at("healthy").as_bool()) << body;
  EXPECT_NE(str(failed, "reason").find("HTTP 500"), std::string::npos) << body;
  // The SDK's own example answers {"healthy": true} as data: AIOS calls that
  // unhealthy (no data.status), and so do we.
  const json::value sdk = row_of(body, "sdk");
  EXPECT_FALSE(sdk.at("healthy").as_bool()) << body;
  EXPECT_NE(str(sdk, "reason").find("data has no status"), std::string::npos) << body;
}

// A dead instance's age grows from its last answer; a refused probe is not
// a report (it used to restart the age at every probe).
TEST(AiosFidelity, NumericLastMetricsGrowsWhileTheInstanceIsDown) {
  auto instance = std::make_unique<FakeInstance>();
  instance->set("/health", FakeResponse::answer(200, read_fixture("aios-instance-health-ok.json")));
  TempDir dir;
  const std::string config = std::string("aios:\n  last_metrics: number\n") + kFastDefaults +
                             "blocks:\n  - id: blk\n    instances:\n      - id: in-1\n"
                             "        health_url: " +
                             instance->url("/health") + "\n";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  json::value body = wait_for_aios(daemon.address(), "blk", [](const json::value& b) {
    const json::value row = row_of(b, "in-1");
    return row.is_object() && row.at("healthy").as_bool() &&
           row.as_object().contains("lastMetrics");
  });
  ASSERT_TRUE(row_of(body, "in-1").at("lastMetrics").is_double()) << body;
  const std::string instance_url = instance->url("/health");
  instance->stop();
  body = wait_for_aios(daemon.address(), "blk", [](const json::value& b) {
    return !row_of(b, "in-1").at("healthy").as_bool();
  });
  const double down_age = row_of(body, "in-1").at("lastMetrics").as_double();
  // The probe failed ("connection refused", or on a loaded machine a
  // probe under way when the instance stopped: "timeout after 150ms").
  EXPECT_NE(str(row_of(body, "in-1"), "reason").find("health_probe: GET " + instance_url),
            std::string::npos)
      << body;
  // Probes keep failing every 200 ms; the age keeps growing past a second.
  body = wait_for_aios(daemon.address(), "blk", [&](const json::value& b) {
    return row_of(b, "in-1").at("lastMetrics").as_double() > down_age + 1.0;
  });
  EXPECT_FALSE(row_of(body, "in-1").at("healthy").as_bool()) << body;
}

TEST(AiosFidelity, StringLastMetricsIsPythonsFloatReprWithSAgo) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), std::string(kFastDefaults) + R"(
blocks:
  - id: blk
    instances:
      - id: in-1
    policies:
      - use: gpu_temperature
)");
  ASSERT_TRUE(daemon.started());
  ASSERT_EQ(push_metrics(daemon.address(), "blk", "in-1", R"({"DCGM_FI_DEV_GPU_TEMP": 40})").status,
            200);
  const json::value body = wait_for_aios(daemon.address(), "blk", [](const json::value& b) {
    return row_of(b, "in-1").as_object().contains("lastMetrics");
  });
  const std::string age(row_of(body, "in-1").at("lastMetrics").as_string());
  // "0.0s ago", "0.213s ago", "5.0s ago": digits, a point, digits, "s ago".
  ASSERT_GE(age.size(), 8u) << age;
  EXPECT_EQ(age.substr(age.size() - 5), "s ago") << age;
  const std::string number = age.substr(0, age.size() - 5);
  EXPECT_NE(number.find('.'), std::string::npos) << age;
  EXPECT_EQ(number.find_first_not_of("0123456789."), std::string::npos) << age;
}

// The tutorial's answer: the executor row exactly, next to a judged GPU.
TEST(AiosFidelity, TheExecutorRowIsListedAsAiosListsIt) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), std::string(kFastDefaults) + R"(
blocks:
  - id: gemma3-27b-block
    instances:
      - id: executor
        role: executor
      - id: in-vkkv
    policies:
      - use: gpu_temperature
        instances: [in-vkkv]
)");
  ASSERT_TRUE(daemon.started());
  ASSERT_EQ(push_metrics(daemon.address(), "gemma3-27b-block", "in-vkkv",
                         R"({"DCGM_FI_DEV_GPU_TEMP": 40})")
                .status,
            200);
  const json::value body =
      wait_for_aios(daemon.address(), "gemma3-27b-block",
                    [](const json::value& b) { return b.at("healthy").as_bool(); });
  const json::value fixture = json::parse(read_fixture("aios-block-health-response.json"));
  EXPECT_EQ(body.at("instances").at(0), fixture.at("instances").at(0)) << body;
  EXPECT_EQ(str(body.at("instances").at(1), "instanceId"), "in-vkkv");
  EXPECT_TRUE(body.at("instances").at(1).at("healthy").as_bool()) << body;
}

TEST(AiosFidelity, AiosMembershipListsOnlyInstancesThatReportedAndAnEmptyBlockIsHealthy) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), std::string("aios:\n  membership: aios\n") + kFastDefaults + R"(
blocks:
  - id: blk
    instances:
      - id: talker
      - id: silent
    policies:
      - use: gpu_temperature
)");
  ASSERT_TRUE(daemon.started());
  json::value body = aios_body(daemon.address(), "blk");
  EXPECT_TRUE(body.at("healthy").as_bool()) << body;  // all([])
  EXPECT_TRUE(body.at("instances").as_array().empty()) << body;
  // The /v1 view still lists both, the silent one unknown.
  EXPECT_EQ(str(instance_of(block_view(daemon.address(), "blk"), "silent"), "status"), "unknown");

  ASSERT_EQ(
      push_metrics(daemon.address(), "blk", "talker", R"({"DCGM_FI_DEV_GPU_TEMP": 90})").status,
      200);
  body = wait_for_aios(daemon.address(), "blk", [](const json::value& b) {
    return !b.at("instances").as_array().empty() && !b.at("healthy").as_bool();
  });
  ASSERT_EQ(body.at("instances").as_array().size(), 1u) << body;
  EXPECT_EQ(str(body.at("instances").at(0), "instanceId"), "talker");
  EXPECT_TRUE(row_of(body, "silent").is_null()) << body;
}

TEST(AiosFidelity, AnUnknownBlockIsAiosNotFoundBody) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), std::string(kFastDefaults) +
                                       "blocks:\n  - id: blk\n    policies:\n"
                                       "      - use: gpu_temperature\n");
  ASSERT_TRUE(daemon.started());
  const HttpReply reply = http_get(daemon.address(), "/block/health/nope");
  EXPECT_EQ(reply.status, 404);
  const json::value body = reply.json();
  EXPECT_EQ(body.at("success"), false);
  EXPECT_EQ(str(body, "error"), "No block data found");
  EXPECT_EQ(str(body, "message"), "block 'nope' is not configured");
}

// Reads a port file the daemon writes once listening.
std::string read_port_file(const std::filesystem::path& file) {
  std::string text;
  EXPECT_TRUE(wait_until([&] {
    std::ifstream in(file);
    return static_cast<bool>(std::getline(in, text)) && !text.empty();
  }));
  return text;
}

class AiosMgmtListener : public ::testing::Test {
 protected:
  void start(const std::string& server_yaml) {
    const std::string config = on_request_yaml({"test_echo"}) + server_yaml + R"(
aios:
  mgmt_listen: 127.0.0.1:0
  mgmt_block: blk
blocks:
  - id: blk
    instances:
      - id: node
    policies:
      - use: test_echo
        id: echo
  - id: other
    instances:
      - id: node
    policies:
      - use: test_echo
)";
    daemon_ = std::make_unique<DaemonProcess>(
        dir_.path(), config,
        std::vector<std::string>{"--mgmt-port-file", (dir_.path() / "mgmt-port").string()});
    ASSERT_TRUE(daemon_->started());
    mgmt_address_ = read_port_file(dir_.path() / "mgmt-port");
    ASSERT_NE(mgmt_address_, daemon_->address());
  }
  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::string mgmt_address_;
};

TEST_F(AiosMgmtListener, PostMgmtActsOnTheListenersBlockOrTheOneNamed) {
  start("");
  HttpReply reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("success"), true);
  EXPECT_EQ(str(reply.json().at("data"), "block_id"), "blk");
  EXPECT_TRUE(block_view(daemon_->address(), "blk").at("paused").as_bool());
  EXPECT_FALSE(block_view(daemon_->address(), "other").at("paused").as_bool());

  reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause", "block": "other"})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(block_view(daemon_->address(), "other").at("paused").as_bool());

  // A policy action without mgmt_data.policy reaches the block's one policy
  // with manage(), as AIOS's reaches its stabilityChecker.
  reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "echo", "mgmt_data": {"n": 1}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("data").at("echo").at("n"), 1) << reply.body;

  reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause", "block": "nope"})");
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_EQ(str(reply.json(), "error"), "block 'nope' is not configured");
  reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause", "block": 7})");
  EXPECT_EQ(reply.status, 400) << reply.body;
  EXPECT_EQ(str(reply.json(), "message"), "block: expected a block id");
  // Only /mgmt is served there.
  EXPECT_EQ(http_get(mgmt_address_, "/block/health/blk").status, 404);
}

TEST_F(AiosMgmtListener, TheWriteTokenAppliesThereToo) {
  const std::filesystem::path token = dir_.write("token", "s3cret-token-42\n");
  ::chmod(token.c_str(), 0600);
  start("server:\n  auth_token_file: '" + token.string() + "'\n");
  HttpReply reply = http_post(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause"})");
  EXPECT_EQ(reply.status, 401) << reply.body;
  EXPECT_FALSE(block_view(daemon_->address(), "blk").at("paused").as_bool());
  reply = post_with_token(mgmt_address_, "/mgmt", R"({"mgmt_action": "pause"})", "s3cret-token-42");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(block_view(daemon_->address(), "blk").at("paused").as_bool());
}

TEST(AiosFidelity, AMgmtListenAddressInUseIsAClearStartupError) {
  FakeInstance taken;  // holds the port
  TempDir dir;
  DaemonProcess daemon(dir.path(),
                       "aios:\n  mgmt_listen: " + taken.address() + "\n" + kFastDefaults +
                           "blocks:\n  - id: blk\n    policies:\n      - use: gpu_temperature\n",
                       {}, DaemonProcess::Wait::kSpawned);
  EXPECT_EQ(daemon.wait_exit(), 1);
  EXPECT_NE(daemon.log().find("cannot start: aios.mgmt_listen: "), std::string::npos)
      << daemon.log();
}

}  // namespace
}  // namespace blockhealth::test
