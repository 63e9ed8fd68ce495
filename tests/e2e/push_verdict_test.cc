// Push ingestion end to end: register an instance over HTTP, push metrics
// (both JSON shapes and Prometheus text) and logs (text and JSON), and read
// the verdict in /v1/blocks/<id> and the transition in its history.
#include <gtest/gtest.h>

#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// Three push-only blocks evaluated on request: test_echo, gpu_temperature
// on dcgm-exporter text, and log_pattern on pushed log lines.
std::string push_config() {
  return on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: echo
    policies:
      - use: test_echo
  - id: gpus
    policies:
      - use: gpu_temperature
        with: { warn_celsius: 80, critical_celsius: 85 }
  - id: logs
    policies:
      - use: log_pattern
        with: { critical: ["CUDA error"], warn: ["queue length \\d+ above"], window: 1h }
)";
}

class PushVerdict : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), push_config());
    ASSERT_TRUE(daemon_->started());
    for (const char* block : {"echo", "gpus", "logs"}) {
      ASSERT_EQ(mgmt(address(), block, "pause").status, 200);
    }
  }
  const std::string& address() const { return daemon_->address(); }

  // Evaluates `block` until instance `instance`'s status is `status`.
  json::value evaluate_until_status(const std::string& block, const std::string& instance,
                                    const std::string& status) {
    return evaluate_and_wait(address(), block, [&](const json::value& view) {
      return str(instance_of(view, instance), "status") == status;
    });
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(PushVerdict, RegisteredInstanceAppearsAsPushedAndUnobserved) {
  const HttpReply put = register_instance(address(), "echo", "node-1");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_TRUE(put.json().at("success").as_bool());
  // Registering again is a no-op.
  EXPECT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  const json::value view = block_view(address(), "echo");
  ASSERT_EQ(view.at("instances").as_array().size(), 1u) << view;
  const json::value in = instance_of(view, "node-1");
  EXPECT_EQ(str(in, "source"), "pushed");
  EXPECT_EQ(str(in, "status"), "unknown");
  EXPECT_EQ(str(in, "reason"), "no observations yet");
  EXPECT_TRUE(in.at("last_seen").is_null()) << in;
}

TEST_F(PushVerdict, RegisteringInAnUnknownBlockOrWithABadIdIsRefused) {
  HttpReply reply = register_instance(address(), "no-such-block", "node-1");
  EXPECT_EQ(reply.status, 404);
  EXPECT_NE(str(reply.json(), "message").find("no-such-block"), std::string::npos) << reply.body;
  reply = register_instance(address(), "echo", "bad%20id");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(str(reply.json(), "message").find("is invalid"), std::string::npos) << reply.body;
}

// Issue 13: a bulk form for platforms. One request registers many
// instances, all or nothing; repeats are counted, not added twice.
TEST_F(PushVerdict, ManyInstancesAreRegisteredInOneRequest) {
  std::string body = R"({"instances": [)";
  for (int i = 0; i < 5000; ++i) body += (i ? "," : "") + ("\"n-" + std::to_string(i) + "\"");
  body += "]}";
  const HttpReply first = http_post(address(), "/v1/blocks/echo/instances", body);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json().at("registered").to_number<int>(), 5000) << first.body;
  EXPECT_EQ(first.json().at("already").to_number<int>(), 0) << first.body;
  const HttpReply again = http_post(address(), "/v1/blocks/echo/instances",
                                    R"({"instances": ["n-0", "n-1", "extra", "extra"]})");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json().at("registered").to_number<int>(), 1) << again.body;
  EXPECT_EQ(again.json().at("already").to_number<int>(), 3) << again.body;
  const json::value view = block_view(address(), "echo");
  ASSERT_EQ(view.at("instances").as_array().size(), 5001u);
  EXPECT_EQ(str(instance_of(view, "n-4999"), "source"), "pushed");
}

