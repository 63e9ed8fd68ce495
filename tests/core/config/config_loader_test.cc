// Loading whole config files: a complete valid one with every field, the
// built-in defaults, path resolution, and files that cannot be loaded.
#include "core/config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "tests/core/config/config_test_util.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
namespace fs = std::filesystem;

constexpr milliseconds kSecond{1000};
constexpr milliseconds kMinute{60'000};

// Every key of the schema, most of them away from their defaults.
constexpr const char* kFullConfig = R"(server:
  listen: "[::1]:8080"
  auth_token_file: secrets/token
  body_limit: 2MiB
  request_timeout: 15s
  threads: 4
state_dir: var/state
history_retention: 3d
plugins:
  dirs: [./plugins, /opt/blockhealth/plugins, ../shared/plugins]
defaults:
  interval: 10s
  timeout: 3s
  unhealthy_after: 4
  healthy_after: 3
  degraded_after: 2
  stale_after: 1m
  scrape_body_limit: 5MB
  repeat_after: 30m
  history_size: 50
  log_lines: 500
blocks:
  - id: gemma3-27b-block
    interval: 5s
    history_size: 20
    min_healthy: 50%
    flapping: { window: 11, start_percent: 60, stop_percent: 30 }
    instances:
      - id: executor
        health_url: http://10.0.0.5:18001/health
        labels: { zone: a, gpu: h100 }
      - id: in-vkkv
        metrics_url: http://10.0.0.6:9400/metrics
        log_file: logs/model.log
    policies:
      - use: gpu_temperature
        id: gpu-temp
        with: { warn_celsius: 83, critical_celsius: 88 }
        interval: 20s
        timeout: 1s
        unhealthy_after: 2
        isolation: process
      - use: log_pattern
        with:
          critical: ["CUDA error", "out of memory"]
          window: 60s
    on_transition:
      - webhook: http://hooks.example/alerts
        to: [unhealthy, unknown]
        headers: { X-Team: gpu }
        token_file: hook-token
        timeout: 3s
      - failure_policy: http://failure-policy:8080/
        failure_policy_id: restart-instance
        parameters: { max_restarts: 3 }
        to: [unhealthy]
  - id: push-only
    min_healthy: 1
    policies:
      - use: last_request_age
        with: { max_age: 120s }
)";

TEST(LoadConfigString, ConnectionCapsAreRead) {
  const auto config = load_config_string(
      "server:\n  max_connections: 5000\n  max_watches: 64\nblocks: []\n", "caps.yaml");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->server.max_connections, 5000U);
  EXPECT_EQ(config->server.max_watches, 64U);
}

