// metric_threshold through the real host: the vLLM queue check as
// YAML only, PromQL matchers, ratio, rate, peer limits, and every bad rule
// refused with a message naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plugins/policy_harness.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kQueueRules =
    "{rules: [{name: queue, select: 'vllm:num_requests_waiting{model_name=~\"llama.*\"}',"
    " reduce: max, warn: '> 10', critical: '> 20', missing: unknown}]}";

InstanceObservations queue(const std::string& id, double waiting,
                           const std::string& model = "llama-3-8b") {
  return instance(id, {sample("vllm:num_requests_waiting", {{"model_name", model}}, waiting)});
}

class MetricThresholdTest : public ::testing::Test {
 protected:
  PolicyHarness harness_{"metric_threshold"};
};

TEST_F(MetricThresholdTest, TheQueueCheckWithoutCode) {
  auto policy = harness_.make(kQueueRules);
  ASSERT_NE(policy, nullptr);
  const auto v = evaluate(*policy, {queue("a", 5), queue("b", 15), queue("c", 25), instance("d")});
  ASSERT_EQ(v.size(), 4U);
  EXPECT_EQ(v[0].status, Status::kOk) << v[0].reason;
  EXPECT_EQ(v[1].status, Status::kDegraded) << v[1].reason;
  EXPECT_EQ(v[1].reason, "queue: vllm:num_requests_waiting{model_name=\"llama-3-8b\"} is 15 > 10");
  ASSERT_TRUE(v[1].evidence.has_value());
  EXPECT_EQ(v[1].evidence->observed, 15);
  EXPECT_EQ(v[1].evidence->limit, 10);
  EXPECT_EQ(v[2].status, Status::kUnhealthy) << v[2].reason;
  EXPECT_THAT(v[2].reason, HasSubstr("is 25 > 20"));
  EXPECT_EQ(v[3].status, Status::kUnknown);
  EXPECT_THAT(v[3].reason, HasSubstr("queue: no series match vllm:num_requests_waiting"));
}

TEST_F(MetricThresholdTest, RegexMatchersAreFullyAnchored) {
  auto policy = harness_.make(kQueueRules);
  ASSERT_NE(policy, nullptr);
  const auto v = evaluate(*policy, {queue("a", 50, "my-llama"), queue("b", 50, "llama")});
  EXPECT_EQ(v[0].status, Status::kUnknown) << "my-llama does not match llama.*: " << v[0].reason;
  EXPECT_EQ(v[1].status, Status::kUnhealthy) << v[1].reason;
  auto negated = harness_.make(
      "{rules: [{name: q, select: 'q{zone!=\"b\", gpu!~\"[0-1]\"}', critical: '>= 1'}]}");
  ASSERT_NE(negated, nullptr);
  const auto n =
      evaluate(*negated, {instance("x", {sample("q", {{"zone", "a"}, {"gpu", "2"}}, 1)}),
                          instance("y", {sample("q", {{"zone", "b"}, {"gpu", "2"}}, 1)}),
                          instance("z", {sample("q", {{"zone", "a"}, {"gpu", "1"}}, 1)})});
  EXPECT_EQ(n[0].status, Status::kUnhealthy) << n[0].reason;
  EXPECT_EQ(n[1].status, Status::kUnknown) << n[1].reason;
  EXPECT_EQ(n[2].status, Status::kUnknown) << n[2].reason;
}

TEST_F(MetricThresholdTest, ARatioOfTwoReductions) {
  auto policy = harness_.make(
      "{rules: [{name: errors, select: 'http_requests_total{code=~\"5..\"}', reduce: sum,"
      " ratio_of: 'http_requests_total', warn: '> 0.05', missing: ok}]}");
  ASSERT_NE(policy, nullptr);
  const auto v =
      evaluate(*policy, {instance("a", {sample("http_requests_total", {{"code", "200"}}, 90),
                                        sample("http_requests_total", {{"code", "503"}}, 10)}),
                         instance("b", {sample("http_requests_total", {{"code", "200"}}, 100)})});
  // 10 of 100 requests failed: 0.1.
  EXPECT_EQ(v[0].status, Status::kDegraded) << v[0].reason;
  EXPECT_THAT(v[0].reason, HasSubstr("/ http_requests_total"));
  EXPECT_EQ(v[1].status, Status::kOk) << v[1].reason;  // no 5xx series: missing: ok
}

// One vocabulary: the HTTP words for `missing`, the ABI's as aliases.
TEST_F(MetricThresholdTest, MissingTakesTheHttpWordsAndTheAbisAliases) {
  for (const auto& [word, status] :
       std::vector<std::pair<std::string, Status>>{{"degraded", Status::kDegraded},
                                                   {"warn", Status::kDegraded},
                                                   {"unhealthy", Status::kUnhealthy},
                                                   {"critical", Status::kUnhealthy}}) {
    auto policy =
        harness_.make("{rules: [{name: q, select: q, warn: '> 1', missing: " + word + "}]}");
    ASSERT_NE(policy, nullptr) << word;
    EXPECT_EQ(evaluate_one(*policy, instance("a")).status, status) << word;
  }
}

