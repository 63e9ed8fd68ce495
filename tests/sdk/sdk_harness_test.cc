// Tests of the offline harness (blockhealth/testing.hpp) and, through it, of
// the tables policy.hpp generates: real .so files built by this folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <blockhealth/testing.hpp>
#include <string>
#include <vector>

#include "tests/support/test_paths.h"

namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace bt = bh::testing;

std::string error_of(const auto& body) {
  try {
    body();
  } catch (const bh::Error& e) {
    return e.what();
  }
  return "(no error)";
}

bt::Observations with(const std::string& id, const std::string& prometheus_text) {
  return bt::observations_from_prometheus(id, prometheus_text);
}

TEST(SdkHarnessPlugin, LoadsWhatTheSdkGenerates) {
  const bt::Plugin simple = bt::Plugin::load(SDK_SIMPLE_POLICY);
  EXPECT_EQ(simple.name(), "sdk_simple");
  EXPECT_EQ(simple.version(), "2.0.0");
  EXPECT_FALSE(simple.has_manage());
  EXPECT_FALSE(simple.reentrant());
  EXPECT_THAT(simple.params_schema(), HasSubstr("\"required\""));
  EXPECT_EQ(simple.table().abi_major, BH_ABI_MAJOR);
  EXPECT_EQ(simple.table().struct_size, sizeof(bh_policy_v1));

  const bt::Plugin batch = bt::Plugin::load(SDK_BATCH_POLICY);
  EXPECT_TRUE(batch.has_manage());
  EXPECT_TRUE(batch.reentrant());  // kReentrant = true
  EXPECT_EQ(batch.params_schema(), "");
}

TEST(SdkHarnessPlugin, RefusalsStartWithThePath) {
  EXPECT_THAT(error_of([] { bt::Plugin::load("/nonexistent/x.so"); }),
              StartsWith("/nonexistent/x.so: cannot load: "));
  blockhealth::test::TempDir dir;
  const std::string text = dir.write("text.so", "not a library").string();
  EXPECT_THAT(error_of([&] { bt::Plugin::load(text); }), StartsWith(text + ": cannot load: "));
}

TEST(SdkHarnessEvaluate, PerInstanceVerdictsWithEvidence) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_SIMPLE_POLICY);
  bt::PolicyUnderTest policy(plugin, R"({"metric": "temp", "limit": 85, "keep_labels": ["gpu"]})");
  const bt::BatchResult r = policy.evaluate(
      {with("a", "temp{gpu=\"0\",uuid=\"u0\"} 70\ntemp{gpu=\"1\",uuid=\"u1\"} 86\n"),
       with("b", "temp{gpu=\"0\"} 40\n"), with("c", "other 1\n")});
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.verdicts.size(), 3u);
  EXPECT_EQ(r.verdicts[0].status, bh::Status::kCritical);
  EXPECT_EQ(r.verdicts[0].reason, "temp{gpu=\"1\"} = 86");
  ASSERT_TRUE(r.verdicts[0].evidence.has_value());
  EXPECT_EQ(r.verdicts[0].evidence->metric, "temp{gpu=\"1\"}");
  EXPECT_EQ(r.verdicts[0].evidence->observed, 86);
  EXPECT_EQ(r.verdicts[0].evidence->limit, 85);
  EXPECT_EQ(r.verdicts[1].status, bh::Status::kOk);
  EXPECT_FALSE(r.verdicts[1].evidence.has_value());
  EXPECT_EQ(r.verdicts[2].status, bh::Status::kUnknown);
  EXPECT_EQ(r.verdicts[2].reason, "no temp");
}

TEST(SdkHarnessEvaluate, SampleTimesAreStampedLikeTheHost) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_SIMPLE_POLICY);
  bt::PolicyUnderTest policy(plugin, R"({"metric": "temp", "limit": 85, "max_age": "30s"})");
  const std::int64_t now = policy.options().now_ms;
  // No timestamp: stamped "now", so fresh.
  EXPECT_EQ(policy.evaluate_one(with("a", "temp 1\n")).status, bh::Status::kOk);
  // A source timestamp 60 s old: stale.
  EXPECT_EQ(policy.evaluate_one(with("a", "temp 1 " + std::to_string(now - 60'000) + "\n")).reason,
            "temp is stale");
}

TEST(SdkHarnessEvaluate, AnExceptionFailsTheWholeBatch) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_SIMPLE_POLICY);
  bt::PolicyUnderTest policy(plugin, R"({"metric": "temp", "limit": 85})");
  const bt::BatchResult r = policy.evaluate({with("a", "temp 1\n"), with("b", "boom 1\n")});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "boom sample on b");
  for (const bh::Verdict& v : r.verdicts) {
    EXPECT_EQ(v.status, bh::Status::kUnknown);
    EXPECT_EQ(v.reason, "policy sdk_simple failed: boom sample on b");
  }
  EXPECT_THAT(error_of([&] { policy.evaluate_one(with("b", "boom 1\n")); }),
              HasSubstr("evaluate failed: boom sample on b"));
}

TEST(SdkHarnessEvaluate, ShouldStopLeavesTheRestUnknown) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_SIMPLE_POLICY);
  bt::Options options;
  options.stop_after_polls = 2;
  bt::PolicyUnderTest policy(plugin, R"({"metric": "temp", "limit": 85})", options);
  const bt::BatchResult r =
      policy.evaluate({with("a", "temp 1\n"), with("b", "temp 1\n"), with("c", "temp 1\n")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.verdicts[1].status, bh::Status::kOk);
  EXPECT_EQ(r.verdicts[2].status, bh::Status::kUnknown);
  EXPECT_EQ(r.verdicts[2].reason, "not evaluated");
}