TEST(LoadConfig, LoadsEveryFieldOfAFullConfig) {
  const test::TempDir dir;
  const fs::path file = dir.write("etc/blockhealth.yaml", kFullConfig);
  const fs::path etc = dir.path() / "etc";
  std::vector<ConfigProblem> problems{ConfigProblem{}};
  const auto config = load_config_file(file, &problems);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(problems.empty());

  EXPECT_EQ(config->source, file.string());
  EXPECT_EQ(config->base_dir, etc);
  EXPECT_EQ(config->server.listen.host, "::1");
  EXPECT_EQ(config->server.listen.port, 8080);
  EXPECT_EQ(config->server.auth_token_file, etc / "secrets/token");
  EXPECT_EQ(config->server.body_limit, 2u << 20);
  EXPECT_EQ(config->server.request_timeout, 15 * kSecond);
  EXPECT_EQ(config->server.threads, 4);
  EXPECT_EQ(config->state_dir, etc / "var/state");
  EXPECT_EQ(config->history_retention, 3 * 24 * 60 * kMinute);
  EXPECT_THAT(config->plugin_dirs,
              ElementsAre(etc / "plugins", fs::path("/opt/blockhealth/plugins"),
                          dir.path() / "shared/plugins"));

  const BlockSettings& d = config->defaults;
  EXPECT_EQ(d.interval, 10 * kSecond);
  EXPECT_EQ(d.timeout, 3 * kSecond);
  EXPECT_EQ(d.thresholds, (Thresholds{4, 3, 2}));
  EXPECT_EQ(d.stale_after, kMinute);
  EXPECT_EQ(d.scrape_body_limit, 5'000'000u);
  EXPECT_EQ(d.repeat_after, 30 * kMinute);
  EXPECT_EQ(d.history_size, 50);
  EXPECT_EQ(d.log_lines, 500);

  ASSERT_EQ(config->blocks.size(), 2u);
  const BlockConfig& b = config->blocks[0];
  EXPECT_EQ(b.id, "gemma3-27b-block");
  EXPECT_EQ(b.mark, (SourceMark{23, 5}));
  // The block's own values, and the rest inherited from defaults.
  BlockSettings expected = d;
  expected.interval = 5 * kSecond;
  expected.history_size = 20;
  EXPECT_EQ(b.settings, expected);
  ASSERT_TRUE(b.min_healthy.has_value());
  EXPECT_EQ(b.min_healthy->kind, MinHealthy::Kind::kPercent);
  EXPECT_EQ(b.min_healthy->value, 50);
  EXPECT_EQ(b.required_healthy(3), 2);  // 50% of 3, rounded up
  EXPECT_EQ(b.flapping, (FlappingConfig{11, 60, 30}));

  ASSERT_EQ(b.instances.size(), 2u);
  const InstanceConfig& executor = b.instances[0];
  EXPECT_EQ(executor.id, "executor");
  EXPECT_EQ(executor.mark, (SourceMark{29, 9}));
  ASSERT_TRUE(executor.health_url.has_value());
  EXPECT_EQ(executor.health_url->text, "http://10.0.0.5:18001/health");
  EXPECT_EQ(executor.health_url->host, "10.0.0.5");
  EXPECT_EQ(executor.health_url->port, 18001);
  EXPECT_EQ(executor.health_url->target, "/health");
  EXPECT_FALSE(executor.metrics_url.has_value());
  EXPECT_FALSE(executor.log_file.has_value());
  EXPECT_EQ(executor.labels, (std::map<std::string, std::string>{{"gpu", "h100"}, {"zone", "a"}}));
  const InstanceConfig& kv = b.instances[1];
  EXPECT_EQ(kv.id, "in-vkkv");
  EXPECT_FALSE(kv.health_url.has_value());
  ASSERT_TRUE(kv.metrics_url.has_value());
  EXPECT_EQ(kv.metrics_url->target, "/metrics");
  EXPECT_EQ(kv.log_file, etc / "logs/model.log");
  EXPECT_TRUE(kv.labels.empty());
  EXPECT_EQ(b.find_instance("in-vkkv"), &kv);
  EXPECT_EQ(b.find_instance("nope"), nullptr);

  ASSERT_EQ(b.policies.size(), 2u);
  const PolicyConfig& temp = b.policies[0];
  EXPECT_EQ(temp.use, "gpu_temperature");
  EXPECT_EQ(temp.id, "gpu-temp");
  EXPECT_EQ(temp.mark, (SourceMark{36, 9}));
  ASSERT_TRUE(temp.with.IsMap());
  EXPECT_EQ(temp.with["warn_celsius"].as<int>(), 83);
  EXPECT_EQ(temp.with["critical_celsius"].Mark().line, 37);  // 0-based: line 38
  EXPECT_EQ(temp.with_mark, (SourceMark{38, 15}));
  EXPECT_EQ(temp.interval, 20 * kSecond);
  EXPECT_EQ(temp.timeout, kSecond);
  EXPECT_EQ(temp.thresholds, (Thresholds{2, 3, 2}));  // own, then defaults
  EXPECT_EQ(temp.isolation, Isolation::kProcess);
  const PolicyConfig& logs = b.policies[1];
  EXPECT_EQ(logs.id, "log_pattern");      // id defaults to use
  EXPECT_EQ(logs.interval, 5 * kSecond);  // the block's
  EXPECT_EQ(logs.timeout, 3 * kSecond);   // from defaults through the block
  EXPECT_EQ(logs.thresholds, (Thresholds{4, 3, 2}));
  EXPECT_EQ(logs.isolation, Isolation::kInProcess);
  ASSERT_TRUE(logs.with["critical"].IsSequence());
  EXPECT_EQ(logs.with["critical"][1].as<std::string>(), "out of memory");
  EXPECT_EQ(logs.with_mark, (SourceMark{45, 11}));
  EXPECT_EQ(b.find_policy("log_pattern"), &logs);

  ASSERT_EQ(b.on_transition.size(), 2u);
  const ActionConfig& hook = b.on_transition[0];
  EXPECT_EQ(hook.kind, ActionKind::kWebhook);
  EXPECT_EQ(hook.url.text, "http://hooks.example/alerts");
  EXPECT_EQ(hook.url.target, "/alerts");
  EXPECT_THAT(hook.to, ElementsAre(Status::kUnhealthy, Status::kUnknown));
  EXPECT_TRUE(hook.triggers_on(Status::kUnknown));
  EXPECT_FALSE(hook.triggers_on(Status::kOk));
  EXPECT_EQ(hook.headers, (std::map<std::string, std::string>{{"X-Team", "gpu"}}));
  EXPECT_EQ(hook.token_file, etc / "hook-token");
  EXPECT_EQ(hook.timeout, 3 * kSecond);
  EXPECT_EQ(hook.mark, (SourceMark{48, 9}));
  const ActionConfig& fp = b.on_transition[1];
  EXPECT_EQ(fp.kind, ActionKind::kFailurePolicy);
  EXPECT_EQ(fp.url.text, "http://failure-policy:8080/executeFailurePolicy");
  EXPECT_EQ(fp.url.host, "failure-policy");
  EXPECT_EQ(fp.url.port, 8080);
  EXPECT_EQ(fp.url.target, "/executeFailurePolicy");
  EXPECT_EQ(fp.failure_policy_id, "restart-instance");
  EXPECT_EQ(fp.parameters["max_restarts"].as<int>(), 3);
  EXPECT_THAT(fp.to, ElementsAre(Status::kUnhealthy));
  EXPECT_TRUE(fp.headers.empty());
  EXPECT_FALSE(fp.token_file.has_value());
  EXPECT_EQ(fp.timeout, 5 * kSecond);  // built-in default

  const BlockConfig& push = config->blocks[1];
  EXPECT_EQ(push.id, "push-only");
  EXPECT_EQ(push.settings, d);  // all inherited
  EXPECT_EQ(push.min_healthy, (MinHealthy{MinHealthy::Kind::kCount, 1}));
  EXPECT_EQ(push.required_healthy(5), 1);
  EXPECT_FALSE(push.flapping.has_value());
  EXPECT_TRUE(push.instances.empty());
  ASSERT_EQ(push.policies.size(), 1u);
  EXPECT_EQ(push.policies[0].interval, 10 * kSecond);  // defaults through the block
  EXPECT_EQ(push.policies[0].thresholds, (Thresholds{4, 3, 2}));
  EXPECT_TRUE(push.on_transition.empty());
  EXPECT_EQ(config->find_block("push-only"), &push);
  EXPECT_EQ(config->find_block("nope"), nullptr);
}

