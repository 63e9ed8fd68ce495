// AiosShape: how the AIOS-compatible answer of GET /block/health/<id> is
// written, from the config's `aios:` section (docs/configuration.md,
// docs/coming-from-aios.md). A plain value: every block's config and view
// carries a copy.
#ifndef BLOCKHEALTH_CORE_MODEL_AIOS_SHAPE_H
#define BLOCKHEALTH_CORE_MODEL_AIOS_SHAPE_H

namespace blockhealth {

struct AiosShape {
  // "lastMetrics": the seconds since the instance last reported, as
  // Python's float repr: "12.5s ago" (kString, the tutorial's form) or
  // 12.5 (kNumber, AIOS since 2025-08).
  enum class LastMetrics { kString, kNumber };
  // Which instances are listed: every configured or registered one
  // (kConfigured), or as AIOS does only those that reported at least once,
  // an empty list being healthy (kAios).
  enum class Membership { kConfigured, kAios };

  LastMetrics last_metrics = LastMetrics::kString;
  Membership membership = Membership::kConfigured;
  // An instance with `role: executor` that no check applies to is listed
  // as AIOS lists its executor: healthy, reason "executor instance".
  bool executor_row = true;

  friend bool operator==(const AiosShape&, const AiosShape&) = default;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_AIOS_SHAPE_H
