// POST /api/v1/write end to end: a real Prometheus scrapes a dcgm-like
// page and remote-writes it into the real blockhealthd, whose real
// gpu_temperature judges the instance the series' labels name; and bodies
// encoded by protoc's generated code and libsnappy, good and bad, over real
// HTTP: each refusal says what and where, and changes nothing.
#include <gtest/gtest.h>
#include <snappy.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "remote.pb.h"
#include "tests/e2e/e2e_client.h"
#include "tests/support/child_process.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_instance.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string remote_write_config(const std::string& extra = "") {
  return R"(
remote_write:
  enabled: true
  block_label: block
  instance_label: pod
  drop_labels: [instance, job]
)" + extra +
         R"(
defaults:
  interval: 200ms
  timeout: 200ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
blocks:
  - id: gpus
    instances:
      - id: node-1
      - id: node-2
    policies:
      - use: gpu_temperature
)";
}

// One series: DCGM_FI_DEV_GPU_TEMP{gpu="0", block=<block>, pod=<pod>} = celsius.
void add_temperature(prometheus::WriteRequest& req, const std::string& block,
                     const std::string& pod, double celsius) {
  prometheus::TimeSeries* ts = req.add_timeseries();
  auto label = [ts](const std::string& n, const std::string& v) {
    prometheus::Label* l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
  };
  label("__name__", "DCGM_FI_DEV_GPU_TEMP");
  if (!block.empty()) label("block", block);
  label("gpu", "0");
  if (!pod.empty()) label("pod", pod);
  prometheus::Sample* s = ts->add_samples();
  s->set_value(celsius);
  s->set_timestamp(0);
}

std::string snappy_body(const std::string& bytes) {
  std::string out;
  snappy::Compress(bytes.data(), bytes.size(), &out);
  return out;
}

HttpReply remote_write(const std::string& address, const std::string& body,
                       const std::string& token = "",
                       const std::string& content_type = "application/x-protobuf") {
  HttpRequest r;
  r.method = "POST";
  r.target = "/api/v1/write";
  r.body = body;
  r.headers["Content-Type"] = content_type;
  r.headers["Content-Encoding"] = "snappy";
  r.headers["X-Prometheus-Remote-Write-Version"] = "0.1.0";
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  return http_request(address, r);
}

std::string message_of(const HttpReply& reply) {
  const json::value v = json::parse(reply.body);
  return str(v, "message");
}

bool unhealthy_naming(const json::value& view, const std::string& instance,
                      const std::string& celsius) {
  const json::value in = instance_of(view, instance);
  return in.is_object() && str(in, "status") == "unhealthy" &&
         str(in, "reason").find("core " + celsius + " C") != std::string::npos;
}

