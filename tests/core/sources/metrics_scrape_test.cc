// Metrics scrapes of real HTTP servers on loopback into the store.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/core/sources/source_harness.h"
#include "tests/support/fake_instance.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using test::FakeInstance;
using test::FakeResponse;

constexpr milliseconds kStaleAfter{30'000};

std::string label(const MetricSample& s, const std::string& name) {
  for (const Label& l : s.labels) {
    if (l.name == name) return l.value;
  }
  return "";
}

class MetricsScrapeTest : public ::testing::Test {
 protected:
  MetricsScrapeTest() : harness_(test::fast_source_options(), clock_) {}

  void scrape(const std::string& url, std::uint64_t body_limit = std::uint64_t{10} << 20) {
    Config config;
    BlockConfig block = test::test_block("b", milliseconds(50), milliseconds(2'000));
    block.settings.stale_after = kStaleAfter;
    block.settings.scrape_body_limit = body_limit;
    InstanceConfig instance;
    instance.id = "i";
    instance.metrics_url = test::http_url(url);
    block.instances.push_back(instance);
    config.blocks.push_back(block);
    harness_.apply(config);
  }

  std::size_t sample_count() const {
    const auto snap = harness_.snapshot("b", "i");
    return snap ? snap->samples.size() : 0;
  }

  std::string status_message() const {
    const auto s = harness_.status("b", "i", "metrics");
    return s ? s->message : "";
  }

  ManualClock clock_;
  test::SourceHarness harness_;
  FakeInstance server_;
};

TEST_F(MetricsScrapeTest, DcgmExporterFixtureLandsInTheStore) {
  server_.set("/metrics", FakeResponse::answer(200, test::read_fixture("dcgm-exporter-h100x2.prom"),
                                               "text/plain; version=0.0.4"));
  scrape(server_.url("/metrics"));
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 12; })) << sample_count();
  const auto snap = harness_.snapshot("b", "i");
  std::vector<std::pair<std::string, double>> temps;
  for (const MetricSample& s : snap->samples) {
    if (s.name == "DCGM_FI_DEV_GPU_TEMP") temps.emplace_back(label(s, "gpu"), s.value);
    EXPECT_EQ(s.timestamp_ms, clock_.wall_ms());  // no timestamps in the text: arrival time
  }
  std::sort(temps.begin(), temps.end());
  ASSERT_EQ(temps.size(), 2u);
  EXPECT_EQ(temps[0], (std::pair<std::string, double>{"0", 71}));
  EXPECT_EQ(temps[1], (std::pair<std::string, double>{"1", 86}));
  EXPECT_EQ(snap->last_seen_ms, clock_.wall_ms());
  const auto status = harness_.status("b", "i", "metrics");
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok);
  EXPECT_EQ(status->target, server_.url("/metrics"));
  EXPECT_EQ(status->last_success_ms, clock_.wall_ms());
}

TEST_F(MetricsScrapeTest, SamplesReplaceThePreviousOnes) {
  server_.set("/metrics", FakeResponse::answer(200, "a 1\nb 2\n", "text/plain"));
  scrape(server_.url("/metrics"));
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 2; }));
  server_.set("/metrics", FakeResponse::answer(200, "c 3\n", "text/plain"));
  ASSERT_TRUE(test::wait_until([&] {
    const auto snap = harness_.snapshot("b", "i");
    return snap->samples.size() == 1 && snap->samples[0].name == "c";
  }));
}

TEST_F(MetricsScrapeTest, BrokenExpositionSaysWhyAndClearsSamplesAfterStaleAfter) {
  server_.set("/metrics", FakeResponse::answer(200, test::read_fixture("dcgm-exporter-h100x2.prom"),
                                               "text/plain"));
  scrape(server_.url("/metrics"));
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 12; }));

  server_.set("/metrics",
              FakeResponse::answer(200, "# TYPE x gauge\nx{gpu=\"0\" 1\n", "text/plain"));
  ASSERT_TRUE(test::wait_until([&] {
    return status_message().starts_with("unparsable exposition: line 2, column");
  })) << status_message();
  // Not stale yet (the test clock has not moved): the last good samples stay.
  EXPECT_EQ(sample_count(), 12u);
  const auto failing = harness_.status("b", "i", "metrics");
  EXPECT_FALSE(failing->ok);
  EXPECT_EQ(failing->last_success_ms, clock_.wall_ms());

  clock_.advance_ms(kStaleAfter.count() + 1);
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 0; }));
  ASSERT_TRUE(test::wait_until([&] {
    return status_message().ends_with("; samples cleared (no successful scrape for 30s)");
  })) << status_message();
  EXPECT_TRUE(status_message().starts_with("unparsable exposition: line 2")) << status_message();

  // Fixed again: samples come back, status ok.
  server_.set("/metrics", FakeResponse::answer(200, "up 1\n", "text/plain"));
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 1; }));
  ASSERT_TRUE(test::wait_until([&] { return harness_.status("b", "i", "metrics")->ok; }));
}

TEST_F(MetricsScrapeTest, Non2xxKeepsSamplesUntilStale) {
  server_.set("/metrics", FakeResponse::answer(200, "up 1\n", "text/plain"));
  scrape(server_.url("/metrics"));
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 1; }));
  server_.set("/metrics", FakeResponse::answer(503, "busy", "text/plain"));
  ASSERT_TRUE(test::wait_until([&] { return status_message() == "HTTP 503 Service Unavailable"; }))
      << status_message();
  EXPECT_EQ(sample_count(), 1u);
  clock_.advance_ms(kStaleAfter.count());
  ASSERT_TRUE(test::wait_until([&] { return sample_count() == 0; }));
}

TEST_F(MetricsScrapeTest, UnreachableFromTheStartClearsNothingButSaysWhy) {
  scrape("http://127.0.0.1:" + std::to_string(FakeInstance::closed_port()) + "/metrics");
  ASSERT_TRUE(test::wait_until([&] { return status_message() == "connection refused"; }))
      << status_message();
  const auto status = harness_.status("b", "i", "metrics");
  EXPECT_FALSE(status->ok);
  EXPECT_EQ(status->last_success_ms, 0);
}

TEST_F(MetricsScrapeTest, BodyOverTheScrapeLimitIsNotRead) {
  server_.set("/metrics", FakeResponse::stream(std::uint64_t{50} << 20, true));
  scrape(server_.url("/metrics"), 1024);
  ASSERT_TRUE(test::wait_until([&] { return status_message() == "response body over 1KiB limit"; }))
      << status_message();
  EXPECT_EQ(sample_count(), 0u);
}

TEST_F(MetricsScrapeTest, TooManySeriesIsRefusedByTheStoreAndSaid) {
  std::string text;
  for (int i = 0; i < 10'001; ++i) text += "m{i=\"" + std::to_string(i) + "\"} 1\n";
  server_.set("/metrics", FakeResponse::answer(200, text, "text/plain"));
  scrape(server_.url("/metrics"));
  ASSERT_TRUE(test::wait_until([&] {
    return status_message().find("series; at most 10000 are kept") != std::string::npos;
  })) << status_message();
  EXPECT_EQ(sample_count(), 0u);
}

}  // namespace
}  // namespace blockhealth