TEST(LoadConfig, AnEmptyMapGivesTheBuiltInDefaults) {
  ::unsetenv("STATE_DIRECTORY");
  const auto config = load_config_string("{}\n", "/etc/blockhealth/blockhealth.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->server.listen.to_string(), "127.0.0.1:30201");
  EXPECT_FALSE(config->server.auth_token_file.has_value());
  EXPECT_EQ(config->server.body_limit, 1u << 20);
  EXPECT_EQ(config->server.request_timeout, 10 * kSecond);
  EXPECT_EQ(config->server.threads, 2);
  EXPECT_EQ(config->server.max_connections, 1024U);
  EXPECT_EQ(config->server.max_watches, 512U);
  EXPECT_EQ(config->state_dir, fs::path("/etc/blockhealth/state"));
  EXPECT_EQ(config->history_retention, 7 * 24 * 60 * kMinute);
  EXPECT_TRUE(config->plugin_dirs.empty());
  EXPECT_EQ(config->defaults.interval, 5 * kSecond);
  EXPECT_EQ(config->defaults.timeout, 2 * kSecond);
  EXPECT_EQ(config->defaults.thresholds, (Thresholds{3, 2, 1}));
  EXPECT_EQ(config->defaults.stale_after, 30 * kSecond);
  EXPECT_EQ(config->defaults.scrape_body_limit, 10u << 20);
  EXPECT_EQ(config->defaults.repeat_after, milliseconds{0});
  EXPECT_EQ(config->defaults.history_size, 100);
  EXPECT_EQ(config->defaults.log_lines, 1000);
  EXPECT_TRUE(config->blocks.empty());
}

TEST(LoadConfig, EmptySectionsAndListsAreAllowed) {
  const auto config = load_config_string("server:\ndefaults:\nplugins:\nblocks: []\n", "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(config->blocks.empty());
}

TEST(LoadConfig, StateDirDefaultsToStateDirectoryFromSystemd) {
  ::setenv("STATE_DIRECTORY", "/var/lib/blockhealth:/var/lib/other", 1);
  const auto config = load_config_string("{}\n", "/etc/blockhealth/blockhealth.yaml");
  ::unsetenv("STATE_DIRECTORY");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->state_dir, fs::path("/var/lib/blockhealth"));
}

TEST(LoadConfig, AStringLabelWithoutAFolderResolvesAgainstTheCurrentDirectory) {
  const auto config = load_config_string("state_dir: data\n", "<reload>");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->source, "<reload>");
  EXPECT_EQ(config->state_dir, fs::current_path() / "data");
}

