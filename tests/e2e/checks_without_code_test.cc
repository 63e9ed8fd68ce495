// Issue 11: metric_threshold in the real daemon. The vLLM queue check as
// YAML only judges pushed metrics over HTTP (with the daemon's own
// hysteresis), and a bad selector is refused by check-config with the rule
// and the character it goes wrong at.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string queue_config(const std::string& select) {
  return "defaults: {interval: 200ms, timeout: 150ms}\n"
         "blocks:\n"
         "  - id: vllm\n"
         "    instances: [{id: serve-0}]\n"
         "    policies:\n"
         "      - use: metric_threshold\n"
         "        with:\n"
         "          rules:\n"
         "            - name: queue\n"
         "              select: '" +
         select +
         "'\n"
         "              warn: '> 10'\n"
         "              critical: '> 20'\n";
}

TEST(ChecksWithoutCode, TheQueueRuleJudgesPushedMetrics) {
  TempDir dir;
  DaemonProcess daemon(dir.path(),
                       queue_config("vllm:num_requests_waiting{model_name=~\"llama.*\"}"));
  ASSERT_TRUE(daemon.started());
  ASSERT_EQ(push_metrics(daemon.address(), "vllm", "serve-0",
                         "vllm:num_requests_waiting{model_name=\"llama-3\"} 25\n", "text/plain")
                .status,
            200);
  const json::value view = wait_for_view(daemon.address(), "vllm", [](const json::value& v) {
    return str(instance_of(v, "serve-0"), "status") == "unhealthy";
  });
  const json::value in = instance_of(view, "serve-0");
  ASSERT_EQ(str(in, "status"), "unhealthy") << view;
  EXPECT_EQ(str(in, "reason"),
            "metric_threshold: queue: vllm:num_requests_waiting{model_name=\"llama-3\"} is 25 > "
            "20")
      << view;
  EXPECT_EQ(in.at("evidence").at("limit"), 20) << view;

  ASSERT_EQ(push_metrics(daemon.address(), "vllm", "serve-0",
                         "vllm:num_requests_waiting{model_name=\"llama-3\"} 3\n", "text/plain")
                .status,
            200);
  const json::value ok = wait_for_view(daemon.address(), "vllm", [](const json::value& v) {
    return str(instance_of(v, "serve-0"), "status") == "ok";
  });
  EXPECT_EQ(str(instance_of(ok, "serve-0"), "status"), "ok") << ok;
}

TEST(ChecksWithoutCode, ABadSelectorIsAConfigErrorNamingTheRule) {
  TempDir dir;
  const auto file = dir.write("blockhealth.yaml", queue_config("q{model=}"));
  const CommandResult result = run_blockhealthd({"check-config", file.string()});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("rules[0] (queue): select 'q{model=}': expected a quoted value at "
                               "character 9"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("blockhealth.yaml:6:9"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace blockhealth::test
