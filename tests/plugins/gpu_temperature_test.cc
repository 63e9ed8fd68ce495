// gpu_temperature through the real host: plugin loaded from its .so, params
// validated against its schema, verdicts from evaluate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "tests/plugins/policy_harness.h"

namespace blockhealth::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kUuid0 = "GPU-3f1c2a9e-7d41-4b8e-9c55-1a2b3c4d5e6f";
constexpr const char* kUuid1 = "GPU-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d";
constexpr const char* kGpu1Evidence =
    "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",UUID=\"GPU-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d\"}";

std::vector<Label> gpu_labels(const std::string& index, const std::string& uuid) {
  return {{"gpu", index}, {"UUID", uuid}};
}

// The dcgm-exporter fixture: GPU 0 core 71, memory 63; GPU 1 core 86,
// memory the DCGM blank sentinel.
InstanceObservations fixture_instance() {
  return instance("in-vkkv", fixture_samples("dcgm-exporter-h100x2.prom"));
}

// The fixture without any sample of GPU `index`.
InstanceObservations fixture_without_gpu(const std::string& index) {
  InstanceObservations in = fixture_instance();
  std::erase_if(in.samples, [&](const MetricSample& s) {
    return std::any_of(s.labels.begin(), s.labels.end(),
                       [&](const Label& l) { return l.name == "gpu" && l.value == index; });
  });
  return in;
}

// Sets the value of metric `name` of GPU `index` in `in`.
void set_value(InstanceObservations& in, const std::string& name, const std::string& index,
               double value) {
  for (MetricSample& s : in.samples) {
    const bool on_gpu = std::any_of(s.labels.begin(), s.labels.end(), [&](const Label& l) {
      return l.name == "gpu" && l.value == index;
    });
    if (s.name == name && on_gpu) s.value = value;
  }
}

class GpuTemperatureTest : public ::testing::Test {
 protected:
  PolicyHarness harness_{"gpu_temperature"};
};

TEST_F(GpuTemperatureTest, LoadsWithItsDescriptor) {
  ASSERT_NE(harness_.plugin(), nullptr);
  EXPECT_EQ(harness_.plugin()->name(), "gpu_temperature");
  EXPECT_EQ(harness_.plugin()->version(), "1.1.0");
  EXPECT_THAT(harness_.plugin()->params_schema(), HasSubstr("\"additionalProperties\": false"));
}

TEST_F(GpuTemperatureTest, FixtureGpu1WarnsAtDefaultLimitAndMentionsBlankMemory) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, fixture_instance());
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_EQ(v.reason, std::string("GPU 1 (") + kUuid1 +
                          ") core 86 C >= warn 85 C (default); GPU 1 memory is a DCGM blank value");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, kGpu1Evidence);
  EXPECT_EQ(v.evidence->observed, 86);
  EXPECT_EQ(v.evidence->limit, 85);
}

TEST_F(GpuTemperatureTest, FixtureGpu0AloneIsOk) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, fixture_without_gpu("1"));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, std::string("1 GPU within limits; closest: GPU 0 (") + kUuid0 +
                          ") core 71 C, warn at 85 C (default)");
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 71);
  EXPECT_EQ(v.evidence->limit, 85);
}

TEST_F(GpuTemperatureTest, ParamsWarnPutsBothGpusOverAndNamesTheWorst) {
  auto policy = harness_.make("{warn_celsius: 70}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, fixture_instance());
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_THAT(v.reason, HasSubstr(std::string("GPU 1 (") + kUuid1 +
                                  ") core 86 C >= warn 70 C (params) (+1 more GPU over limits)"));
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->metric, kGpu1Evidence);
  EXPECT_EQ(v.evidence->limit, 70);
}

TEST_F(GpuTemperatureTest, ParamsCriticalMakesTheHotGpuCritical) {
  auto policy = harness_.make("{critical_celsius: 86, warn_celsius: 70}");
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(*policy, fixture_instance());
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_THAT(v.reason,
              HasSubstr("GPU 1 (" + std::string(kUuid1) +
                        ") core 86 C >= critical 86 C (params) (+1 more GPU over limits)"));
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->observed, 86);
  EXPECT_EQ(v.evidence->limit, 86);
}