TEST(RemoteWrite, ARealPrometheusRemoteWritesDcgmSamplesThatGpuTemperatureJudges) {
  if (!std::filesystem::exists(prometheus_binary())) {
    GTEST_SKIP() << "no prometheus at " << prometheus_binary();
  }
  TempDir dir;
  FakeInstance exporter;
  exporter.set("/metrics",
               FakeResponse::answer(200,
                                    "# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n"
                                    "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",pod=\"node-1\"} 91\n"
                                    "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",pod=\"node-1\"} 40\n"
                                    "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",pod=\"elsewhere\"} 30\n",
                                    "text/plain; version=0.0.4"));
  DaemonProcess daemon(dir.path(), remote_write_config());
  ASSERT_TRUE(daemon.started());
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  ChildProcess server(prometheus_args(dir.path(),
                                      "global: {scrape_interval: 1s}\n"
                                      "scrape_configs:\n"
                                      "  - job_name: dcgm\n"
                                      "    static_configs: [{targets: ['" +
                                          exporter.address() +
                                          "'], labels: {block: gpus}}]\n"
                                          "remote_write:\n"
                                          "  - url: http://" +
                                          daemon.address() +
                                          "/api/v1/write\n"
                                          "    queue_config: {batch_send_deadline: 1s}\n",
                                      port),
                      dir.path() / "prometheus.log");
  json::value view;
  const bool judged = wait_until(
      [&] {
        if (!server.running()) return true;
        view = block_view(daemon.address(), "gpus");
        return unhealthy_naming(view, "node-1", "91");
      },
      std::chrono::seconds(60));
  ASSERT_TRUE(judged && server.running()) << server.output() << "\n" << view;
  const json::value in = instance_of(view, "node-1");
  EXPECT_EQ(str(in, "reason").rfind("gpu_temperature: GPU 0", 0), 0u) << in;
  EXPECT_NE(str(in, "reason").find(">= critical"), std::string::npos) << in;
  // node-2 got nothing; the "elsewhere" pod is counted as unknown.
  EXPECT_EQ(str(instance_of(view, "node-2"), "reason"), "no observations yet");
  EXPECT_GE(metric_value(daemon.address(), "blockhealth_remote_write_samples_total",
                         {"result=\"accepted\""}),
            2);
  EXPECT_GE(metric_value(daemon.address(), "blockhealth_remote_write_samples_total",
                         {"result=\"unknown_instance\""}),
            1);
  EXPECT_GE(
      metric_value(daemon.address(), "blockhealth_ingested_samples_total", {"block=\"gpus\""}), 2);
}

TEST(RemoteWrite, SeriesGoToTheInstanceTheirLabelsNameAndTheRestIsCounted) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), remote_write_config());
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  prometheus::WriteRequest req;
  add_temperature(req, "gpus", "node-1", 91);
  add_temperature(req, "nope", "node-1", 95);  // unknown block
  add_temperature(req, "gpus", "node-9", 95);  // unknown instance
  add_temperature(req, "", "node-1", 95);      // no block label
  add_temperature(req, "gpus", "", 95);        // no instance label
  const HttpReply reply = remote_write(address, snappy_body(req.SerializeAsString()));
  ASSERT_EQ(reply.status, 204) << reply.body;
  EXPECT_TRUE(reply.body.empty());
  const json::value view = wait_for_view(
      address, "gpus", [](const json::value& v) { return unhealthy_naming(v, "node-1", "91"); });
  EXPECT_EQ(str(instance_of(view, "node-2"), "reason"), "no observations yet");
  for (const char* result :
       {"accepted", "unknown_block", "unknown_instance", "no_block_label", "no_instance_label"}) {
    EXPECT_EQ(metric_value(address, "blockhealth_remote_write_samples_total",
                           {std::string("result=\"") + result + "\""}),
              1)
        << result;
  }
  EXPECT_EQ(metric_value(address, "blockhealth_remote_write_requests_total", {"result=\"ok\""}), 1);
}

