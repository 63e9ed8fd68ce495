// Offline tests of queue_depth.so: load the built policy with the SDK's
// harness and feed it recorded observations. No daemon needed.
#include <blockhealth/testing.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

// Plain checks keep the example free of test frameworks; GoogleTest works
// the same way (link GTest::gtest_main through blockhealth_add_policy_test's LIBS).
#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                 \
    }                                                                               \
  } while (0)

namespace {

using bh::Status;
namespace bt = bh::testing;

bt::Observations queue(double replica0, double replica1) {
  return bt::observations_from_prometheus(
      "executor", "queue_length{replica=\"0\"} " + bh::number_to_string(replica0) + "\n" +
                      "queue_length{replica=\"1\"} " + bh::number_to_string(replica1) + "\n");
}

void judges_the_longest_queue(const bt::Plugin& plugin) {
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})");
  CHECK(policy.evaluate_one(queue(0, 3)).status == Status::kOk);

  const bh::Verdict warn = policy.evaluate_one(queue(2, 12));
  CHECK(warn.status == Status::kWarn);
  CHECK(warn.reason == "queue_length{replica=\"1\"} is 12 >= 10");
  CHECK(warn.evidence && warn.evidence->observed == 12 && warn.evidence->limit == 10);

  CHECK(policy.evaluate_one(queue(50, 1)).status == Status::kCritical);
}

void reads_a_recorded_scrape(const bt::Plugin& plugin) {
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})");
  const std::string scrape = bt::read_file(EXAMPLE_TESTDATA_DIR "/busy.prom");
  const bh::Verdict v = policy.evaluate_one(bt::observations_from_prometheus("in-vkkv", scrape));
  CHECK(v.status == Status::kCritical);
  CHECK(v.evidence->metric == "queue_length{replica=\"1\",model=\"gemma3-27b\"}");
}

void missing_metric_is_unknown(const bt::Plugin& plugin) {
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50, "metric": "waiting"})");
  const bh::Verdict v = policy.evaluate_one(queue(100, 100));
  CHECK(v.status == Status::kUnknown);
  CHECK(v.reason == "no waiting samples");
}

void judges_each_instance_of_a_batch(const bt::Plugin& plugin) {
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})");
  const bt::BatchResult r = policy.evaluate({queue(1, 1), queue(20, 1), queue(1, 99)});
  CHECK(r.ok);
  CHECK(r.verdicts.size() == 3);
  CHECK(r.verdicts[0].status == Status::kOk);
  CHECK(r.verdicts[1].status == Status::kWarn);
  CHECK(r.verdicts[2].status == Status::kCritical);
}

void stops_at_the_deadline(const bt::Plugin& plugin) {
  bt::Options options;
  options.stop_after_polls = 1;  // the deadline passes after the first instance
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})", options);
  const bt::BatchResult r = policy.evaluate({queue(1, 1), queue(99, 99)});
  CHECK(r.verdicts[0].status == Status::kOk);
  CHECK(r.verdicts[1].status == Status::kUnknown);
  CHECK(r.verdicts[1].reason == "not evaluated");
}

void refuses_inverted_thresholds(const bt::Plugin& plugin) {
  const std::string error = bt::create_error(plugin, R"({"warn": 60, "critical": 50})");
  CHECK(error.find("need 0 <= warn <= critical, got warn 60 and critical 50") != std::string::npos);
  CHECK(bt::create_error(plugin, R"({"warn": 1, "critical": 2})").empty());
}

void thresholds_change_at_run_time(const bt::Plugin& plugin) {
  bt::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})");
  CHECK(policy.manage("get_thresholds") == R"({"critical":50,"metric":"queue_length","warn":10})");
  policy.manage("set_thresholds", R"({"warn": 100, "critical": 200})");
  CHECK(policy.evaluate_one(queue(60, 0)).status == Status::kOk);

  bool refused = false;
  try {
    policy.manage("reboot");
  } catch (const bh::Error& e) {
    refused = std::string(e.what()).find("unknown action 'reboot'") != std::string::npos;
  }
  CHECK(refused);
}

}  // namespace

int main() try {
  const bt::Plugin plugin = bt::Plugin::load(BH_POLICY_FILE_queue_depth);
  CHECK(plugin.name() == "queue_depth");
  CHECK(plugin.has_manage());
  judges_the_longest_queue(plugin);
  reads_a_recorded_scrape(plugin);
  missing_metric_is_unknown(plugin);
  judges_each_instance_of_a_batch(plugin);
  stops_at_the_deadline(plugin);
  refuses_inverted_thresholds(plugin);
  thresholds_change_at_run_time(plugin);
  std::puts("queue_depth: all checks passed");
  return 0;
} catch (const std::exception& e) {  // e.g. bh::Error from the harness
  std::fprintf(stderr, "FAILED: %s\n", e.what());
  return 1;
}