TEST_F(GpuTemperatureTest, DeviceMaxOperatingTemperatureReplacesTheDefaults) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations in = fixture_instance();
  in.samples.push_back(sample("DCGM_FI_DEV_GPU_MAX_OP_TEMP", gpu_labels("1", kUuid1), 87));
  in.samples.push_back(sample("DCGM_FI_DEV_SLOWDOWN_TEMP", gpu_labels("1", kUuid1), 89));
  in.samples.push_back(sample("DCGM_FI_DEV_SHUTDOWN_TEMP", gpu_labels("1", kUuid1), 95));
  const PolicyVerdict v = evaluate_one(*policy, in);
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_THAT(v.reason, HasSubstr("core 86 C >= warn 82 C (device: max operating 87 C - 5)"));
  ASSERT_TRUE(v.evidence.has_value());
  EXPECT_EQ(v.evidence->limit, 82);

  set_value(in, "DCGM_FI_DEV_GPU_TEMP", "1", 87);
  const PolicyVerdict hotter = evaluate_one(*policy, in);
  EXPECT_EQ(hotter.status, Status::kUnhealthy);
  EXPECT_THAT(hotter.reason, HasSubstr("core 87 C >= critical 87 C (device: max operating 87 C)"));
}

TEST_F(GpuTemperatureTest, DeviceSlowdownOrShutdownAloneEstimateTheMaxOperatingTemperature) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations slowdown = fixture_instance();
  slowdown.samples.push_back(sample("DCGM_FI_DEV_SLOWDOWN_TEMP", gpu_labels("1", kUuid1), 89));
  const PolicyVerdict by_slowdown = evaluate_one(*policy, slowdown);
  EXPECT_EQ(by_slowdown.status, Status::kDegraded);
  EXPECT_THAT(by_slowdown.reason,
              HasSubstr("core 86 C >= warn 82 C (device: slowdown 89 C - 2 - 5)"));

  InstanceObservations shutdown = fixture_instance();
  shutdown.samples.push_back(
      sample("DCGM_FI_DEV_GPU_TEMP_SHUTDOWN_CELSIUS", gpu_labels("1", kUuid1), 92));
  const PolicyVerdict by_shutdown = evaluate_one(*policy, shutdown);
  EXPECT_EQ(by_shutdown.status, Status::kUnhealthy);
  EXPECT_THAT(by_shutdown.reason,
              HasSubstr("core 86 C >= critical 84 C (device: shutdown 92 C - 8)"));
  ASSERT_TRUE(by_shutdown.evidence.has_value());
  EXPECT_EQ(by_shutdown.evidence->limit, 84);
}

TEST_F(GpuTemperatureTest, ExplicitParamsWinOverDeviceLimitsOneByOne) {
  auto policy = harness_.make("{critical_celsius: 90}");
  ASSERT_NE(policy, nullptr);
  InstanceObservations in = fixture_instance();
  in.samples.push_back(sample("DCGM_FI_DEV_GPU_MAX_OP_TEMP", gpu_labels("1", kUuid1), 85));
  const PolicyVerdict v = evaluate_one(*policy, in);
  // critical from params (90), warn still from the device (85 - 5).
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_THAT(v.reason, HasSubstr("core 86 C >= warn 80 C (device: max operating 85 C - 5)"));
}

TEST_F(GpuTemperatureTest, DeviceLimitMatchesItsGpuByUuid) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations in = fixture_instance();
  in.samples.push_back(sample("DCGM_FI_DEV_GPU_MAX_OP_TEMP", {{"UUID", kUuid1}}, 86));
  const PolicyVerdict v = evaluate_one(*policy, in);
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_THAT(v.reason, HasSubstr("GPU 1 (" + std::string(kUuid1) +
                                  ") core 86 C >= critical 86 C (device: max operating 86 C)"));
}

TEST_F(GpuTemperatureTest, DeviceLimitThatIsBlankIsIgnored) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations in = fixture_instance();
  in.samples.push_back(
      sample("DCGM_FI_DEV_GPU_MAX_OP_TEMP", gpu_labels("1", kUuid1), 9223372036854775794.0));
  const PolicyVerdict v = evaluate_one(*policy, in);
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_THAT(v.reason, HasSubstr("core 86 C >= warn 85 C (default)"));
}

TEST_F(GpuTemperatureTest, MemoryTemperatureHasItsOwnLimits) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  InstanceObservations in =
      instance("i", {sample("DCGM_FI_DEV_GPU_TEMP", gpu_labels("0", kUuid0), 60),
                     sample("DCGM_FI_DEV_MEMORY_TEMP", gpu_labels("0", kUuid0), 91)});
  const PolicyVerdict by_default = evaluate_one(*policy, in);
  EXPECT_EQ(by_default.status, Status::kDegraded);
  EXPECT_THAT(by_default.reason,
              HasSubstr("GPU 0 (" + std::string(kUuid0) + ") memory 91 C >= warn 90 C (default)"));
  ASSERT_TRUE(by_default.evidence.has_value());
  EXPECT_EQ(by_default.evidence->metric,
            "DCGM_FI_DEV_MEMORY_TEMP{gpu=\"0\",UUID=\"" + std::string(kUuid0) + "\"}");

  in.samples.push_back(sample("DCGM_FI_DEV_MEM_MAX_OP_TEMP", gpu_labels("0", kUuid0), 91));
  const PolicyVerdict by_device = evaluate_one(*policy, in);
  EXPECT_EQ(by_device.status, Status::kUnhealthy);
  EXPECT_THAT(by_device.reason,
              HasSubstr("memory 91 C >= critical 91 C (device: memory max operating 91 C)"));

  auto relaxed = harness_.make("{memory_warn_celsius: 100, memory_critical_celsius: 105}");
  ASSERT_NE(relaxed, nullptr);
  EXPECT_EQ(evaluate_one(*relaxed, in).status, Status::kOk);
}