TEST(SdkHarnessCreate, ErrorsCarryTheMessage) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_SIMPLE_POLICY);
  EXPECT_EQ(bt::create_error(plugin, R"({"metric": "", "limit": 1})"),
            "policy sdk_simple: create failed: metric must not be empty");
  EXPECT_EQ(bt::create_error(plugin, R"({"metric": "t", "limit": "x"})"),
            "policy sdk_simple: create failed: parameter 'limit' must be a number");
  EXPECT_EQ(bt::create_error(plugin, R"({"metric": "t", "limit": 1, "max_age": "soon"})"),
            "policy sdk_simple: create failed: bad duration 'soon': expected e.g. 250ms, 5s, 2m");
  EXPECT_THAT(bt::create_error(plugin, "[1]"), HasSubstr("test bug: params must be a JSON object"));
  EXPECT_EQ(bt::create_error(plugin, R"({"metric": "t", "limit": 1})"), "");
}

TEST(SdkHarnessBatch, EvaluateBatchSeesTheWholeBlock) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_BATCH_POLICY);
  bt::PolicyUnderTest policy(plugin, R"({"factor": 1.5})");
  EXPECT_EQ(policy.logs(), std::vector<std::string>{"info: factor 1.5"});
  const bt::BatchResult r = policy.evaluate(
      {with("a", "load 10\n"), with("b", "load 10\n"), with("c", "load 40\n"), with("d", "x 1\n")});
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.verdicts[0].status, bh::Status::kOk);
  EXPECT_EQ(r.verdicts[2].status, bh::Status::kWarn);
  EXPECT_EQ(r.verdicts[2].evidence->limit, 30);  // mean 20 * 1.5
  EXPECT_EQ(r.verdicts[3].status, bh::Status::kUnknown);
  EXPECT_EQ(r.verdicts[3].reason, "not evaluated");
}

TEST(SdkHarnessManage, AnswersAndFailures) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_BATCH_POLICY);
  bt::PolicyUnderTest policy(plugin);
  EXPECT_EQ(policy.manage("set_factor", R"({"factor": 4})"), R"({"factor":4})");
  EXPECT_EQ(policy.manage("now"), "{\"now_ms\":" + std::to_string(policy.options().now_ms) + "}");
  EXPECT_EQ(policy.manage("silent"), "{}");
  EXPECT_EQ(error_of([&] { policy.manage("reboot"); }),
            "policy sdk_batch: manage 'reboot' failed: unknown action \"reboot\"");
  EXPECT_THAT(error_of([&] { policy.manage("not_json"); }),
              HasSubstr("manage 'not_json' answered non-JSON"));
  EXPECT_THAT(error_of([&] { policy.manage("set_factor", "{"); }),
              HasSubstr("failed: malformed JSON"));

  bt::PolicyUnderTest simple(bt::Plugin::load(SDK_SIMPLE_POLICY), R"({"metric": "t", "limit": 1})");
  EXPECT_EQ(error_of([&] { simple.manage("x"); }), "policy sdk_simple has no manage function");
}

// The harness catches a C policy breaking the output rules, which the real
// host would suffer silently (or by crashing).
TEST(SdkHarnessGuards, CatchBrokenOutputRules) {
  const bt::Plugin plugin = bt::Plugin::load(SDK_MISBEHAVING_POLICY);
  const auto run = [&](const std::string& mode) {
    bt::PolicyUnderTest policy(plugin, R"({"mode": ")" + mode + R"("})");
    return error_of([&] { (void)policy.evaluate({with("a", "x 1\n")}); });
  };
  EXPECT_EQ(run("overrun"),
            "policy sdk_misbehaving: out[0].reason: written past its capacity of 512 bytes");
  EXPECT_EQ(run("unterminated"), "policy sdk_misbehaving: out[0].reason: not NUL-terminated");
  EXPECT_EQ(run("swap_buffer"),
            "policy sdk_misbehaving: out[0]: the policy changed a buffer pointer, capacity or "
            "struct_size");
  EXPECT_EQ(run("fine"), "(no error)");

  bt::PolicyUnderTest bad_status(plugin, R"({"mode": "bad_status"})");
  const bh::Verdict v = bad_status.evaluate_one(with("a", "x 1\n"));
  EXPECT_EQ(v.status, bh::Status::kUnknown);
  EXPECT_EQ(v.reason, "policy sdk_misbehaving returned invalid status 7");

  bt::PolicyUnderTest failing(plugin, R"({"mode": "fail"})");
  const bt::BatchResult r = failing.evaluate({with("a", "x 1\n")});
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.verdicts[0].reason, "policy sdk_misbehaving failed: backend unreachable");

  EXPECT_EQ(bt::create_error(plugin, "{}"),
            "policy sdk_misbehaving: create failed: mode is required");
}

TEST(SdkHarnessGuards, EmptyBatchIsATestBug) {
  bt::PolicyUnderTest policy(bt::Plugin::load(SDK_MISBEHAVING_POLICY), R"({"mode": "fine"})");
  EXPECT_THAT(error_of([&] { policy.evaluate({}); }), HasSubstr("never evaluates an empty batch"));
}

}  // namespace