TEST(LoadConfig, PoliciesMayBeEmptyWhenEveryInstanceHasAHealthUrl) {
  const auto config = load_config_string(R"(blocks:
  - id: probe-only
    instances:
      - { id: a, health_url: "http://a:1/health" }
      - { id: b, health_url: "http://b:1/health" }
)",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->blocks[0].instances.size(), 2u);
  EXPECT_TRUE(config->blocks[0].policies.empty());
}

TEST(LoadConfig, ToAcceptsOneStatusWithoutAList) {
  const auto config = load_config_string(std::string(test::kValidBlock) +
                                             "    on_transition:\n"
                                             "      - { webhook: \"http://h/\", to: unhealthy }\n",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_THAT(config->blocks[0].on_transition[0].to, ElementsAre(Status::kUnhealthy));
}

TEST(LoadConfig, AnActionWithoutToTriggersOnEveryStatus) {
  const auto config = load_config_string(std::string(test::kValidBlock) +
                                             "    on_transition:\n"
                                             "      - webhook: http://h:9/a?b=c\n",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const ActionConfig& a = config->blocks[0].on_transition[0];
  EXPECT_THAT(a.to,
              ElementsAre(Status::kOk, Status::kDegraded, Status::kUnhealthy, Status::kUnknown));
  EXPECT_EQ(a.url.target, "/a?b=c");
}

TEST(LoadConfig, FailurePolicyEndpointIsAddedUnderTheBasePath) {
  const auto config = load_config_string(std::string(test::kValidBlock) +
                                             "    on_transition:\n"
                                             "      - failure_policy: http://fp:8080/api/v1\n"
                                             "        failure_policy_id: restart\n",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const ActionConfig& a = config->blocks[0].on_transition[0];
  EXPECT_EQ(a.url.text, "http://fp:8080/api/v1/executeFailurePolicy");
  EXPECT_EQ(a.url.target, "/api/v1/executeFailurePolicy");
  EXPECT_TRUE(a.parameters.IsNull());
}

TEST(LoadConfig, AlertmanagerActionPostsUnderTheBaseUrlAndFiresOnTheBadStatuses) {
  const auto config = load_config_string(std::string(test::kValidBlock) +
                                             "    on_transition:\n"
                                             "      - alertmanager: http://am:9093/\n"
                                             "      - alertmanager: http://am2:9093/prefix\n"
                                             "        to: [unhealthy]\n"
                                             "        labels: { severity: page, team: gpu }\n"
                                             "        resend_every: 30s\n"
                                             "        headers: { X-Scope-OrgID: gpu }\n"
                                             "        timeout: 2s\n"
                                             "        max_attempts: 3\n",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const ActionConfig& a = config->blocks[0].on_transition[0];
  EXPECT_EQ(a.kind, ActionKind::kAlertmanager);
  EXPECT_EQ(a.url.text, "http://am:9093/api/v2/alerts");
  EXPECT_EQ(a.url.target, "/api/v2/alerts");
  EXPECT_EQ(a.url.host, "am");
  EXPECT_EQ(a.url.port, 9093);
  EXPECT_THAT(a.to, ElementsAre(Status::kDegraded, Status::kUnhealthy, Status::kUnknown));
  EXPECT_TRUE(a.labels.empty());
  EXPECT_EQ(a.resend_every, std::chrono::minutes(1));
  const ActionConfig& b = config->blocks[0].on_transition[1];
  EXPECT_EQ(b.url.text, "http://am2:9093/prefix/api/v2/alerts");
  EXPECT_EQ(b.url.target, "/prefix/api/v2/alerts");
  EXPECT_THAT(b.to, ElementsAre(Status::kUnhealthy));
  EXPECT_EQ(b.labels, (std::map<std::string, std::string>{{"severity", "page"}, {"team", "gpu"}}));
  EXPECT_EQ(b.resend_every, std::chrono::seconds(30));
  EXPECT_EQ(b.headers.at("X-Scope-OrgID"), "gpu");
  EXPECT_EQ(b.timeout, std::chrono::seconds(2));
  EXPECT_EQ(b.max_attempts, 3);
}

TEST(LoadConfig, MinHealthyPercentRoundsUp) {
  const MinHealthy third{MinHealthy::Kind::kPercent, 34};
  EXPECT_EQ(third.required(3), 2);
  EXPECT_EQ(third.required(0), 0);
  EXPECT_EQ((MinHealthy{MinHealthy::Kind::kPercent, 100}).required(7), 7);
  EXPECT_EQ((MinHealthy{MinHealthy::Kind::kCount, 5}).required(2), 5);
  BlockConfig all;
  EXPECT_EQ(all.required_healthy(4), 4);
}

TEST(LoadConfig, WithKeepsItsMarksForLaterSchemaErrors) {
  const auto config = load_config_string(R"(blocks:
  - id: b
    policies:
      - use: p
        with:
          limit: 3
      - use: q
)",
                                         "x.yaml");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  const PolicyConfig& p = config->blocks[0].policies[0];
  EXPECT_EQ(p.with_mark, (SourceMark{6, 11}));
  EXPECT_EQ(p.with["limit"].Mark().line + 1, 6);
  EXPECT_EQ(p.with["limit"].Mark().column + 1, 18);
  const PolicyConfig& q = config->blocks[0].policies[1];
  EXPECT_TRUE(q.with.IsNull());
  EXPECT_EQ(q.with_mark, (SourceMark{7, 9}));
}

// Files that cannot be loaded at all.

TEST(LoadConfigFile, AMissingFileIsAnError) {
  const test::TempDir dir;
  const fs::path file = dir.path() / "nope.yaml";
  std::vector<ConfigProblem> problems;
  const auto config = load_config_file(file, &problems);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            file.string() + ":1:1: cannot open the config file: No such file or directory");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], (ConfigProblem{file.string(), 1, 1,
                                        "cannot open the config file: No such file or directory"}));
}