TEST_F(PushVerdict, BadBulkRegistrationsAreRefusedAndRegisterNothing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"instances": ["a", "b c"]})", "instances[1]: instance id 'b c' is invalid"},
      {R"({"instances": ["a", 7]})", "instances[1]: expected a string"},
      {R"({"instances": []})", "instances: expected 1 to 10000 ids, got 0"},
      {R"({"instances": "a"})", "instances: required, an array"},
      {R"({"instance": ["a"]})", "unknown field 'instance'"},
      {R"(["a"])", "expected a JSON object"},
      {R"({"instances": ["a")", "invalid JSON"},
  };
  for (const auto& [body, message] : cases) {
    const HttpReply reply = http_post(address(), "/v1/blocks/echo/instances", body);
    EXPECT_EQ(reply.status, 400) << body << ": " << reply.body;
    EXPECT_NE(str(reply.json(), "message").find(message), std::string::npos)
        << body << ": " << reply.body;
  }
  EXPECT_EQ(http_post(address(), "/v1/blocks/nope/instances", R"({"instances": ["a"]})").status,
            404);
  EXPECT_TRUE(block_view(address(), "echo").at("instances").as_array().empty());
}

// A block holds at most server.max_instances_per_block: past it a
// registration, one by one or in bulk, is a 409 that registers nothing.
TEST(PushVerdictLimits, RegistrationsPastTheBlocksLimitAreRefused) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), on_request_yaml({"test_echo"}) + R"(
server:
  max_instances_per_block: 3
blocks:
  - id: echo
    instances: [{id: configured}]
    policies: [{use: test_echo}]
)");
  ASSERT_TRUE(daemon.started());
  EXPECT_EQ(register_instance(daemon.address(), "echo", "a").status, 200);
  const HttpReply bulk =
      http_post(daemon.address(), "/v1/blocks/echo/instances", R"({"instances": ["b", "c"]})");
  EXPECT_EQ(bulk.status, 409) << bulk.body;
  EXPECT_NE(str(bulk.json(), "message").find("server.max_instances_per_block"), std::string::npos)
      << bulk.body;
  EXPECT_EQ(block_view(daemon.address(), "echo").at("instances").as_array().size(), 2u);
  EXPECT_EQ(register_instance(daemon.address(), "echo", "b").status, 200);
  EXPECT_EQ(register_instance(daemon.address(), "echo", "c").status, 409);
  EXPECT_EQ(register_instance(daemon.address(), "echo", "b").status, 200);  // already there
}

TEST_F(PushVerdict, JsonObjectPushGivesVerdictEvidenceAndATransition) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  const HttpReply push = push_metrics(address(), "echo", "node-1", R"({"test_status": 2})");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json(), json::parse(R"({"success":true,"samples":1})"));

  const json::value view = evaluate_until_status("echo", "node-1", "unhealthy");
  EXPECT_EQ(str(view, "status"), "unhealthy");
  EXPECT_FALSE(view.at("healthy").as_bool());
  const json::value in = instance_of(view, "node-1");
  EXPECT_EQ(str(in, "policy"), "test_echo");
  EXPECT_EQ(str(in, "reason"), "test_echo: test_status=2");
  EXPECT_FALSE(in.at("healthy").as_bool());
  const json::value& evidence = in.at("evidence");
  ASSERT_TRUE(evidence.is_object()) << in;
  EXPECT_EQ(str(evidence, "metric"), "test_status");
  EXPECT_EQ(evidence.at("observed").to_number<double>(), 2.0);
  EXPECT_EQ(evidence.at("limit").to_number<double>(), 0.0);
  EXPECT_TRUE(in.at("last_seen").is_string()) << in;
  EXPECT_TRUE(in.at("since").is_string()) << in;
  const json::value p = policy_result_of(in, "test_echo");
  EXPECT_EQ(str(p, "status"), "unhealthy");
  EXPECT_EQ(str(p, "raw_status"), "unhealthy");
  EXPECT_EQ(p.at("streak").to_number<int>(), 1);
  EXPECT_EQ(str(p, "reason"), "test_status=2");
  EXPECT_EQ(p.at("evidence").at("observed").to_number<double>(), 2.0);
  EXPECT_TRUE(p.at("evaluated_at").is_string()) << p;

  const HttpReply history = http_get(address(), "/v1/blocks/echo/history");
  ASSERT_EQ(history.status, 200);
  const json::value h = history.json();
  EXPECT_EQ(str(h, "block_id"), "echo");
  const json::array& transitions = h.at("transitions").as_array();
  ASSERT_GE(transitions.size(), 1u) << h;
  const json::value& t = transitions[0];
  EXPECT_EQ(str(t, "instance_id"), "node-1");
  EXPECT_EQ(str(t, "from"), "unknown");
  EXPECT_EQ(str(t, "to"), "unhealthy");
  EXPECT_EQ(str(t, "policy"), "test_echo");
  EXPECT_EQ(str(t, "reason"), "test_echo: test_status=2");
  EXPECT_EQ(t.at("evidence").at("metric").as_string(), "test_status");
  EXPECT_TRUE(t.at("seq").is_number());
  EXPECT_TRUE(t.at("time").is_string());
  EXPECT_TRUE(t.at("time_ms").is_number());
}