// nvidia-smi on an H100 (tests/fixtures/nvidia-smi-h100-temperature.txt):
// 34 C with a T.Limit margin of 53 C.
TEST_F(GpuTemperatureTest, TLimitMarginOkWarnCritical) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  auto with_margin = [](double margin) {
    return instance(
        "h100",
        {sample("gpu_temperature_celsius", {{"gpu", "0"}, {"uuid", "GPU-h100"}}, 34),
         sample("gpu_temperature_tlimit_celsius", {{"gpu", "0"}, {"uuid", "GPU-h100"}}, margin)});
  };
  const PolicyVerdict idle = evaluate_one(*policy, with_margin(53));
  EXPECT_EQ(idle.status, Status::kOk);
  EXPECT_EQ(idle.reason,
            "1 GPU within limits; closest: GPU 0 (GPU-h100) T.Limit margin 53 C, warn at 5 C "
            "(default)");

  const PolicyVerdict near = evaluate_one(*policy, with_margin(3));
  EXPECT_EQ(near.status, Status::kDegraded);
  EXPECT_EQ(near.reason, "GPU 0 (GPU-h100) T.Limit margin 3 C <= warn 5 C (default)");
  ASSERT_TRUE(near.evidence.has_value());
  EXPECT_EQ(near.evidence->metric, "gpu_temperature_tlimit_celsius{gpu=\"0\",uuid=\"GPU-h100\"}");
  EXPECT_EQ(near.evidence->observed, 3);
  EXPECT_EQ(near.evidence->limit, 5);

  const PolicyVerdict past = evaluate_one(*policy, with_margin(-1));
  EXPECT_EQ(past.status, Status::kUnhealthy);
  EXPECT_EQ(past.reason, "GPU 0 (GPU-h100) T.Limit margin -1 C <= critical 0 C (default)");

  auto tuned = harness_.make("{warn_margin_celsius: 10, critical_margin_celsius: -2}");
  ASSERT_NE(tuned, nullptr);
  EXPECT_EQ(evaluate_one(*tuned, with_margin(-1)).status, Status::kDegraded);
  EXPECT_THAT(evaluate_one(*tuned, with_margin(8)).reason, HasSubstr("<= warn 10 C (params)"));
}

TEST_F(GpuTemperatureTest, DcgmSlowdownMarginHasItsOwnThresholds) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  auto with_margin = [](const char* metric, double margin) {
    return instance("i", {sample(metric, gpu_labels("2", "GPU-x"), margin)});
  };
  EXPECT_EQ(evaluate_one(*policy, with_margin("DCGM_FI_DEV_GPU_TEMP_LIMIT", 20)).status,
            Status::kOk);
  const PolicyVerdict warn = evaluate_one(*policy, with_margin("DCGM_FI_DEV_GPU_TEMP_LIMIT", 6));
  EXPECT_EQ(warn.status, Status::kDegraded);
  EXPECT_EQ(warn.reason, "GPU 2 (GPU-x) slowdown margin 6 C <= warn 7 C (default)");
  const PolicyVerdict critical =
      evaluate_one(*policy, with_margin("DCGM_FI_DEV_GPU_TEMP_MARGIN_CELSIUS", 2));
  EXPECT_EQ(critical.status, Status::kUnhealthy);
  EXPECT_EQ(critical.reason, "GPU 2 (GPU-x) slowdown margin 2 C <= critical 2 C (default)");
}

TEST_F(GpuTemperatureTest, CelsiusSpellingsAreRead) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(
      *policy,
      instance("i",
               {sample("DCGM_FI_DEV_GPU_TEMP_CELSIUS", gpu_labels("0", "GPU-a"), 50),
                sample("DCGM_FI_DEV_MEMORY_TEMP_CELSIUS", gpu_labels("0", "GPU-a"), 96),
                sample("DCGM_FI_DEV_MEMORY_MAX_OP_TEMP_CELSIUS", gpu_labels("0", "GPU-a"), 99)}));
  EXPECT_EQ(v.status, Status::kDegraded);
  EXPECT_EQ(v.reason,
            "GPU 0 (GPU-a) memory 96 C >= warn 94 C (device: memory max operating 99 C - 5)");
}

