// Health probes against real HTTP servers on loopback: each kind of answer
// (and non-answer) as the ProbeResult policies see, as the source status,
// and as judge_health_probe's verdict.
#include <blockhealth/policy_abi.h>
#include <gtest/gtest.h>

#include "core/sources/health_judgement.h"
#include "tests/core/sources/source_harness.h"
#include "tests/support/fake_instance.h"
#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using test::FakeInstance;
using test::FakeResponse;

constexpr std::uint64_t k50MiB = std::uint64_t{50} << 20;

class HealthProbeTest : public ::testing::Test {
 protected:
  // Probes `url` every 100ms with `timeout` and returns the first probe.
  ProbeResult probe_once(const std::string& url, milliseconds timeout = milliseconds(2'000)) {
    Config config;
    BlockConfig block = test::test_block("b", milliseconds(100), timeout);
    InstanceConfig instance;
    instance.id = "i";
    instance.health_url = test::http_url(url);
    block.instances.push_back(instance);
    config.blocks.push_back(block);
    harness_.apply(config);
    auto probe = harness_.wait_probe("b", "i");
    EXPECT_TRUE(probe.has_value()) << "no probe of " << url;
    return probe.value_or(ProbeResult{});
  }

  test::SourceHarness harness_;
  FakeInstance server_;
};

TEST_F(HealthProbeTest, Healthy200) {
  server_.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_RESPONSE);
  EXPECT_EQ(p.http_status, 200);
  EXPECT_EQ(p.error, "");
  EXPECT_EQ(p.body, R"({"status":"healthy"})");
  EXPECT_EQ(p.url, server_.url("/health"));
  EXPECT_GT(p.time_ms, 0);
  EXPECT_GE(p.latency_us, 0);
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + server_.url("/health") + ": HTTP 200 OK, status \"healthy\"");
  const auto status = harness_.status("b", "i", "health");
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok);
  EXPECT_EQ(status->target, server_.url("/health"));
  EXPECT_EQ(status->message, "");
  EXPECT_GT(status->last_success_ms, 0);
}

TEST_F(HealthProbeTest, UnhealthyJsonOn200) {
  server_.set("/health", FakeResponse::answer(200, R"({"status":"unhealthy"})"));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_RESPONSE);
  EXPECT_EQ(p.http_status, 200);
  EXPECT_EQ(p.body, R"({"status":"unhealthy"})");
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + server_.url("/health") +
                          R"(: HTTP 200 OK but status is "unhealthy": {"status":"unhealthy"})");
  const auto status = harness_.status("b", "i", "health");
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->ok);
  EXPECT_EQ(status->message, R"(HTTP 200 OK but status is "unhealthy": {"status":"unhealthy"})");
}

TEST_F(HealthProbeTest, ServiceUnavailable503) {
  server_.set("/health", FakeResponse::answer(503, "loading model", "text/plain"));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_RESPONSE);
  EXPECT_EQ(p.http_status, 503);
  EXPECT_EQ(p.body, "loading model");
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason,
            "GET " + server_.url("/health") + ": HTTP 503 Service Unavailable: loading model");
}

TEST_F(HealthProbeTest, NonJson200IsOkButNoted) {
  server_.set("/health", FakeResponse::answer(200, "OK", "text/plain"));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_RESPONSE);
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason,
            "GET " + server_.url("/health") + ": HTTP 200 OK, body is not JSON (not checked)");
}

TEST_F(HealthProbeTest, GarbageThatIsNotHttp) {
  server_.set("/health",
              FakeResponse::raw_bytes(std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n", 16)));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(p.http_status, 0);
  EXPECT_TRUE(p.error.starts_with("malformed HTTP response: ")) << p.error;
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + server_.url("/health") + ": " + p.error);
}

TEST_F(HealthProbeTest, FiftyMebibyteBodyIsCutAtTheLimit) {
  server_.set("/health", FakeResponse::stream(k50MiB, false));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(p.error, "response body over 64KiB limit");
  EXPECT_TRUE(p.body.empty());
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + server_.url("/health") + ": response body over 64KiB limit");
}