TEST_F(PushVerdict, JsonSampleListAndSamplesObjectAreAccepted) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  HttpReply push = push_metrics(address(), "echo", "node-1",
                                R"([{"name":"test_status","labels":{"gpu":"0"},"value":1},
                                    {"name":"other_metric","value":"NaN","timestamp":1700000000000}])");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json().at("samples").to_number<int>(), 2);
  json::value view = evaluate_until_status("echo", "node-1", "degraded");
  EXPECT_EQ(str(instance_of(view, "node-1"), "reason"), "test_echo: test_status=1");

  push = push_metrics(address(), "echo", "node-1",
                      R"({"samples":[{"name":"test_status","labels":{"gpu":"0"},"value":0}]})");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json().at("samples").to_number<int>(), 1);
  view = evaluate_until_status("echo", "node-1", "ok");
  EXPECT_TRUE(view.at("healthy").as_bool());
  EXPECT_EQ(str(view, "status"), "ok");
}

TEST_F(PushVerdict, BadJsonSamplesAreRefusedNamingTheField) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  HttpReply reply = push_metrics(address(), "echo", "node-1", R"([{"name":"x","value":true}])");
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(str(reply.json(), "message"),
            R"(samples[0].value: expected a number (or "NaN", "+Inf", "-Inf"), got a boolean)");
  reply = push_metrics(address(), "echo", "node-1", R"({"bad name": 1})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(str(reply.json(), "message").find("'bad name' is not a valid metric name"),
            std::string::npos)
      << reply.body;
  reply = push_metrics(address(), "echo", "node-1", R"([{"name":"x","value":1,"unit":"C"}])");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(str(reply.json(), "message").find("unknown field 'unit'"), std::string::npos)
      << reply.body;
}

TEST_F(PushVerdict, PrometheusTextFromDcgmExporterDrivesGpuTemperature) {
  ASSERT_EQ(register_instance(address(), "gpus", "in-vkkv").status, 200);
  const HttpReply push =
      push_metrics(address(), "gpus", "in-vkkv", read_fixture("dcgm-exporter-h100x2.prom"),
                   "text/plain; version=0.0.4");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_GT(push.json().at("samples").to_number<int>(), 10);
  // GPU 1 runs at 86 C, at or above critical_celsius 85.
  const json::value view = evaluate_until_status("gpus", "in-vkkv", "unhealthy");
  const json::value in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "policy"), "gpu_temperature");
  const std::string reason = str(in, "reason");
  EXPECT_EQ(reason.rfind("gpu_temperature: GPU 1", 0), 0u) << reason;
  EXPECT_NE(reason.find("86 C >= critical 85 C"), std::string::npos) << reason;
  const json::value& evidence = in.at("evidence");
  ASSERT_TRUE(evidence.is_object()) << in;
  EXPECT_EQ(std::string(evidence.at("metric").as_string()).rfind("DCGM_FI_DEV_GPU_TEMP{", 0), 0u)
      << evidence;
  EXPECT_EQ(evidence.at("observed").to_number<double>(), 86.0);
  EXPECT_EQ(evidence.at("limit").to_number<double>(), 85.0);
}

