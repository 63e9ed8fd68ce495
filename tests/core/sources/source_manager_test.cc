// SourceManager: connection reuse, isolation of slow targets, reconciling
// configurations, metrics series, stats.
#include "core/sources/source_manager.h"

#include <gtest/gtest.h>

#include "tests/core/sources/source_harness.h"
#include "tests/support/fake_instance.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using test::FakeInstance;
using test::FakeResponse;

InstanceConfig instance(const std::string& id, const std::optional<std::string>& health,
                        const std::optional<std::string>& metrics = std::nullopt) {
  InstanceConfig i;
  i.id = id;
  if (health) i.health_url = test::http_url(*health);
  if (metrics) i.metrics_url = test::http_url(*metrics);
  return i;
}

Config one_block(std::vector<InstanceConfig> instances, milliseconds interval = milliseconds(50),
                 milliseconds timeout = milliseconds(2'000)) {
  Config config;
  BlockConfig block = test::test_block("b", interval, timeout);
  block.instances = std::move(instances);
  config.blocks.push_back(block);
  return config;
}

TEST(SourceManager, KeepAliveReusesOneConnectionForManyProbes) {
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  test::SourceHarness harness;
  harness.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return server.requests("/health") >= 5; }));
  EXPECT_EQ(server.connections(), 1u);
  ASSERT_TRUE(test::wait_until([&] { return harness.manager().stats().completed >= 5; }));
  EXPECT_EQ(harness.manager().stats().connections_opened, 1u);
}

TEST(SourceManager, ServerClosingIdleConnectionsIsNotAFailure) {
  FakeInstance server;
  FakeResponse once = FakeResponse::answer(200, R"({"status":"healthy"})");
  once.keep_alive = false;  // "Connection: close": a new connection per probe
  server.set("/health", once);
  test::SourceHarness harness;
  harness.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return harness.manager().stats().completed >= 4; }));
  EXPECT_GE(server.connections(), 4u);
  EXPECT_EQ(harness.manager().stats().failed, 0u);
}

TEST(SourceManager, KeptConnectionClosedByTheServerIsRetriedOnANewOne) {
  FakeInstance server;
  FakeResponse answer = FakeResponse::answer(200, R"({"status":"healthy"})");
  answer.close_after = true;  // keep-alive promised, connection closed anyway
  server.set("/health", answer);
  test::SourceHarness harness;
  harness.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return harness.manager().stats().completed >= 4; }));
  EXPECT_EQ(harness.manager().stats().failed, 0u);
  EXPECT_GE(server.connections(), 4u);
  const auto probe = harness.probe("b", "i");
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->http_status, 200);
  EXPECT_EQ(probe->error, "");
}

TEST(SourceManager, HealthAndMetricsOfOneInstanceUseTheirOwnConnections) {
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  server.set("/metrics", FakeResponse::answer(200, "up 1\n", "text/plain"));
  test::SourceHarness harness;
  harness.apply(one_block({instance("i", server.url("/health"), server.url("/metrics"))}));
  ASSERT_TRUE(test::wait_until(
      [&] { return server.requests("/health") >= 3 && server.requests("/metrics") >= 3; }));
  EXPECT_EQ(server.connections(), 2u);
  EXPECT_EQ(harness.manager().stats().http_targets, 2u);
}

