// Metrics scrapes end to end: the real blockhealthd scrapes a dcgm-exporter
// page (tests/fixtures/dcgm-exporter-h100x2.prom) served over HTTP and the
// real gpu_temperature plugin judges it; a failing scrape says why in the
// instance's "sources", its samples go once stale_after passes (the
// instance is then unknown, not ok), and an answer over scrape_body_limit
// fails with the limit named.
#include <gtest/gtest.h>

#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_instance.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kPromType = "text/plain; version=0.0.4; charset=utf-8";

// What dcgm-exporter-h100x2.prom makes gpu_temperature say (docs/policies.md):
// GPU 1's core is at 86 C, over the default warn limit, and its memory
// temperature is a DCGM blank. The instance's reason is prefixed with the
// policy's id.
constexpr const char* kFixtureReason =
    "GPU 1 (GPU-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d) core 86 C >= warn 85 C (default); GPU 1 "
    "memory is a DCGM blank value";
std::string instance_reason() {
  return std::string("gpu_temperature: ") + kFixtureReason;
}

// The "sources" entry of `instance` for `source` ("health", "metrics",
// "logs"); null when absent.
json::value source_of(const json::value& instance, const std::string& source) {
  if (!instance.is_object()) return nullptr;
  for (const json::value& s : instance.at("sources").as_array()) {
    if (str(s, "source") == source) return s;
  }
  return nullptr;
}

bool source_ok(const json::value& instance, const std::string& source) {
  const json::value s = source_of(instance, source);
  return s.is_object() && s.at("ok").as_bool();
}

std::string metrics_config(const std::string& block_extra, const std::string& instances) {
  return R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1s
blocks:
  - id: gpus
)" + block_extra +
         "    instances:\n" + instances + R"(    policies:
      - use: gpu_temperature
)";
}

std::string metrics_instance(const std::string& id, const std::string& url) {
  return "      - id: " + id + "\n        metrics_url: " + url + "\n";
}

TEST(PullMetrics, ADcgmExporterPageIsJudgedByGpuTemperatureAndItsFailuresSayWhy) {
  TempDir dir;
  FakeInstance exporter;
  const std::string page = read_fixture("dcgm-exporter-h100x2.prom");
  exporter.set("/metrics", FakeResponse::answer(200, page, kPromType));
  const std::string url = exporter.url("/metrics");
  DaemonProcess daemon(dir.path(), metrics_config("", metrics_instance("in-vkkv", url)));
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();

  // Scraped and judged: WARN (degraded), which still counts as healthy.
  json::value view = wait_for_view(address, "gpus", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "degraded";
  });
  json::value in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "reason"), instance_reason()) << in;
  EXPECT_EQ(str(policy_result_of(in, "gpu_temperature"), "reason"), kFixtureReason) << in;
  EXPECT_EQ(str(in, "policy"), "gpu_temperature") << in;
  const json::value& evidence = in.at("evidence");
  ASSERT_TRUE(evidence.is_object()) << in;
  EXPECT_EQ(str(evidence, "metric"),
            R"(DCGM_FI_DEV_GPU_TEMP{gpu="1",UUID="GPU-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d"})");
  EXPECT_EQ(evidence.at("observed").to_number<double>(), 86.0);
  EXPECT_EQ(evidence.at("limit").to_number<double>(), 85.0);
  json::value scrape = source_of(in, "metrics");
  ASSERT_TRUE(scrape.is_object()) << in;
  EXPECT_EQ(str(scrape, "target"), url);
  EXPECT_TRUE(scrape.at("ok").as_bool()) << scrape;
  EXPECT_EQ(str(scrape, "message"), "");
  EXPECT_TRUE(scrape.at("last_success").is_string()) << scrape;
  json::value aios = http_get(address, "/block/health/gpus").json();
  EXPECT_TRUE(aios.at("healthy").as_bool()) << aios;
  EXPECT_TRUE(aios.at("instances").at(0).at("healthy").as_bool()) << aios;
  // Degraded (warn) is healthy for AIOS, which writes reasons on unhealthy
  // rows only.
  EXPECT_FALSE(aios.at("instances").at(0).as_object().contains("reason")) << aios;

  // The exporter fails: the scrape says why at once, and the last samples
  // are kept (still judged) until stale_after (1s) passes without a success.
  exporter.set("/metrics", FakeResponse::answer(503, "DCGM is restarting", "text/plain"));
  view = wait_for_view(address, "gpus", [](const json::value& v) {
    return !source_ok(instance_of(v, "in-vkkv"), "metrics") &&
           str(source_of(instance_of(v, "in-vkkv"), "metrics"), "message")
                   .find("HTTP 503 Service Unavailable") == 0;
  });
  scrape = source_of(instance_of(view, "in-vkkv"), "metrics");
  EXPECT_TRUE(scrape.at("last_success").is_string()) << scrape;
  EXPECT_TRUE(scrape.at("checked_at").is_string()) << scrape;

  // Past stale_after: the instance is unknown (not ok, not healthy) as
  // stale, and the scrape's samples are gone, the source saying so.
  view = wait_for_view(address, "gpus", [](const json::value& v) {
    return str(instance_of(v, "in-vkkv"), "status") == "unknown";
  });
  in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "policy"), "staleness") << in;
  EXPECT_EQ(str(in, "reason").rfind("no observations for ", 0), 0U) << in;
  EXPECT_NE(str(in, "reason").find("(stale_after 1s)"), std::string::npos) << in;
  // ...and the reason says why nothing comes: the failing scrape.
  EXPECT_NE(str(in, "reason")
                .find("; metrics " + exporter.url("/metrics") + ": HTTP 503 Service Unavailable"),
            std::string::npos)
      << in;
  EXPECT_FALSE(in.at("healthy").as_bool()) << in;
  view = wait_for_view(address, "gpus", [](const json::value& v) {
    return str(source_of(instance_of(v, "in-vkkv"), "metrics"), "message")
               .find("samples cleared") != std::string::npos;
  });
  in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "status"), "unknown") << in;
  scrape = source_of(in, "metrics");
  EXPECT_EQ(str(scrape, "message"),
            "HTTP 503 Service Unavailable; samples cleared (no successful scrape for 1s)")
      << scrape;
  EXPECT_FALSE(scrape.at("ok").as_bool());
  aios = http_get(address, "/block/health/gpus").json();
  EXPECT_FALSE(aios.at("healthy").as_bool()) << aios;
  EXPECT_FALSE(aios.at("instances").at(0).at("healthy").as_bool()) << aios;

  // Garbage instead of an exposition: unparsable, with where.
  exporter.set("/metrics",
               FakeResponse::answer(200, "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\" 71\n", kPromType));
  view = wait_for_view(address, "gpus", [](const json::value& v) {
    return str(source_of(instance_of(v, "in-vkkv"), "metrics"), "message")
               .find("unparsable exposition: line 1") == 0;
  });
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "status"), "unknown") << view;

  // Back to the real page: judged again.
  exporter.set("/metrics", FakeResponse::answer(200, page, kPromType));
  view = wait_for_view(address, "gpus", [](const json::value& v) {
    const json::value in = instance_of(v, "in-vkkv");
    return str(in, "status") == "degraded" && source_ok(in, "metrics");
  });
  EXPECT_EQ(str(instance_of(view, "in-vkkv"), "reason"), instance_reason());
}