TEST_F(PushVerdict, PlainTextLogLinesDriveLogPattern) {
  ASSERT_EQ(register_instance(address(), "logs", "in-vkkv").status, 200);
  const HttpReply push = push_logs(address(), "logs", "in-vkkv", read_fixture("model-server.log"));
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json(), json::parse(R"({"success":true,"lines":7})"));
  const json::value view = evaluate_until_status("logs", "in-vkkv", "unhealthy");
  const json::value in = instance_of(view, "in-vkkv");
  EXPECT_EQ(str(in, "policy"), "log_pattern");
  EXPECT_NE(str(in, "reason").find("CUDA error: an illegal memory access"), std::string::npos)
      << in;
  EXPECT_EQ(str(in.at("evidence"), "metric"), "log_lines_matching") << in;
  EXPECT_EQ(in.at("evidence").at("observed").to_number<double>(), 1.0) << in;
}

TEST_F(PushVerdict, JsonLogLinesInBothShapesDriveLogPattern) {
  ASSERT_EQ(register_instance(address(), "logs", "in-vkkv").status, 200);
  HttpReply push = push_logs(address(), "logs", "in-vkkv",
                             R"(["INFO all good", "WARN queue length 48 above soft limit 32"])",
                             "application/json");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json().at("lines").to_number<int>(), 2);
  json::value view = evaluate_until_status("logs", "in-vkkv", "degraded");
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason").find("queue length 48"), std::string::npos)
      << view;

  push = push_logs(address(), "logs", "in-vkkv", R"({"lines": ["ERROR CUDA error: boom"]})",
                   "application/json");
  ASSERT_EQ(push.status, 200) << push.body;
  EXPECT_EQ(push.json().at("lines").to_number<int>(), 1);
  view = evaluate_until_status("logs", "in-vkkv", "unhealthy");
  EXPECT_NE(str(instance_of(view, "in-vkkv"), "reason").find("CUDA error: boom"), std::string::npos)
      << view;

  const HttpReply bad =
      push_logs(address(), "logs", "in-vkkv", R"({"lines": ["ok", 3]})", "application/json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(str(bad.json(), "message"), "lines[1]: expected a string, got a number");
}

TEST_F(PushVerdict, HistoryIsNewestFirstAndLimitKeepsTheNewest) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  ASSERT_EQ(push_status(address(), "echo", "node-1", 2).status, 200);
  evaluate_until_status("echo", "node-1", "unhealthy");
  ASSERT_EQ(push_status(address(), "echo", "node-1", 0).status, 200);
  evaluate_until_status("echo", "node-1", "ok");

  const json::value all = http_get(address(), "/v1/blocks/echo/history").json();
  const json::array& transitions = all.at("transitions").as_array();
  ASSERT_EQ(transitions.size(), 2u) << all;
  EXPECT_EQ(str(transitions[0], "from"), "unhealthy");
  EXPECT_EQ(str(transitions[0], "to"), "ok");
  EXPECT_EQ(str(transitions[0], "policy"), "test_echo");
  EXPECT_EQ(str(transitions[1], "from"), "unknown");
  EXPECT_EQ(str(transitions[1], "to"), "unhealthy");
  EXPECT_GT(transitions[0].at("seq").to_number<std::uint64_t>(),
            transitions[1].at("seq").to_number<std::uint64_t>());

  const HttpReply one = http_get(address(), "/v1/blocks/echo/history?limit=1");
  ASSERT_EQ(one.status, 200);
  const json::value one_body = one.json();
  const json::array& newest = one_body.at("transitions").as_array();
  ASSERT_EQ(newest.size(), 1u) << one.body;
  EXPECT_EQ(newest[0], transitions[0]);

  for (const char* bad : {"0", "x", "10001", "-1"}) {
    const HttpReply reply =
        http_get(address(), std::string("/v1/blocks/echo/history?limit=") + bad);
    EXPECT_EQ(reply.status, 400) << bad;
    EXPECT_NE(str(reply.json(), "message").find("limit: expected an integer from 1 to 10000"),
              std::string::npos)
        << reply.body;
  }
  EXPECT_EQ(http_get(address(), "/v1/blocks/nope/history").status, 404);
}

