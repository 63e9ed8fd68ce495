// Issue 12: instances from target lists, Prometheus-style. A targets file
// (replaced by rename as tools write it, then broken) and an http_sd
// endpoint (a real HTTP server) feed the real daemon; instances appear,
// vanish after their grace with a transition recorded, and a bad list keeps
// the last good one and says why in /v1/blocks/<id>.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_instance.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// Written beside and renamed over, as configuration tools do.
void write_targets(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

std::string targets_json(const std::vector<std::string>& targets) {
  std::string out = R"([{"labels":{"zone":"z1","__meta_pod":"p"},"targets":[)";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    out += (i == 0 ? "\"" : ",\"") + targets[i] + "\"";
  }
  return out + "]}]";
}

std::size_t instance_count(const json::value& view) {
  return view.is_object() ? view.at("instances").as_array().size() : 0;
}

bool all_ok(const json::value& view, std::size_t count) {
  if (instance_count(view) != count) return false;
  for (const json::value& in : view.at("instances").as_array()) {
    if (str(in, "status") != "ok" || str(in, "source") != "discovered") return false;
  }
  return true;
}

const json::value& first_source(const json::value& view) {
  return view.at("discovery").at(0);
}

class Discovery : public ::testing::Test {
 protected:
  Discovery() {
    for (FakeInstance* f : {&a_, &b_}) {
      f->set("/health", FakeResponse::answer(200, R"({"status":"ok"})"));
    }
  }
  std::string config(const std::string& source) const {
    return "defaults: {interval: 200ms, timeout: 150ms}\n"
           "blocks:\n"
           "  - id: b\n"
           "    discovery:\n"
           "      - " +
           source +
           "\n"
           "        grace: 1s\n"
           "        instance:\n"
           "          health_url: 'http://${target}/health'\n"
           "          metrics_url: ~\n";
  }
  TempDir dir_;
  FakeInstance a_;
  FakeInstance b_;
};

TEST_F(Discovery, ATargetsFileAddsInstancesAndDropsVanishedOnesAfterTheirGrace) {
  const auto targets = dir_.path() / "targets.json";
  write_targets(targets, targets_json({a_.address(), b_.address()}));
  DaemonProcess daemon(dir_.path(), config("file: " + targets.string()));
  ASSERT_TRUE(daemon.started());
  json::value view =
      wait_for_view(daemon.address(), "b", [](const json::value& v) { return all_ok(v, 2); });
  ASSERT_TRUE(all_ok(view, 2)) << view;
  EXPECT_EQ(first_source(view).at("ok"), true) << view;
  EXPECT_EQ(first_source(view).at("instances"), 2) << view;
  EXPECT_EQ(str(first_source(view), "source"), "file " + targets.string()) << view;

  // b's target goes: kept for its grace (1s), then dropped.
  write_targets(targets, targets_json({a_.address()}));
  view = wait_for_view(daemon.address(), "b",
                       [](const json::value& v) { return instance_count(v) == 1; });
  ASSERT_EQ(instance_count(view), 1U) << view;
  const std::string gone = std::string("127.0.0.1-") + std::to_string(b_.port());
  EXPECT_TRUE(instance_of(view, gone).is_null()) << view;
  const HttpReply events = http_get(daemon.address(), "/v1/events?after=0&block=b&wait=0s");
  ASSERT_EQ(events.status, 200) << events.body;
  bool recorded = false;
  const json::value page = events.json();
  for (const json::value& e : page.at("events").as_array()) {
    recorded = recorded || (str(e, "instance_id") == gone && str(e, "policy") == "discovery" &&
                            str(e, "to") == "unknown");
  }
  EXPECT_TRUE(recorded) << events.body;

  // A broken list keeps the last good one and says why.
  write_targets(targets, "[{\"targets\": [");
  view = wait_for_view(daemon.address(), "b", [](const json::value& v) {
    return v.is_object() && v.as_object().contains("discovery") &&
           first_source(v).at("ok") == false;
  });
  ASSERT_EQ(first_source(view).at("ok"), false) << view;
  EXPECT_NE(str(first_source(view), "error").find(targets.string() + ": not JSON"),
            std::string::npos)
      << view;
  EXPECT_EQ(instance_count(view), 1U) << view;
  EXPECT_TRUE(wait_until([&] {
    return daemon.log().find("keeping the last good list (1 instances)") != std::string::npos;
  })) << daemon.log();

  // Fixed: read again, and b comes back.
  write_targets(targets, targets_json({a_.address(), b_.address()}));
  view = wait_for_view(daemon.address(), "b", [](const json::value& v) { return all_ok(v, 2); });
  EXPECT_TRUE(all_ok(view, 2)) << view;
  EXPECT_EQ(first_source(view).at("ok"), true) << view;
}

TEST_F(Discovery, AnHttpSdEndpointFeedsInstancesAndAFailingOneKeepsThem) {
  FakeInstance sd;
  sd.set("/targets", FakeResponse::answer(200, targets_json({a_.address()})));
  DaemonProcess daemon(dir_.path(),
                       config("http: " + sd.url("/targets") + "\n        refresh: 1s"));
  ASSERT_TRUE(daemon.started());
  json::value view =
      wait_for_view(daemon.address(), "b", [](const json::value& v) { return all_ok(v, 1); });
  ASSERT_TRUE(all_ok(view, 1)) << view;

  sd.set("/targets", FakeResponse::answer(500, "down"));
  view = wait_for_view(daemon.address(), "b", [](const json::value& v) {
    return v.is_object() && first_source(v).at("ok") == false;
  });
  EXPECT_NE(str(first_source(view), "error").find("answered HTTP 500"), std::string::npos) << view;
  EXPECT_EQ(instance_count(view), 1U) << view;

  sd.set("/targets", FakeResponse::answer(200, targets_json({a_.address(), b_.address()})));
  view = wait_for_view(daemon.address(), "b", [](const json::value& v) { return all_ok(v, 2); });
  EXPECT_TRUE(all_ok(view, 2)) << view;
}

TEST_F(Discovery, AReloadKeepsDiscoveredInstancesAndTheirState) {
  const auto targets = dir_.path() / "targets.yaml";
  write_targets(targets, "- targets: ['" + a_.address() + "']\n");
  DaemonProcess daemon(dir_.path(), config("file: " + targets.string()));
  ASSERT_TRUE(daemon.started());
  json::value view =
      wait_for_view(daemon.address(), "b", [](const json::value& v) { return all_ok(v, 1); });
  ASSERT_TRUE(all_ok(view, 1)) << view;
  const std::string since = str(view.at("instances").at(0), "since");
  ASSERT_EQ(http_post(daemon.address(), "/v1/reload", "").status, 200);
  view = block_view(daemon.address(), "b");
  ASSERT_EQ(instance_count(view), 1U) << view;
  EXPECT_EQ(str(view.at("instances").at(0), "since"), since) << view;
}

}  // namespace
}  // namespace blockhealth::test