TEST(PullMetrics, AnAnswerOverScrapeBodyLimitFailsNamingTheLimit) {
  TempDir dir;
  FakeInstance exporter;
  exporter.set("/metrics",
               FakeResponse::answer(200, read_fixture("dcgm-exporter-h100x2.prom"), kPromType));
  // 50 MiB, over the default 10 MiB limit; with and without Content-Length.
  exporter.set("/huge", FakeResponse::stream(std::uint64_t{50} * 1024 * 1024, false));
  exporter.set("/huge-chunked", FakeResponse::stream(std::uint64_t{50} * 1024 * 1024, true));
  const std::string instances = metrics_instance("huge", exporter.url("/huge")) +
                                metrics_instance("huge-chunked", exporter.url("/huge-chunked"));
  // Reading 10 MiB of a chunked body takes longer than 200ms in a debug
  // build on a busy machine: this block's timeout is generous.
  // A second block whose limit (1KiB) is below the fixture's 3.5 KB.
  const std::string config =
      metrics_config("    interval: 5s\n    timeout: 5s\n    stale_after: 1h\n", instances) + R"(
  - id: small-limit
    scrape_body_limit: 1KiB
    instances:
)" + metrics_instance("in-vkkv", exporter.url("/metrics")) +
      R"(    policies:
      - use: gpu_temperature
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();

  const json::value view = wait_for_view(address, "gpus", [](const json::value& v) {
    return !str(source_of(instance_of(v, "huge"), "metrics"), "message").empty() &&
           !str(source_of(instance_of(v, "huge-chunked"), "metrics"), "message").empty();
  });
  for (const char* id : {"huge", "huge-chunked"}) {
    const json::value scrape = source_of(instance_of(view, id), "metrics");
    EXPECT_FALSE(scrape.at("ok").as_bool()) << id << ": " << scrape;
    EXPECT_EQ(str(scrape, "message").rfind("response body over 10MiB limit", 0), 0U)
        << id << ": " << scrape;
    EXPECT_TRUE(scrape.at("last_success").is_null()) << id << ": " << scrape;
    EXPECT_NE(str(instance_of(view, id), "status"), "ok") << id;
  }

  const json::value small = wait_for_view(address, "small-limit", [](const json::value& v) {
    return !str(source_of(instance_of(v, "in-vkkv"), "metrics"), "message").empty();
  });
  const json::value scrape = source_of(instance_of(small, "in-vkkv"), "metrics");
  EXPECT_FALSE(scrape.at("ok").as_bool()) << scrape;
  EXPECT_EQ(str(scrape, "message").rfind("response body over 1KiB limit", 0), 0U) << scrape;
  EXPECT_NE(str(instance_of(small, "in-vkkv"), "status"), "ok") << small;
}

}  // namespace
}  // namespace blockhealth::test