TEST(LoadConfigFile, AFolderIsAnError) {
  const test::TempDir dir;
  const auto config = load_config_file(dir.path());
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            dir.path().string() + ":1:1: cannot read the config file: it is a folder");
}

TEST(LoadConfigFile, AnUnreadableFileIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  const test::TempDir dir;
  const fs::path file = dir.write("secret.yaml", "{}\n");
  ASSERT_EQ(::chmod(file.c_str(), 0), 0);
  const auto config = load_config_file(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            file.string() + ":1:1: cannot open the config file: Permission denied");
}

TEST(LoadConfigFile, AReadErrorIsAnError) {
  // Opens fine, even as root, but reading at offset 0 fails.
  const auto config = load_config_file("/proc/self/mem");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            "/proc/self/mem:1:1: cannot read the config file: Input/output error");
}

TEST(LoadConfigFile, AnEmptyFileIsAnError) {
  const test::TempDir dir;
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n", "~\n"}) {
    const fs::path file = dir.write("empty.yaml", text);
    const auto config = load_config_file(file);
    ASSERT_FALSE(config.has_value()) << text;
    EXPECT_EQ(config.error().message,
              file.string() +
                  ":1:1: the config file is empty; expected a map of settings such as "
                  "'blocks:' (see docs/configuration.md)")
        << text;
  }
}

TEST(LoadConfigFile, AFileThatIsNotAMapIsAnError) {
  EXPECT_THAT(test::config_problems("- id: b\n- id: c\n"),
              ElementsAre("test.yaml:1:1: the config must be a map of settings (server, defaults, "
                          "blocks...), got a list"));
  EXPECT_THAT(test::config_problems("\n  just text\n"),
              ElementsAre("test.yaml:2:3: the config must be a map of settings (server, defaults, "
                          "blocks...), got 'just text'"));
}

TEST(LoadConfigFile, ASecondDocumentIsAnError) {
  EXPECT_THAT(test::config_problems("blocks: []\n---\nblocks: []\n"),
              ElementsAre("test.yaml:3:1: only one YAML document is allowed; a second one starts "
                          "here"));
}

TEST(LoadConfigFile, YamlSyntaxErrorsGiveYamlCppsPosition) {
  EXPECT_THAT(test::config_problems("blocks:\n  - id: [b,\n    policies: []\n"),
              ElementsAre("test.yaml:4:1: YAML syntax error: end of sequence flow not found"));
  EXPECT_THAT(test::config_problems("server:\n  listen: a\n   threads: 2\n"),
              ElementsAre("test.yaml:3:11: YAML syntax error: illegal map value"));
  EXPECT_THAT(test::config_problems("blocks: *nowhere\n"),
              ElementsAre("test.yaml:1:9: YAML syntax error: the referenced anchor is not "
                          "defined"));
}

TEST(LoadConfigFile, ProblemsInAFileNameTheFileAsGiven) {
  const test::TempDir dir;
  const fs::path file = dir.write("bad.yaml", "server:\n  threads: 0\n");
  const auto config = load_config_file(file);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message,
            file.string() + ":2:12: server: threads: must be from 1 to 64, got 0");
}

}  // namespace
}  // namespace blockhealth