TEST_F(HealthProbeTest, FiftyMebibyteChunkedBodyIsCutAtTheLimit) {
  server_.set("/health", FakeResponse::stream(k50MiB, true));
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(p.error, "response body over 64KiB limit");
  EXPECT_EQ(judge_health_probe(p).reason,
            "GET " + server_.url("/health") + ": response body over 64KiB limit");
}

TEST_F(HealthProbeTest, HangPastTheTimeout) {
  server_.set("/health", FakeResponse::hang());
  const ProbeResult p = probe_once(server_.url("/health"), milliseconds(200));
  EXPECT_EQ(p.outcome, BH_PROBE_TIMEOUT);
  EXPECT_EQ(p.error, "timeout after 200ms");
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + server_.url("/health") + ": timeout after 200ms");
}

TEST_F(HealthProbeTest, DelayedAnswerPastTheTimeout) {
  FakeResponse slow = FakeResponse::answer(200, R"({"status":"healthy"})");
  slow.delay = milliseconds(5'000);
  server_.set("/health", slow);
  const ProbeResult p = probe_once(server_.url("/health"), milliseconds(100));
  EXPECT_EQ(p.outcome, BH_PROBE_TIMEOUT);
  EXPECT_EQ(p.error, "timeout after 100ms");
}

TEST_F(HealthProbeTest, ConnectionReset) {
  server_.set("/health", FakeResponse::reset());
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(p.error, "connection reset");
  EXPECT_EQ(judge_health_probe(p).reason, "GET " + server_.url("/health") + ": connection reset");
  EXPECT_EQ(judge_health_probe(p).status, Status::kUnhealthy);
}

TEST_F(HealthProbeTest, ClosedWithoutAnswer) {
  server_.set("/health", FakeResponse::close());
  const ProbeResult p = probe_once(server_.url("/health"));
  EXPECT_EQ(p.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(p.error, "connection closed before a complete response");
  EXPECT_EQ(judge_health_probe(p).status, Status::kUnhealthy);
}

TEST_F(HealthProbeTest, ClosedPortIsRefused) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(FakeInstance::closed_port()) + "/health";
  const ProbeResult p = probe_once(url);
  EXPECT_EQ(p.outcome, BH_PROBE_REFUSED);
  EXPECT_EQ(p.error, "connection refused");
  const PolicyVerdict v = judge_health_probe(p);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + url + ": connection refused");
  const auto status = harness_.status("b", "i", "health");
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->ok);
  EXPECT_EQ(status->message, "connection refused");
  EXPECT_EQ(status->last_success_ms, 0);
}

TEST_F(HealthProbeTest, HostNameIsResolved) {
  server_.set("/health", FakeResponse::answer(200, R"({"status":"ok"})"));
  const ProbeResult p =
      probe_once("http://localhost:" + std::to_string(server_.port()) + "/health");
  // localhost may resolve to ::1 first, where nothing listens; the resolver's
  // list is tried in order, so 127.0.0.1 answers.
  EXPECT_EQ(p.outcome, BH_PROBE_RESPONSE) << p.error;
  EXPECT_EQ(p.http_status, 200);
}

TEST_F(HealthProbeTest, QueryIsSentAsPartOfTheTarget) {
  server_.set("/health?verbose=1", FakeResponse::answer(200, R"({"status":"ok"})"));
  const ProbeResult p = probe_once(server_.url("/health?verbose=1"));
  EXPECT_EQ(p.http_status, 200);
  EXPECT_GE(server_.requests("/health?verbose=1"), 1u);
}

TEST_F(HealthProbeTest, RecoversWhenTheServerDoes) {
  server_.set("/health", FakeResponse::answer(503, ""));
  EXPECT_EQ(probe_once(server_.url("/health")).http_status, 503);
  server_.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  ASSERT_TRUE(test::wait_until([&] {
    const auto p = harness_.probe("b", "i");
    return p && p->http_status == 200;
  }));
  const auto status = harness_.status("b", "i", "health");
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok);
}

}  // namespace
}  // namespace blockhealth