TEST_F(GpuTemperatureTest, BlankSentinelsAloneAreUnknown) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  for (const double blank : {9223372036854775794.0, 9223372036854775792.0, 2147483632.0,
                             2147483634.0, 140737488355328.0, 140737488355330.0}) {
    const PolicyVerdict v = evaluate_one(
        *policy, instance("i", {sample("DCGM_FI_DEV_GPU_TEMP", gpu_labels("1", kUuid1), blank)}));
    EXPECT_EQ(v.status, Status::kUnknown) << blank;
    EXPECT_EQ(v.reason, "no usable temperature reading for GPU 1 (" + std::string(kUuid1) +
                            "): core is a DCGM blank value")
        << blank;
    EXPECT_FALSE(v.evidence.has_value());
  }
}

TEST_F(GpuTemperatureTest, NotANumberIsUnknownNeverATemperature) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  for (const double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
    const PolicyVerdict v = evaluate_one(
        *policy, instance("i", {sample("gpu_temperature_celsius", {{"gpu", "3"}}, bad)}));
    EXPECT_EQ(v.status, Status::kUnknown);
    EXPECT_EQ(v.reason, "no usable temperature reading for GPU 3: core is not a finite number");
  }
}

TEST_F(GpuTemperatureTest, GpuWithoutUsableReadingMakesAnOtherwiseFineInstanceUnknown) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict v = evaluate_one(
      *policy,
      instance("i", {sample("DCGM_FI_DEV_GPU_TEMP", gpu_labels("0", kUuid0), 60),
                     sample("DCGM_FI_DEV_GPU_TEMP", gpu_labels("1", kUuid1), 2147483632.0)}));
  EXPECT_EQ(v.status, Status::kUnknown);
  EXPECT_EQ(v.reason, "no usable temperature reading for GPU 1 (" + std::string(kUuid1) +
                          "): core is a DCGM blank value");
}

TEST_F(GpuTemperatureTest, NoTemperatureMetricsIsUnknown) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const PolicyVerdict none = evaluate_one(*policy, instance("i"));
  EXPECT_EQ(none.status, Status::kUnknown);
  EXPECT_EQ(none.reason, "no GPU temperature metrics");

  const PolicyVerdict other = evaluate_one(
      *policy, instance("i", {sample("DCGM_FI_DEV_SM_CLOCK", gpu_labels("0", kUuid0), 1980)}));
  EXPECT_EQ(other.status, Status::kUnknown);
  EXPECT_EQ(other.reason, "no GPU temperature metrics");
}

TEST_F(GpuTemperatureTest, JudgesEachInstanceOfABatchOnItsOwn) {
  auto policy = harness_.make();
  ASSERT_NE(policy, nullptr);
  const auto verdicts =
      evaluate(*policy, {fixture_instance(), fixture_without_gpu("1"), instance("empty")});
  ASSERT_EQ(verdicts.size(), 3U);
  EXPECT_EQ(verdicts[0].status, Status::kDegraded);
  EXPECT_EQ(verdicts[1].status, Status::kOk);
  EXPECT_EQ(verdicts[2].status, Status::kUnknown);
}

TEST_F(GpuTemperatureTest, SchemaRejectsAStringThreshold) {
  auto json = harness_.validate("{warn_celsius: \"hot\"}");
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(json.error().message, HasSubstr("with.warn_celsius"));
  EXPECT_THAT(json.error().message, HasSubstr("gpu_temperature"));
}

TEST_F(GpuTemperatureTest, SchemaRejectsAnUnknownKey) {
  auto json = harness_.validate("{warn_celsus: 80}");
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(json.error().message, HasSubstr("unknown field 'warn_celsus'"));
}

TEST_F(GpuTemperatureTest, SchemaRejectsOutOfRangeThreshold) {
  auto json = harness_.validate("{critical_celsius: 1000}");
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(json.error().message, HasSubstr("with.critical_celsius"));
}

TEST_F(GpuTemperatureTest, InvertedThresholdsAreAConfigError) {
  auto created = harness_.create("{warn_celsius: 90, critical_celsius: 80}");
  ASSERT_FALSE(created.has_value());
  EXPECT_THAT(created.error().message,
              HasSubstr("warn_celsius (90) must be at most critical_celsius (80)"));

  auto margins = harness_.create("{warn_margin_celsius: -3, critical_margin_celsius: 0}");
  ASSERT_FALSE(margins.has_value());
  EXPECT_THAT(margins.error().message,
              HasSubstr("warn_margin_celsius (-3) must be at least critical_margin_celsius (0)"));
}

}  // namespace
}  // namespace blockhealth::test