TEST(RemoteWrite, BadBodiesAreRefusedWithWhatAndWhereAndChangeNothing) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), remote_write_config("  max_decoded_bytes: 1KiB\n"));
  ASSERT_TRUE(daemon.started());
  const std::string& address = daemon.address();
  prometheus::WriteRequest good;
  add_temperature(good, "gpus", "node-1", 91);
  ASSERT_EQ(remote_write(address, snappy_body(good.SerializeAsString())).status, 204);
  wait_for_view(address, "gpus",
                [](const json::value& v) { return unhealthy_naming(v, "node-1", "91"); });

  // Every refused body would have cooled node-1 down to 30 C.
  prometheus::WriteRequest cool;
  add_temperature(cool, "gpus", "node-1", 30);
  const std::string cool_bytes = cool.SerializeAsString();

  HttpReply reply = remote_write(address, cool_bytes);  // not compressed
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(message_of(reply).rfind("remote_write: body is not snappy-compressed", 0), 0u)
      << reply.body;

  reply = remote_write(address, "");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(message_of(reply).rfind("remote_write: body is not snappy-compressed", 0), 0u)
      << reply.body;

  prometheus::WriteRequest nameless = cool;
  add_temperature(nameless, "gpus", "node-2", 30);
  nameless.mutable_timeseries(1)->mutable_labels(0)->set_name("metric");
  reply = remote_write(address, snappy_body(nameless.SerializeAsString()));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(message_of(reply), "remote_write: timeseries 1: no __name__ label");

  reply = remote_write(address, snappy_body(cool_bytes.substr(0, cool_bytes.size() - 3)));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(message_of(reply).rfind("remote_write: timeseries 0: ", 0), 0u) << reply.body;

  prometheus::WriteRequest big = cool;
  for (int i = 0; i < 40; ++i) add_temperature(big, "gpus", "node-1", 30);
  reply = remote_write(address, snappy_body(big.SerializeAsString()));
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(message_of(reply).find("above the limit of 1024 (remote_write.max_decoded_bytes)"),
            std::string::npos)
      << reply.body;

  reply = remote_write(address, snappy_body(cool_bytes), "", "application/json");
  EXPECT_EQ(reply.status, 415);
  EXPECT_EQ(message_of(reply),
            "remote_write: Content-Type 'application/json' is not accepted; send "
            "application/x-protobuf (Prometheus remote write 1.0)");
  reply = remote_write(address, snappy_body(cool_bytes), "",
                       "application/x-protobuf;proto=io.prometheus.write.v2.Request");
  EXPECT_EQ(reply.status, 415);

  // Still judged on 91 after a fresh evaluation: nothing of the above landed.
  const json::value view = evaluate_and_wait(address, "gpus");
  EXPECT_TRUE(unhealthy_naming(view, "node-1", "91")) << view;
  EXPECT_EQ(str(instance_of(view, "node-2"), "reason"), "no observations yet");
  EXPECT_EQ(
      metric_value(address, "blockhealth_remote_write_samples_total", {"result=\"accepted\""}), 1);
  EXPECT_EQ(
      metric_value(address, "blockhealth_remote_write_requests_total", {"result=\"malformed\""}),
      2);
  EXPECT_EQ(
      metric_value(address, "blockhealth_remote_write_requests_total", {"result=\"not_snappy\""}),
      2);
}

TEST(RemoteWrite, TheEndpointIsOffUntilEnabledAndNeedsTheWriteToken) {
  TempDir dir;
  const std::string plain = R"(
blocks:
  - id: gpus
    instances:
      - id: node-1
    policies:
      - use: gpu_temperature
)";
  prometheus::WriteRequest req;
  add_temperature(req, "gpus", "node-1", 91);
  const std::string body = snappy_body(req.SerializeAsString());
  {
    DaemonProcess daemon(dir.path(), plain);
    ASSERT_TRUE(daemon.started());
    const HttpReply reply = remote_write(daemon.address(), body);
    EXPECT_EQ(reply.status, 404);
    EXPECT_EQ(message_of(reply),
              "remote_write is not enabled: set remote_write: {enabled: true} in the config "
              "(docs/configuration.md)");
  }
  TempDir dir2;
  const auto token = dir2.path() / "token";
  {
    std::ofstream out(token);
    out << "rw-token-7\n";
  }
  std::filesystem::permissions(
      token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  DaemonProcess daemon(dir2.path(), "server:\n  auth_token_file: '" + token.string() + "'\n" +
                                        remote_write_config());
  ASSERT_TRUE(daemon.started());
  EXPECT_EQ(remote_write(daemon.address(), body).status, 401);
  EXPECT_EQ(remote_write(daemon.address(), body, "wrong").status, 401);
  EXPECT_EQ(remote_write(daemon.address(), body, "rw-token-7").status, 204);
  wait_for_view(daemon.address(), "gpus",
                [](const json::value& v) { return unhealthy_naming(v, "node-1", "91"); });
}

}  // namespace
}  // namespace blockhealth::test
