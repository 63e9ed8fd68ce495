// Health probes end to end against every way a /health endpoint can fail:
// the real blockhealthd probes real loopback servers (FakeInstance) and a
// closed port; each instance's verdict and reason are read back from
// GET /v1/blocks/{id} and GET /block/health/{id}. And an instance whose
// /health recovers goes back to ok only after `healthy_after` good probes.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_instance.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;
using namespace std::string_literals;

// timeout must not exceed interval: both 300ms keep the suite fast.
constexpr const char* kProbeDefaults = R"(
defaults:
  interval: 300ms
  timeout: 300ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
)";

constexpr std::uint64_t kFiftyMiB = std::uint64_t{50} * 1024 * 1024;

// One instance per way /health can answer: its path on the FakeInstance,
// what it answers, the status expected and how the reason goes on after
// "GET <url>: ".
struct ProbeCase {
  std::string id;
  FakeResponse response;
  std::string status;
  std::string reason;
};

std::vector<ProbeCase> probe_cases() {
  return {
      {"healthy", FakeResponse::answer(200, R"({"status":"healthy"})"), "ok",
       R"(HTTP 200 OK, status "healthy")"},
      {"sick",
       FakeResponse::answer(200, R"({"status":"unhealthy","detail":"KV cache allocation failed"})"),
       "unhealthy",
       R"(HTTP 200 OK but status is "unhealthy": {"status":"unhealthy","detail":"KV cache allocation failed"})"},
      {"unavailable", FakeResponse::answer(503, "model is loading\n", "text/plain"), "unhealthy",
       "HTTP 503 Service Unavailable: model is loading"},
      {"not-json", FakeResponse::answer(200, "OK", "text/plain"), "ok",
       "HTTP 200 OK, body is not JSON (not checked)"},
      {"garbage", FakeResponse::raw_bytes("SSH-2.0-OpenSSH_9.2\r\n\x01\xff\xfe\r\n\r\n"s),
       "unhealthy", "malformed HTTP response: "},
      {"huge", FakeResponse::stream(kFiftyMiB, false), "unhealthy",
       "response body over 64KiB limit"},
      {"huge-chunked", FakeResponse::stream(kFiftyMiB, true), "unhealthy",
       "response body over 64KiB limit"},
      {"hang", FakeResponse::hang(), "unhealthy", "timeout after 300ms"},
      {"reset", FakeResponse::reset(), "unhealthy", "connection reset"},
      {"no-answer", FakeResponse::close(), "unhealthy",
       "connection closed before a complete response"},
  };
}

std::string instance_yaml(const std::string& id, const std::string& url) {
  return "      - id: " + id + "\n        health_url: " + url + "\n";
}

// The "instances" entry of GET /block/health/{id} for `instance`.
json::value aios_instance(const json::value& body, const std::string& instance) {
  for (const json::value& in : body.at("instances").as_array()) {
    if (str(in, "instanceId") == instance) return in;
  }
  return nullptr;
}

