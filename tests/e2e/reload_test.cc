// Reloading the configuration (POST /v1/reload, SIGHUP, mgmt "reload"): a
// good file adds blocks and keeps the state of what stays; a bad one is
// refused with file:line:col and changes nothing.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <regex>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

std::string config(bool with_second_block) {
  std::string out = on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: first
    instances:
      - id: configured
    policies:
      - use: test_echo
)";
  if (with_second_block) {
    out += R"(
  - id: second
    policies:
      - use: test_echo
)";
  }
  return out;
}

// Line 15 misspells "interval": an unknown key with a position.
std::string bad_config() {
  return on_request_yaml({"test_echo"}) + R"(
blocks:
  - id: first
    instances:
      - id: configured
    intervl: 5s
    policies:
      - use: test_echo
  - id: second
    policies:
      - use: test_echo
)";
}

// "<config path>:<line>:<col>: " somewhere in `text`.
bool has_position(const std::string& text, const std::string& path) {
  return text.find(path + ":15:5: unknown key 'intervl'") != std::string::npos;
}

class Reload : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config(false));
    ASSERT_TRUE(daemon_->started());
    ASSERT_EQ(mgmt(address(), "first", "pause").status, 200);
    // Some state worth keeping: a pushed instance, judged unhealthy, with
    // a transition in the history.
    ASSERT_EQ(register_instance(address(), "first", "pushed").status, 200);
    ASSERT_EQ(push_status(address(), "first", "pushed", 2).status, 200);
    ASSERT_EQ(push_status(address(), "first", "configured", 1).status, 200);
    evaluate_and_wait(address(), "first", [](const json::value& v) {
      return str(instance_of(v, "pushed"), "status") == "unhealthy" &&
             str(instance_of(v, "configured"), "status") == "degraded";
    });
    history_before_ = http_get(address(), "/v1/blocks/first/history").json();
    ASSERT_EQ(history_before_.at("transitions").as_array().size(), 2u) << history_before_;
  }
  const std::string& address() const { return daemon_->address(); }

  // The first block kept its instances, their verdicts and history, and
  // is still evaluated.
  void expect_first_block_kept_its_state() {
    const json::value view = block_view(address(), "first");
    ASSERT_TRUE(view.is_object());
    EXPECT_TRUE(view.at("paused").as_bool()) << view;
    EXPECT_EQ(str(instance_of(view, "pushed"), "status"), "unhealthy") << view;
    EXPECT_EQ(str(instance_of(view, "pushed"), "source"), "pushed") << view;
    EXPECT_EQ(str(instance_of(view, "configured"), "status"), "degraded") << view;
    EXPECT_EQ(http_get(address(), "/v1/blocks/first/history").json(), history_before_);
    ASSERT_EQ(push_status(address(), "first", "pushed", 0).status, 200);
    evaluate_and_wait(address(), "first", [](const json::value& v) {
      return str(instance_of(v, "pushed"), "status") == "ok";
    });
  }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  json::value history_before_;
};

TEST_F(Reload, PostReloadWithAGoodConfigAddsABlockAndKeepsState) {
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 404);
  daemon_->write_config(config(true));
  const HttpReply reply = http_post(address(), "/v1/reload", "");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const json::value body = reply.json();
  EXPECT_TRUE(body.at("success").as_bool());
  EXPECT_EQ(body.at("blocks").to_number<int>(), 2);
  EXPECT_EQ(body.at("policies").to_number<int>(), 2);
  EXPECT_EQ(str(body, "config"), daemon_->config_path().string());
  EXPECT_TRUE(body.at("refused_plugins").as_array().empty()) << body;
  EXPECT_TRUE(body.at("restart_needed").as_array().empty()) << body;
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 200);
  const json::value list = http_get(address(), "/v1/blocks").json();
  ASSERT_EQ(list.at("blocks").as_array().size(), 2u) << list;
  expect_first_block_kept_its_state();
}

TEST_F(Reload, SighupWithAGoodConfigAddsABlockAndKeepsState) {
  daemon_->write_config(config(true));
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return http_get(address(), "/v1/blocks/second").status == 200; }))
      << daemon_->log();
  expect_first_block_kept_its_state();
  const std::string metrics = http_get(address(), "/metrics").body;
  EXPECT_NE(metrics.find(R"(blockhealth_reloads_total{result="applied"} 2)"), std::string::npos)
      << metrics;
}

TEST_F(Reload, MgmtReloadActionReloads) {
  daemon_->write_config(config(true));
  const HttpReply reply = mgmt(address(), "first", "reload");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("result").at("blocks").to_number<int>(), 2) << reply.body;
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 200);
}