TEST(SourceManager, SlowTargetDoesNotDelayAnother) {
  FakeInstance slow;
  slow.set("/health", FakeResponse::hang());
  FakeInstance fast;
  fast.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  SourceOptions options = test::fast_source_options();
  options.threads = 1;  // one io thread: only asynchrony keeps them apart
  test::SourceHarness harness(options);
  Config config;
  BlockConfig slow_block = test::test_block("slow", milliseconds(50), milliseconds(60'000));
  slow_block.instances.push_back(instance("s", slow.url("/health")));
  BlockConfig fast_block = test::test_block("fast", milliseconds(50), milliseconds(2'000));
  fast_block.instances.push_back(instance("f", fast.url("/health")));
  config.blocks = {slow_block, fast_block};
  harness.apply(config);

  // The fast target is probed again and again while the slow one's first
  // probe is still waiting for its answer.
  ASSERT_TRUE(test::wait_until([&] { return fast.requests("/health") >= 10; }));
  ASSERT_TRUE(harness.probe("fast", "f").has_value());
  EXPECT_EQ(harness.probe("fast", "f")->http_status, 200);
  EXPECT_FALSE(harness.probe("slow", "s").has_value());
  EXPECT_EQ(slow.requests("/health"), 1u);
  EXPECT_GT(harness.manager().stats().skipped_ticks, 0u);
  // The slow probe is in flight; a fast one may be too at this instant.
  const auto in_flight = harness.manager().stats().in_flight;
  EXPECT_GE(in_flight, 1u);
  EXPECT_LE(in_flight, 2u);
}

TEST(SourceManager, InFlightBoundHoldsTicksUntilASlotFrees) {
  FakeInstance slow;
  slow.set("/health", FakeResponse::hang());
  FakeInstance fast;
  fast.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  SourceOptions options = test::fast_source_options();
  options.max_in_flight = 1;
  test::SourceHarness harness(options);
  Config config;
  BlockConfig slow_block = test::test_block("slow", milliseconds(50), milliseconds(300));
  slow_block.instances.push_back(instance("s", slow.url("/health")));
  BlockConfig fast_block = test::test_block("fast", milliseconds(50), milliseconds(2'000));
  fast_block.instances.push_back(instance("f", fast.url("/health")));
  config.blocks = {slow_block, fast_block};
  harness.apply(config);
  // Both still make progress (slots are handed over in order), and never
  // more than one request is in flight.
  ASSERT_TRUE(test::wait_until([&] {
    const auto s = harness.probe("slow", "s");
    return s && s->error == "timeout after 300ms" && fast.requests("/health") >= 3;
  }));
  EXPECT_EQ(harness.manager().stats().peak_in_flight, 1u);
}

TEST(SourceManager, ApplyReconcilesAddedChangedAndRemovedSources) {
  FakeInstance a;
  a.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  a.set("/metrics", FakeResponse::answer(200, "up 1\n", "text/plain"));
  FakeInstance b;
  b.set("/health", FakeResponse::answer(200, R"({"status":"ok"})"));
  test::SourceHarness harness;

  harness.apply(one_block({instance("i", a.url("/health"), a.url("/metrics"))}));
  ASSERT_TRUE(test::wait_until([&] {
    const auto snap = harness.snapshot("b", "i");
    return snap->probe && snap->samples.size() == 1;
  }));
  EXPECT_NE(harness.render_metrics().find(
                R"(blockhealth_source_attempts_total{block="b",instance_id="i",source="metrics"})"),
            std::string::npos);

  // The same configuration again: nothing restarts, the connections stay.
  harness.apply(one_block({instance("i", a.url("/health"), a.url("/metrics"))}));
  const std::size_t before = a.requests("/health");
  ASSERT_TRUE(test::wait_until([&] { return a.requests("/health") >= before + 3; }));
  EXPECT_EQ(a.connections(), 2u);

  // The health URL moves to b, the metrics URL goes away.
  harness.apply(one_block({instance("i", b.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] {
    const auto p = harness.probe("b", "i");
    return p && p->url == b.url("/health");
  }));
  EXPECT_EQ(harness.status("b", "i", "health")->target, b.url("/health"));
  EXPECT_FALSE(harness.status("b", "i", "metrics").has_value());
  EXPECT_TRUE(harness.snapshot("b", "i")->samples.empty());
  const std::string metrics = harness.render_metrics();
  EXPECT_EQ(metrics.find(R"(source="metrics")"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find(
                R"(blockhealth_source_attempts_total{block="b",instance_id="i",source="health"})"),
            std::string::npos);
  EXPECT_EQ(harness.manager().stats().http_targets, 1u);

  // The instance goes away: its series go too.
  harness.apply(one_block({}));
  EXPECT_EQ(harness.render_metrics().find(R"(instance_id="i")"), std::string::npos);
  EXPECT_EQ(harness.manager().stats().http_targets, 0u);
}

TEST(SourceManager, FailuresAndDurationsAreOnMetrics) {
  test::SourceHarness harness;
  harness.apply(one_block({instance(
      "down", "http://127.0.0.1:" + std::to_string(FakeInstance::closed_port()) + "/h")}));
  ASSERT_TRUE(test::wait_until([&] { return harness.manager().stats().failed >= 2; }));
  const std::string metrics = harness.render_metrics();
  EXPECT_NE(
      metrics.find(
          R"(blockhealth_source_failures_total{block="b",instance_id="down",source="health"} )"),
      std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find(
          R"(blockhealth_source_duration_seconds_count{block="b",instance_id="down",source="health"} )"),
      std::string::npos);
  EXPECT_NE(metrics.find("blockhealth_source_lateness_seconds_count "), std::string::npos);
  EXPECT_NE(metrics.find("blockhealth_source_in_flight "), std::string::npos);
}

TEST(SourceManager, MissingRecordsAreSkippedUntilTheEngineCreatesThem) {
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  ObservationStore store(SystemClock::instance());
  SourceManager manager(store, SystemClock::instance(), nullptr, test::fast_source_options());
  manager.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return server.requests("/health") >= 2; }));
  EXPECT_EQ(store.find({"b", "i"}), nullptr);
  const auto record = store.ensure({"b", "i"}, ObservationLimits{});
  ASSERT_TRUE(test::wait_until([&] { return record->snapshot()->probe.has_value(); }));
  manager.stop();
}

TEST(SourceManager, StatsMeasureLatenessAndResetClearsThem) {
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  test::SourceHarness harness;
  harness.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return harness.manager().stats().lateness.count >= 3; }));
  const SourceStats s = harness.manager().stats();
  EXPECT_GE(s.started, 3u);
  EXPECT_GE(s.lateness.p99_us, s.lateness.p50_us);
  EXPECT_GE(s.lateness.max_us, s.lateness.p99_us);
  EXPECT_GE(s.lateness.p50_us, 0);
  harness.manager().reset_stats();
  const SourceStats r = harness.manager().stats();
  EXPECT_LT(r.lateness.count, s.lateness.count);
  EXPECT_LT(r.started, s.started);
}

TEST(SourceManager, StopIsIdempotentAndApplyAfterStopDoesNothing) {
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, R"({"status":"healthy"})"));
  test::SourceHarness harness;
  harness.manager().stop();
  harness.manager().stop();
  harness.apply(one_block({instance("i", server.url("/health"))}));
  EXPECT_EQ(harness.manager().stats().http_targets, 0u);
  EXPECT_EQ(server.requests("/health"), 0u);
}

TEST(SourceManager, StopsWithRequestsInFlight) {
  FakeInstance server;
  server.set("/health", FakeResponse::hang());
  auto harness = std::make_unique<test::SourceHarness>();
  harness->apply(
      one_block({instance("i", server.url("/health"))}, milliseconds(50), milliseconds(60'000)));
  ASSERT_TRUE(test::wait_until([&] { return server.requests("/health") == 1; }));
  harness.reset();  // must not hang or crash with the probe outstanding
  SUCCEED();
}

TEST(SourceManager, SecondManagerOnOneRegistryRunsWithoutMetrics) {
  prometheus::MetricsRegistry registry;
  ObservationStore store(SystemClock::instance());
  SourceManager first(store, SystemClock::instance(), &registry, test::fast_source_options());
  SourceManager second(store, SystemClock::instance(), &registry, test::fast_source_options());
  FakeInstance server;
  server.set("/health", FakeResponse::answer(200, "{}"));
  const auto record = store.ensure({"b", "i"}, ObservationLimits{});
  second.apply(one_block({instance("i", server.url("/health"))}));
  ASSERT_TRUE(test::wait_until([&] { return record->snapshot()->probe.has_value(); }));
}

}  // namespace
}  // namespace blockhealth