TEST(PullFailures, EveryWayAHealthEndpointFailsHasItsVerdictAndReason) {
  TempDir dir;
  FakeInstance fake;
  const std::vector<ProbeCase> cases = probe_cases();
  std::map<std::string, std::string> urls;  // instance id -> health_url
  std::string instances;
  for (const ProbeCase& c : cases) {
    fake.set("/" + c.id, c.response);
    urls[c.id] = fake.url("/" + c.id);
    instances += instance_yaml(c.id, urls[c.id]);
  }
  const std::string closed_url =
      "http://127.0.0.1:" + std::to_string(FakeInstance::closed_port()) + "/health";
  urls["closed-port"] = closed_url;
  instances += instance_yaml("closed-port", closed_url);

  DaemonProcess daemon(dir.path(), std::string(kProbeDefaults) +
                                       "blocks:\n  - id: probed\n    instances:\n" + instances);
  ASSERT_TRUE(daemon.started());

  const json::value view = wait_for_view(daemon.address(), "probed", [&](const json::value& v) {
    for (const ProbeCase& c : cases) {
      if (str(instance_of(v, c.id), "status") != c.status) return false;
    }
    return str(instance_of(v, "closed-port"), "status") == "unhealthy";
  });

  for (const ProbeCase& c : cases) {
    const json::value in = instance_of(view, c.id);
    EXPECT_EQ(str(in, "status"), c.status) << c.id << ": " << in;
    // The probe is the instance's only check: the instance shows its
    // verdict, the reason prefixed with the check's name.
    const json::value probe = policy_result_of(in, "health_probe");
    EXPECT_EQ(str(probe, "status"), c.status) << c.id << ": " << in;
    const std::string reason = str(probe, "reason");
    EXPECT_EQ(reason.rfind("GET " + urls[c.id] + ": " + c.reason, 0), 0U) << c.id << ": " << reason;
    EXPECT_EQ(str(in, "reason"), "health_probe: " + reason) << c.id;
    EXPECT_EQ(str(in, "policy"), "health_probe") << c.id;
  }
  const std::string closed = str(instance_of(view, "closed-port"), "reason");
  EXPECT_EQ(closed, "health_probe: GET " + closed_url + ": connection refused");
  // A hung probe does not wedge its source: it times out and a later
  // interval probes again.
  EXPECT_TRUE(wait_until([&] { return fake.requests("/hang") >= 2; })) << fake.requests("/hang");

  // The AIOS view: unhealthy instances say why; ok ones are healthy, and
  // "ok but noted" ones keep their note out of AIOS (they are plain ok).
  const HttpReply reply = http_get(daemon.address(), "/block/health/probed");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::value aios = reply.json();
  EXPECT_FALSE(aios.at("healthy").as_bool()) << aios;
  for (const ProbeCase& c : cases) {
    const json::value in = aios_instance(aios, c.id);
    ASSERT_TRUE(in.is_object()) << c.id << " missing from " << aios;
    EXPECT_EQ(in.at("healthy").as_bool(), c.status == "ok") << c.id << ": " << in;
    if (c.status == "ok") {
      EXPECT_EQ(in.as_object().if_contains("reason"), nullptr) << c.id << ": " << in;
    } else {
      EXPECT_NE(str(in, "reason").find(c.reason), std::string::npos) << c.id << ": " << in;
    }
  }
  const json::value closed_aios = aios_instance(aios, "closed-port");
  EXPECT_FALSE(closed_aios.at("healthy").as_bool());
  EXPECT_EQ(str(closed_aios, "reason"), closed);
}

TEST(PullFailures, ARecoveredTargetIsOkOnlyAfterHealthyAfterGoodProbes) {
  TempDir dir;
  FakeInstance fake;
  fake.set("/health", FakeResponse::answer(503, R"({"status":"starting"})"));
  const std::string config = R"(
defaults:
  interval: 300ms
  timeout: 300ms
  healthy_after: 4
  unhealthy_after: 1
  stale_after: 1h
blocks:
  - id: recovering
    instances:
)" + instance_yaml("in-vkkv", fake.url("/health"));
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();

  json::value view = wait_for_view(address, "recovering", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unhealthy";
  });
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "reason"),
            "health_probe: GET " + fake.url("/health") +
                R"(: HTTP 503 Service Unavailable: {"status":"starting"})");

  fake.set("/health", FakeResponse::answer(200, R"({"status":"ok"})"));
  // The first good probes: the check's raw verdict is ok, but the instance
  // stays unhealthy until healthy_after (4) good probes in a row.
  view = wait_for_view(address, "recovering", [](const json::value& v) {
    return str(policy_result_of(instance_of(v, "in-vkkv"), "health_probe"), "raw_status") == "ok";
  });
  json::value in = instance_of(view, "in-vkkv");
  json::value probe = policy_result_of(in, "health_probe");
  const std::int64_t streak = probe.at("streak").to_number<std::int64_t>();
  if (streak < 4) {
    EXPECT_EQ(str(in, "status"), "unhealthy") << in;
    EXPECT_EQ(str(probe, "status"), "unhealthy") << in;
    EXPECT_FALSE(http_get(address, "/block/health/recovering").json().at("healthy").as_bool());
  } else {
    ADD_FAILURE() << "the intermediate state (good probes, still unhealthy) was not seen: " << in;
  }

  view = wait_for_view(address, "recovering", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "ok";
  });
  in = instance_of(view, "in-vkkv");
  probe = policy_result_of(in, "health_probe");
  EXPECT_GE(probe.at("streak").to_number<std::int64_t>(), 4) << in;
  EXPECT_EQ(str(in, "reason"),
            "health_probe: GET " + fake.url("/health") + R"(: HTTP 200 OK, status "ok")");
  EXPECT_TRUE(http_get(address, "/block/health/recovering").json().at("healthy").as_bool());
}

}  // namespace
}  // namespace blockhealth::test
