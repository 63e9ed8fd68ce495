// The ABI marshalling on its own: what a plugin would see, and what the host
// reads back from buffers a plugin may have misused.
#include "core/plugins/abi_batch.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/util/clock.h"

namespace blockhealth {
namespace {

using namespace std::string_literals;

TEST(AbiBatchTest, InputsMirrorTheObservations) {
  auto a = std::make_shared<InstanceObservations>();
  a->block_id = "blk";
  a->instance_id = "a";
  a->samples.push_back(MetricSample{"DCGM_FI_DEV_GPU_TEMP", {{"gpu", "0"}, {"UUID", "x"}}, 71, 5});
  a->samples.push_back(MetricSample{"up", {}, 1, 6});
  a->logs.push_back(LogLine{"first", 10});
  a->logs.push_back(LogLine{"second", 11});
  a->probe = ProbeResult{BH_PROBE_RESPONSE, 503, 1200, 12, "http://x/health", "", "bo\0dy"s};
  a->last_seen_ms = 12;
  a->last_request_ms = 9;
  auto b = std::make_shared<InstanceObservations>();
  b->block_id = "blk";
  b->instance_id = "b";
  const std::vector<InstanceObservationsConstSharedPtr> inputs{a, b, nullptr};

  AbiBatch batch(inputs);
  ASSERT_EQ(batch.size(), 3U);
  const bh_instance& ia = *batch.inputs()[0];
  EXPECT_EQ(ia.struct_size, sizeof(bh_instance));
  EXPECT_STREQ(ia.block_id, "blk");
  EXPECT_STREQ(ia.instance_id, "a");
  ASSERT_EQ(ia.sample_count, 2U);
  EXPECT_STREQ(ia.samples[0].name, "DCGM_FI_DEV_GPU_TEMP");
  ASSERT_EQ(ia.samples[0].label_count, 2U);
  EXPECT_STREQ(ia.samples[0].labels[1].name, "UUID");
  EXPECT_STREQ(ia.samples[0].labels[1].value, "x");
  EXPECT_EQ(ia.samples[0].value, 71);
  EXPECT_EQ(ia.samples[0].timestamp_ms, 5);
  EXPECT_EQ(ia.samples[1].labels, nullptr);
  EXPECT_EQ(ia.samples[1].label_count, 0U);
  ASSERT_EQ(ia.log_count, 2U);
  EXPECT_STREQ(ia.log_lines[1].text, "second");
  EXPECT_EQ(ia.log_lines[1].time_ms, 11);
  ASSERT_NE(ia.probe, nullptr);
  EXPECT_EQ(ia.probe->struct_size, sizeof(bh_probe));
  EXPECT_EQ(ia.probe->outcome, BH_PROBE_RESPONSE);
  EXPECT_EQ(ia.probe->http_status, 503);
  EXPECT_STREQ(ia.probe->url, "http://x/health");
  ASSERT_EQ(ia.probe->body_size, 5U);
  EXPECT_EQ(std::string(ia.probe->body, ia.probe->body_size), "bo\0dy"s);
  EXPECT_EQ(ia.last_seen_ms, 12);
  EXPECT_EQ(ia.last_request_ms, 9);

  const bh_instance& ib = *batch.inputs()[1];
  EXPECT_STREQ(ib.instance_id, "b");
  EXPECT_EQ(ib.samples, nullptr);
  EXPECT_EQ(ib.sample_count, 0U);
  EXPECT_EQ(ib.log_lines, nullptr);
  EXPECT_EQ(ib.probe, nullptr);

  const bh_instance& missing = *batch.inputs()[2];  // a null input
  EXPECT_STREQ(missing.instance_id, "");
  EXPECT_EQ(missing.sample_count, 0U);
}

TEST(AbiBatchTest, NulBytesAndBadUtf8AreReplacedNotTruncated) {
  auto a = std::make_shared<InstanceObservations>();
  a->instance_id = "a";
  a->samples.push_back(MetricSample{"m", {{"label", "be\0fore"s}}, 1, 1});
  a->logs.push_back(LogLine{"CUDA\0 error \xff!"s, 1});
  const std::vector<InstanceObservationsConstSharedPtr> inputs{a};
  AbiBatch batch(inputs);
  const bh_instance& in = *batch.inputs()[0];
  EXPECT_STREQ(in.samples[0].labels[0].value,
               "be\xEF\xBF\xBD"
               "fore");
  EXPECT_STREQ(in.log_lines[0].text, "CUDA\xEF\xBF\xBD error \xEF\xBF\xBD!");
}

TEST(AbiBatchTest, VerdictsStartUnknownNotEvaluated) {
  const std::vector<InstanceObservationsConstSharedPtr> inputs{
      std::make_shared<InstanceObservations>()};
  AbiBatch batch(inputs);
  const bh_verdict& v = *batch.outputs()[0];
  EXPECT_EQ(v.struct_size, sizeof(bh_verdict));
  EXPECT_EQ(v.status, BH_STATUS_UNKNOWN);
  EXPECT_STREQ(v.reason, "not evaluated");
  EXPECT_EQ(v.reason_capacity, AbiBatch::kReasonCapacity);
  EXPECT_EQ(v.has_evidence, 0);
  EXPECT_EQ(v.evidence_metric_capacity, AbiBatch::kEvidenceMetricCapacity);
  EXPECT_EQ(batch.verdict(0, "p"), PolicyVerdict{});
}

TEST(AbiBatchTest, UnterminatedBuffersAreCutAtTheirCapacity) {
  const std::vector<InstanceObservationsConstSharedPtr> inputs{
      std::make_shared<InstanceObservations>()};
  AbiBatch batch(inputs);
  bh_verdict& v = *batch.outputs()[0];
  v.status = BH_STATUS_CRITICAL;
  std::memset(v.reason, 'r', v.reason_capacity);  // no NUL anywhere
  v.has_evidence = 1;
  std::memset(v.evidence_metric, 'm', v.evidence_metric_capacity);
  v.evidence_observed = 3;
  v.evidence_limit = 2;
  char* const reason = v.reason;
  v.reason = nullptr;  // a plugin that scribbles on the pointers does not fool the host
  v.reason_capacity = 1'000'000;
  const PolicyVerdict out = batch.verdict(0, "p");
  EXPECT_EQ(out.status, Status::kUnhealthy);
  EXPECT_EQ(out.reason, std::string(AbiBatch::kReasonCapacity - 1, 'r'));
  ASSERT_TRUE(out.evidence.has_value());
  EXPECT_EQ(out.evidence->metric, std::string(AbiBatch::kEvidenceMetricCapacity - 1, 'm'));
  EXPECT_EQ(out.evidence->observed, 3);
  EXPECT_EQ(out.evidence->limit, 2);
  EXPECT_EQ(reason[AbiBatch::kReasonCapacity - 1], '\0');
}

TEST(AbiBatchTest, InvalidStatusAndInvalidUtf8) {
  const std::vector<InstanceObservationsConstSharedPtr> inputs{
      std::make_shared<InstanceObservations>(), std::make_shared<InstanceObservations>()};
  AbiBatch batch(inputs);
  batch.outputs()[0]->status = -1;
  batch.outputs()[1]->status = BH_STATUS_WARN;
  bh_copy_string(batch.outputs()[1]->reason, AbiBatch::kReasonCapacity, "bad \xC3 byte");
  EXPECT_EQ(
      batch.verdict(0, "gpu_temperature"),
      (PolicyVerdict{Status::kUnknown, "policy gpu_temperature returned invalid status -1", {}}));
  EXPECT_EQ(batch.verdict(1, "p"), (PolicyVerdict{Status::kDegraded, "bad \xEF\xBF\xBD byte", {}}));
}

TEST(AbiCallTest, ShouldStopFollowsCancelAndDeadline) {
  std::atomic<bool> cancel{false};
  const std::int64_t now = SystemClock::instance().monotonic_ns();
  AbiCall call(123, now + 60'000'000'000, &cancel);
  bh_call* c = call.get();
  EXPECT_EQ(c->struct_size, sizeof(bh_call));
  EXPECT_EQ(c->now_ms, 123);
  EXPECT_EQ(c->deadline_ns, now + 60'000'000'000);
  EXPECT_EQ(c->should_stop(c), 0);
  cancel = true;
  EXPECT_EQ(c->should_stop(c), 1);

  AbiCall late(0, now - 1, nullptr);
  EXPECT_EQ(late.get()->should_stop(late.get()), 1);
  AbiCall unlimited(0, 0, nullptr);
  EXPECT_EQ(unlimited.get()->should_stop(unlimited.get()), 0);
  EXPECT_EQ(unlimited.get()->deadline_ns, INT64_MAX);
}

TEST(AbiCallTest, ErrorBufferIsEmptyOnEntryAndCutAtCapacity) {
  AbiCall call(0, 0, nullptr);
  bh_call* c = call.get();
  EXPECT_EQ(c->error[0], '\0');
  EXPECT_EQ(c->error_capacity, AbiCall::kErrorCapacity);
  std::memset(c->error, 'e', c->error_capacity);
  EXPECT_EQ(call.error(), std::string(AbiCall::kErrorCapacity - 1, 'e'));
}

TEST(AbiOutputTest, CollectsWritesUpToItsCapacity) {
  AbiOutput output;
  const bh_output* out = output.get();
  out->write(out, "{\"a\":", 5);
  out->write(out, "1}", 2);
  out->write(out, nullptr, 3);
  EXPECT_EQ(output.text(), "{\"a\":1}");
  EXPECT_FALSE(output.overflowed());
  const std::string big(AbiOutput::kCapacity, 'x');
  out->write(out, big.data(), big.size());
  EXPECT_TRUE(output.overflowed());
  EXPECT_EQ(output.text(), "{\"a\":1}");
}

}  // namespace
}  // namespace blockhealth