TEST_F(MetricThresholdTest, TheRateOfACounter) {
  auto policy = harness_.make(
      "{rules: [{name: xid, select: 'DCGM_FI_DEV_XID_ERRORS', reduce: sum, rate: 5m,"
      " critical: '> 0.01'}]}");
  ASSERT_NE(policy, nullptr);
  const auto first =
      evaluate(*policy, {instance("a", {sample("DCGM_FI_DEV_XID_ERRORS", {}, 10)})}, kNowMs);
  EXPECT_EQ(first[0].status, Status::kUnknown) << first[0].reason;
  EXPECT_THAT(first[0].reason, HasSubstr("needs two readings"));
  // 6 more errors in 60 s: 0.1 per second.
  const auto later = evaluate(*policy, {instance("a", {sample("DCGM_FI_DEV_XID_ERRORS", {}, 16)})},
                              kNowMs + 60'000);
  EXPECT_EQ(later[0].status, Status::kUnhealthy) << later[0].reason;
  EXPECT_THAT(later[0].reason, HasSubstr("is 0.1 > 0.01"));
  // A reset (the counter dropped) starts over.
  const auto reset = evaluate(*policy, {instance("a", {sample("DCGM_FI_DEV_XID_ERRORS", {}, 1)})},
                              kNowMs + 120'000);
  EXPECT_EQ(reset[0].status, Status::kUnknown) << reset[0].reason;
}

// An instance gone from the block for ten windows leaves no counter behind:
// back, it starts over.
TEST_F(MetricThresholdTest, ACounterNotReadForTenWindowsIsForgotten) {
  auto policy = harness_.make(
      "{rules: [{name: xid, select: 'x', reduce: sum, rate: 1m, critical: '> 0.01'}]}");
  ASSERT_NE(policy, nullptr);
  const auto a = [](double v) { return instance("a", {sample("x", {}, v)}); };
  evaluate(*policy, {a(10)}, kNowMs);
  EXPECT_EQ(evaluate(*policy, {a(16)}, kNowMs + 60'000)[0].status, Status::kUnhealthy);
  evaluate(*policy, {instance("b", {sample("x", {}, 1)})}, kNowMs + 11 * 60'000);
  const auto back = evaluate(*policy, {a(20)}, kNowMs + 12 * 60'000);
  EXPECT_EQ(back[0].status, Status::kUnknown) << back[0].reason;
  EXPECT_THAT(back[0].reason, HasSubstr("needs two readings"));
}

TEST_F(MetricThresholdTest, AnOutlierAmongItsPeers) {
  auto policy = harness_.make(
      "{rules: [{name: hot, select: 'DCGM_FI_DEV_GPU_TEMP', critical: '> median + 3 * mad',"
      " warn: '> 1.2 * median'}]}");
  ASSERT_NE(policy, nullptr);
  std::vector<InstanceObservations> block;
  for (const auto& [id, t] : std::vector<std::pair<std::string, double>>{
           {"g1", 60}, {"g2", 61}, {"g3", 62}, {"g4", 60}, {"g5", 78}}) {
    block.push_back(instance(id, {sample("DCGM_FI_DEV_GPU_TEMP", {{"gpu", "0"}}, t)}));
  }
  const auto v = evaluate(*policy, block);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(v[i].status, Status::kOk) << v[i].reason;
  EXPECT_EQ(v[4].status, Status::kUnhealthy) << v[4].reason;
  // median 61, mad 1: the limit is 64.
  EXPECT_THAT(v[4].reason, HasSubstr("is 78 > 64 (median + 3 * mad of 5 instances; median 61"));
  // Two instances are too few to call one an outlier.
  const auto pair = evaluate(*policy, {block[0], block[4]});
  EXPECT_EQ(pair[1].status, Status::kOk) << pair[1].reason;
}

TEST_F(MetricThresholdTest, BadRulesAreRefusedNamingThem) {
  const auto refused = [&](const std::string& with) {
    auto r = harness_.create(with);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_THAT(refused("{rules: [{name: q, select: 'q{a=}', warn: '> 1'}]}"),
              HasSubstr("rules[0] (q): select 'q{a=}': expected a quoted value at character 5"));
  EXPECT_THAT(refused("{rules: [{name: q, select: 'q{a=~\"(\"}', warn: '> 1'}]}"),
              HasSubstr("regular expression '('"));
  EXPECT_THAT(refused("{rules: [{name: q, select: q, warn: '> lots'}]}"),
              HasSubstr("rules[0] (q): warn '> lots': expected one of > >= < <= == !="));
  EXPECT_THAT(refused("{rules: [{name: q, select: q}]}"),
              HasSubstr("rules[0] (q): give warn, critical or both"));
  EXPECT_THAT(refused("{rules: [{name: q, select: q, warn: '> 1', rate: 5m, ratio_of: r}]}"),
              HasSubstr("give rate or ratio_of, not both"));
  // The schema catches shapes first, by pointer.
  EXPECT_THAT(refused("{rules: [{name: q, select: q, warn: '> 1', reduce: median}]}"),
              HasSubstr("reduce"));
  EXPECT_THAT(refused("{rules: []}"), HasSubstr("rules"));
}

}  // namespace
}  // namespace blockhealth::test