TEST_F(Reload, ABadConfigIs422WithItsPositionAndChangesNothing) {
  daemon_->write_config(bad_config());
  const HttpReply reply = http_post(address(), "/v1/reload", "");
  EXPECT_EQ(reply.status, 422) << reply.body;
  const std::string message = str(reply.json(), "message");
  EXPECT_EQ(message.rfind("reload rejected, the running configuration is unchanged:\n", 0), 0u)
      << message;
  EXPECT_TRUE(has_position(message, daemon_->config_path().string())) << message;
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 404);
  expect_first_block_kept_its_state();
}

TEST_F(Reload, SighupWithABadConfigIsLoggedAndChangesNothing) {
  daemon_->write_config(bad_config());
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] {
    return http_get(address(), "/metrics")
               .body.find(R"(blockhealth_reloads_total{result="rejected"} 1)") != std::string::npos;
  })) << http_get(address(), "/metrics").body;
  const std::string log = daemon_->log();
  EXPECT_NE(log.find("rejected; keeping the running configuration"), std::string::npos) << log;
  EXPECT_TRUE(has_position(log, daemon_->config_path().string())) << log;
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 404);
  expect_first_block_kept_its_state();
}

TEST_F(Reload, ReloadRemovingABlockDropsIt) {
  daemon_->write_config(config(true));
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200);
  ASSERT_EQ(http_get(address(), "/v1/blocks/second").status, 200);
  daemon_->write_config(config(false));
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200);
  EXPECT_EQ(http_get(address(), "/v1/blocks/second").status, 404);
  EXPECT_EQ(http_get(address(), "/block/health/second").status, 404);
  expect_first_block_kept_its_state();
}

// The first block's config with test_echo's parameters `with` and a
// `server:` section `server`.
std::string config_variant(const std::string& with, const std::string& server) {
  return test_plugin_dirs_yaml({"test_echo"}) + server + R"(
defaults:
  interval: 1h
  timeout: 2s
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
blocks:
  - id: first
    instances:
      - id: configured
    policies:
      - use: test_echo
        with: )" +
         with + "\n";
}

int evaluations(const std::string& address) {
  const HttpReply reply =
      mgmt(address, "first", "count", json::parse(R"({"policy": "test_echo"})"));
  EXPECT_EQ(reply.status, 200) << reply.body;
  return reply.json().at("result").at("evaluations").to_number<int>();
}

TEST_F(Reload, AnUnchangedPolicyKeepsItsInstanceAndAChangedOneGetsANewOne) {
  // SetUp evaluated once, judging two instances.
  ASSERT_EQ(evaluations(address()), 2);
  daemon_->write_config(config_variant("{}", ""));
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200);
  EXPECT_EQ(evaluations(address()), 2);

  daemon_->write_config(config_variant("{ prefix: 'v2 ' }", ""));
  ASSERT_EQ(http_post(address(), "/v1/reload", "").status, 200);
  EXPECT_EQ(evaluations(address()), 0);
  // The new instance's verdicts carry its new parameters; the instance's
  // state (the tracker) went on.
  const json::value view = evaluate_and_wait(address(), "first", [](const json::value& v) {
    return str(instance_of(v, "pushed"), "reason") == "test_echo: v2 test_status=2";
  });
  EXPECT_EQ(str(instance_of(view, "pushed"), "status"), "unhealthy");
  EXPECT_EQ(http_get(address(), "/v1/blocks/first/history").json(), history_before_);
}

TEST_F(Reload, ServerChangesAreListedAsNeedingARestart) {
  daemon_->write_config(config_variant("{}", "server:\n  body_limit: 1KiB\n"));
  const HttpReply reply = http_post(address(), "/v1/reload", "");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json().at("restart_needed"), json::parse(R"(["server"])")) << reply.body;
  // The running server keeps its limits until a restart.
  const std::string big = R"({"test_status": 2, "padding_metric": 1})" + std::string(2048, ' ');
  EXPECT_EQ(push_metrics(address(), "first", "pushed", big).status, 200);
  EXPECT_NE(daemon_->log().find("take effect at restart"), std::string::npos) << daemon_->log();
}

TEST_F(Reload, APolicyParameterErrorIs422PointingIntoWith) {
  daemon_->write_config(config_variant("{ prefix: 7 }", ""));
  const HttpReply reply = http_post(address(), "/v1/reload", "");
  EXPECT_EQ(reply.status, 422) << reply.body;
  const std::string message = str(reply.json(), "message");
  EXPECT_NE(message.find(daemon_->config_path().string() + ":16:"), std::string::npos) << message;
  EXPECT_NE(message.find("prefix"), std::string::npos) << message;
  EXPECT_EQ(evaluations(address()), 2);  // the running instance stays
}

}  // namespace
}  // namespace blockhealth::test