TEST_F(PushVerdict, PushedInstanceCanBeRemovedWithItsData) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  HttpRequest del;
  del.method = "DELETE";
  del.target = "/v1/blocks/echo/instances/node-1";
  HttpReply reply = http_request(address(), del);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_TRUE(instance_of(block_view(address(), "echo"), "node-1").is_null());
  // Its data is gone too: pushing now needs a new registration.
  reply = push_status(address(), "echo", "node-1", 0);
  EXPECT_EQ(reply.status, 404) << reply.body;
  reply = http_request(address(), del);
  EXPECT_EQ(reply.status, 404) << reply.body;
}

// Parses `body` as JSON; the parse error when it is not.
std::string json_problem(const std::string& body) {
  boost::system::error_code ec;
  (void)json::parse(body, ec);
  return ec ? ec.message() : "";
}

TEST_F(PushVerdict, NonFiniteValuesKeepTheViewsValidJson) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  ASSERT_EQ(push_status(address(), "echo", "node-1", 0).status, 200);
  evaluate_until_status("echo", "node-1", "ok");
  std::uint64_t calls = 1;
  // test_echo reports the pushed value as evidence: NaN, then +Inf.
  for (const std::string& value : {std::string("NaN"), std::string("+Inf")}) {
    const HttpReply push =
        push_metrics(address(), "echo", "node-1", R"({"test_status": ")" + value + R"("})");
    ASSERT_EQ(push.status, 200) << push.body;
    ++calls;
    ASSERT_EQ(mgmt(address(), "echo", "evaluate").status, 200);
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
      reply = http_get(address(), "/v1/blocks/echo");
      return reply.body.find(R"("calls":)" + std::to_string(calls)) != std::string::npos &&
             reply.body.find(R"("busy":false)") != std::string::npos;
    })) << reply.body;
    // Every body that carries the evidence must still be JSON.
    EXPECT_EQ(json_problem(reply.body), "") << value << ": GET /v1/blocks/echo: " << reply.body;
    const HttpReply history = http_get(address(), "/v1/blocks/echo/history");
    EXPECT_EQ(json_problem(history.body), "") << value << ": history: " << history.body;
    const HttpReply aios = http_get(address(), "/block/health/echo");
    EXPECT_EQ(json_problem(aios.body), "") << value << ": AIOS: " << aios.body;
  }
  EXPECT_EQ(http_get(address(), "/healthz").status, 200);
}

TEST_F(PushVerdict, APushOverTheSeriesLimitIs422AndKeepsNothing) {
  ASSERT_EQ(register_instance(address(), "echo", "node-1").status, 200);
  std::string body = "{";
  for (int i = 0; i < 6000; ++i) body += (i ? ",\"a_" : "\"a_") + std::to_string(i) + "\":1";
  body += "}";
  HttpReply reply = push_metrics(address(), "echo", "node-1", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("samples").to_number<int>(), 6000);
  body = "{";
  for (int i = 0; i < 4001; ++i) body += (i ? ",\"b_" : "\"b_") + std::to_string(i) + "\":1";
  body += ",\"test_status\":2}";
  reply = push_metrics(address(), "echo", "node-1", body);
  EXPECT_EQ(reply.status, 422) << reply.body;
  EXPECT_EQ(str(reply.json(), "message"),
            "instance echo/node-1 would have 10002 series; at most 10000 are kept");
  // The refused push kept nothing: test_status is still missing.
  const json::value view = evaluate_and_wait(address(), "echo");
  EXPECT_EQ(str(policy_result_of(instance_of(view, "node-1"), "test_echo"), "reason"),
            "no test_status sample")
      << view;
  // Replacing existing series does not count twice.
  reply = push_metrics(address(), "echo", "node-1", R"({"a_1": 2, "a_2": 3})");
  EXPECT_EQ(reply.status, 200) << reply.body;
}

}  // namespace
}  // namespace blockhealth::test
