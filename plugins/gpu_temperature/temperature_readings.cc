#include "plugins/gpu_temperature/temperature_readings.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace blockhealth::policies::gpu_temperature {
namespace {

enum class LimitKind { kMaxOperating, kSlowdown, kShutdown, kMemoryMaxOperating };

// What a metric name means: a reading of some kind, or a device limit.
struct MetricMeaning {
  std::string_view name;
  std::optional<ReadingKind> reading;
  std::optional<LimitKind> limit;
};

constexpr std::array<MetricMeaning, 17> kMetrics{{
    {"DCGM_FI_DEV_GPU_TEMP", ReadingKind::kCore, {}},
    {"DCGM_FI_DEV_GPU_TEMP_CELSIUS", ReadingKind::kCore, {}},
    {"gpu_temperature_celsius", ReadingKind::kCore, {}},
    {"DCGM_FI_DEV_MEMORY_TEMP", ReadingKind::kMemory, {}},
    {"DCGM_FI_DEV_MEMORY_TEMP_CELSIUS", ReadingKind::kMemory, {}},
    {"gpu_memory_temperature_celsius", ReadingKind::kMemory, {}},
    {"gpu_temperature_tlimit_celsius", ReadingKind::kTLimitMargin, {}},
    {"DCGM_FI_DEV_GPU_TEMP_LIMIT", ReadingKind::kSlowdownMargin, {}},
    {"DCGM_FI_DEV_GPU_TEMP_MARGIN_CELSIUS", ReadingKind::kSlowdownMargin, {}},
    {"DCGM_FI_DEV_GPU_MAX_OP_TEMP", {}, LimitKind::kMaxOperating},
    {"DCGM_FI_DEV_GPU_MAX_OP_TEMP_CELSIUS", {}, LimitKind::kMaxOperating},
    {"DCGM_FI_DEV_SLOWDOWN_TEMP", {}, LimitKind::kSlowdown},
    {"DCGM_FI_DEV_GPU_TEMP_SLOWDOWN_CELSIUS", {}, LimitKind::kSlowdown},
    {"DCGM_FI_DEV_SHUTDOWN_TEMP", {}, LimitKind::kShutdown},
    {"DCGM_FI_DEV_GPU_TEMP_SHUTDOWN_CELSIUS", {}, LimitKind::kShutdown},
    {"DCGM_FI_DEV_MEM_MAX_OP_TEMP", {}, LimitKind::kMemoryMaxOperating},
    {"DCGM_FI_DEV_MEMORY_MAX_OP_TEMP_CELSIUS", {}, LimitKind::kMemoryMaxOperating},
}};

const MetricMeaning* find_meaning(std::string_view name) {
  for (const MetricMeaning& m : kMetrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

GpuId gpu_id_of(const bh::Sample& sample) {
  GpuId id;
  if (auto index = sample.label("gpu")) id.index = *index;
  if (auto uuid = sample.label("UUID")) {
    id.uuid = *uuid;
    id.uuid_label = "UUID";
  } else if (auto lower = sample.label("uuid")) {
    id.uuid = *lower;
    id.uuid_label = "uuid";
  }
  return id;
}

// Whether two samples' ids name the same GPU: by UUID when both carry one,
// else by index when both carry one, else only when neither has any label.
bool same_gpu(const GpuId& a, const GpuId& b) {
  if (!a.uuid.empty() && !b.uuid.empty()) return a.uuid == b.uuid;
  if (!a.index.empty() && !b.index.empty()) return a.index == b.index;
  return a.uuid.empty() && b.uuid.empty() && a.index.empty() && b.index.empty();
}

// The GPU entry `id` belongs to, created at the end when new; fills in the
// index or UUID when this sample is the first to carry it.
GpuReadings& gpu_for(std::vector<GpuReadings>& gpus, GpuId id) {
  auto same = [&](const GpuReadings& g) { return same_gpu(g.id, id); };
  auto it = std::find_if(gpus.begin(), gpus.end(), same);
  if (it == gpus.end()) {
    gpus.push_back(GpuReadings{std::move(id), {}, {}});
    return gpus.back();
  }
  if (it->id.uuid.empty() && !id.uuid.empty()) {
    it->id.uuid = std::move(id.uuid);
    it->id.uuid_label = std::move(id.uuid_label);
  }
  if (it->id.index.empty() && !id.index.empty()) it->id.index = std::move(id.index);
  return *it;
}

void record_limit(DeviceLimits& limits, LimitKind kind, double value) {
  if (classify_celsius(value) != ReadingProblem::kNone) return;
  switch (kind) {
    case LimitKind::kMaxOperating:
      limits.max_operating = value;
      break;
    case LimitKind::kSlowdown:
      limits.slowdown = value;
      break;
    case LimitKind::kShutdown:
      limits.shutdown = value;
      break;
    case LimitKind::kMemoryMaxOperating:
      limits.memory_max_operating = value;
      break;
  }
}

}  // namespace

bool is_margin(ReadingKind kind) {
  return kind == ReadingKind::kTLimitMargin || kind == ReadingKind::kSlowdownMargin;
}

std::string describe(const GpuId& id) {
  if (!id.index.empty() && !id.uuid.empty()) return "GPU " + id.index + " (" + id.uuid + ")";
  if (!id.index.empty()) return "GPU " + id.index;
  if (!id.uuid.empty()) return "GPU " + id.uuid;
  return "GPU (unlabelled)";
}

bool GpuReadings::has_usable_reading() const {
  return std::any_of(readings.begin(), readings.end(), [](const Reading& r) { return r.usable(); });
}

std::vector<GpuReadings> collect_readings(const bh::Instance& in) {
  std::vector<GpuReadings> gpus;
  for (const bh_sample& raw : in.raw_samples()) {
    const MetricMeaning* meaning = find_meaning(raw.name);
    if (meaning == nullptr) continue;
    const bh::Sample sample(raw);
    GpuReadings& gpu = gpu_for(gpus, gpu_id_of(sample));
    if (meaning->reading) {
      gpu.readings.push_back(Reading{*meaning->reading, &raw, classify_celsius(raw.value)});
    } else {
      record_limit(gpu.limits, *meaning->limit, raw.value);
    }
  }
  return gpus;
}

}  // namespace blockhealth::policies::gpu_temperature
