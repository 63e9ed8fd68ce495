#include "plugins/gpu_temperature/judgement.h"

#include <algorithm>
#include <set>
#include <string>

#include "plugins/common/text_format.h"

namespace blockhealth::policies::gpu_temperature {
namespace {

constexpr std::size_t kMaxListedProblems = 3;

int rank(bh::Status status) {
  switch (status) {
    case bh::Status::kCritical:
      return 2;
    case bh::Status::kWarn:
      return 1;
    default:
      return 0;
  }
}

// Whether `a` is worse than `b`: higher status, then further past its limit.
bool worse(const Finding& a, const Finding& b) {
  if (rank(a.status) != rank(b.status)) return rank(a.status) > rank(b.status);
  return a.over > b.over;
}

std::string_view kind_name(ReadingKind kind) {
  switch (kind) {
    case ReadingKind::kCore:
      return "core";
    case ReadingKind::kMemory:
      return "memory";
    case ReadingKind::kTLimitMargin:
      return "T.Limit margin";
    case ReadingKind::kSlowdownMargin:
      return "slowdown margin";
  }
  return "core";
}

std::string short_name(const GpuId& id) {
  if (!id.index.empty()) return "GPU " + id.index;
  if (!id.uuid.empty()) return "GPU " + id.uuid;
  return "GPU (unlabelled)";
}

std::string celsius(double value) {
  return format_number(value) + " C";
}

// "GPU 1 (GPU-8a...) core 86 C"
std::string reading_text(const Finding& f) {
  return describe(f.gpu->id) + " " + std::string(kind_name(f.reading->kind)) + " " +
         celsius(f.reading->value());
}

// ">= warn 85 C (default)" or, for margins, "<= critical 0 C (params)".
std::string comparison_text(const Finding& f) {
  const bool margin = is_margin(f.reading->kind);
  const char* level = f.status == bh::Status::kCritical ? "critical" : "warn";
  return std::string(margin ? "<= " : ">= ") + level + " " + celsius(f.limit.celsius) + " " +
         f.limit.origin();
}

// The reading's series with the labels that identify its GPU.
bh::Evidence evidence_of(const Finding& f) {
  const bh::Sample sample(*f.reading->sample);
  return bh::Evidence{sample.series({"gpu", "UUID", "uuid"}), f.reading->value(), f.limit.celsius};
}

// "; GPU 1 memory is a DCGM blank value", or "" when every reading is usable.
std::string unusable_note(const std::vector<GpuReadings>& gpus) {
  std::vector<std::string> items;
  for (const GpuReadings& gpu : gpus) {
    for (const Reading& r : gpu.readings) {
      if (r.usable()) continue;
      items.push_back(short_name(gpu.id) + " " + std::string(kind_name(r.kind)) + " is " +
                      std::string(describe(r.problem)));
    }
  }
  if (items.empty()) return "";
  std::string note = "; ";
  for (std::size_t i = 0; i < items.size() && i < kMaxListedProblems; ++i) {
    if (i > 0) note += ", ";
    note += items[i];
  }
  if (items.size() > kMaxListedProblems) {
    note += ", +" + std::to_string(items.size() - kMaxListedProblems) + " more";
  }
  return note;
}

std::string plural_gpus(std::size_t n) {
  return n == 1 ? "GPU" : "GPUs";
}

// Why a GPU has no usable reading: its first unusable reading, or that it
// sent only limits.
std::string why_unusable(const GpuReadings& gpu) {
  if (gpu.readings.empty()) return "only device limits were sent";
  const Reading& r = gpu.readings.front();
  return std::string(kind_name(r.kind)) + " is " + std::string(describe(r.problem));
}

bh::Verdict unknown_verdict(const std::vector<const GpuReadings*>& unread) {
  const GpuReadings& first = *unread.front();
  std::string reason =
      "no usable temperature reading for " + describe(first.id) + ": " + why_unusable(first);
  if (unread.size() > 1) {
    reason += " (+" + std::to_string(unread.size() - 1) + " more " +
              plural_gpus(unread.size() - 1) + " without a usable reading)";
  }
  return bh::Verdict::unknown(std::move(reason));
}

}  // namespace

Finding judge_reading(const Reading& reading, const GpuReadings& gpu,
                      const ThresholdParams& params) {
  const LimitPair limits = params.limits_for(reading.kind, gpu.limits);
  const double value = reading.value();
  // Temperatures: past a limit means above it; margins: below it.
  auto past = [&](const Limit& limit) {
    return is_margin(reading.kind) ? limit.celsius - value : value - limit.celsius;
  };
  Finding f{bh::Status::kOk, &gpu, &reading, limits.warn, past(limits.warn)};
  if (past(limits.critical) >= 0) {
    f.status = bh::Status::kCritical;
    f.limit = limits.critical;
    f.over = past(limits.critical);
  } else if (f.over >= 0) {
    f.status = bh::Status::kWarn;
  }
  return f;
}

bh::Verdict judge_gpus(const std::vector<GpuReadings>& gpus, const ThresholdParams& params) {
  const bool any_reading = std::any_of(gpus.begin(), gpus.end(),
                                       [](const GpuReadings& g) { return !g.readings.empty(); });
  if (!any_reading) return bh::Verdict::unknown("no GPU temperature metrics");

  std::vector<Finding> findings;
  std::vector<const GpuReadings*> unread;
  for (const GpuReadings& gpu : gpus) {
    if (!gpu.has_usable_reading()) unread.push_back(&gpu);
    for (const Reading& r : gpu.readings) {
      if (r.usable()) findings.push_back(judge_reading(r, gpu, params));
    }
  }
  if (findings.empty()) return unknown_verdict(unread);

  const Finding& worst =
      *std::min_element(findings.begin(), findings.end(),
                        [](const Finding& a, const Finding& b) { return worse(a, b); });
  const std::string notes = unusable_note(gpus);

  if (worst.status == bh::Status::kOk) {
    if (!unread.empty()) return unknown_verdict(unread);
    std::string reason = std::to_string(gpus.size()) + " " + plural_gpus(gpus.size()) +
                         " within limits; closest: " + reading_text(worst) + ", warn at " +
                         celsius(worst.limit.celsius) + " " + worst.limit.origin() + notes;
    return bh::Verdict{bh::Status::kOk, std::move(reason), evidence_of(worst)};
  }

  std::set<const GpuReadings*> others_over;
  for (const Finding& f : findings) {
    if (f.status != bh::Status::kOk && f.gpu != worst.gpu) others_over.insert(f.gpu);
  }
  std::string reason = reading_text(worst) + " " + comparison_text(worst);
  if (!others_over.empty()) {
    reason += " (+" + std::to_string(others_over.size()) + " more " +
              plural_gpus(others_over.size()) + " over limits)";
  }
  reason += notes;
  return bh::Verdict{worst.status, std::move(reason), evidence_of(worst)};
}

}  // namespace blockhealth::policies::gpu_temperature
