// One policy's judgement of one instance: owned (PolicyVerdict) or borrowed
// (VerdictView).
#ifndef BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H
#define BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H

#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/model/status.h"

namespace blockhealth {

struct Evidence {
  std::string metric;
  double observed = 0;
  double limit = 0;
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

struct PolicyVerdict {
  Status status = Status::kUnknown;
  std::string reason = "not evaluated";
  std::optional<Evidence> evidence;
  friend bool operator==(const PolicyVerdict&, const PolicyVerdict&) = default;
};

// A verdict that borrows its strings (from the ABI buffers it was read
// from, or from a PolicyVerdict): how results reach the trackers without a
// copy.
struct EvidenceView {
  std::string_view metric;
  double observed = 0;
  double limit = 0;
};
struct VerdictView {
  Status status = Status::kUnknown;
  std::string_view reason;
  std::optional<EvidenceView> evidence;

  static VerdictView of(const PolicyVerdict& v) {
    VerdictView out{v.status, v.reason, std::nullopt};
    if (v.evidence)
      out.evidence = EvidenceView{v.evidence->metric, v.evidence->observed, v.evidence->limit};
    return out;
  }
};

// Whether `e` and `v` hold the same evidence.
inline bool same_evidence(const std::optional<Evidence>& e, const std::optional<EvidenceView>& v) {
  if (e.has_value() != v.has_value()) return false;
  if (!e) return true;
  // Bitwise on the doubles: NaN evidence equals itself, as it reads the same.
  return e->metric == v->metric && std::memcmp(&e->observed, &v->observed, sizeof(double)) == 0 &&
         std::memcmp(&e->limit, &v->limit, sizeof(double)) == 0;
}

// Makes `out` hold `v`, reusing its string buffers.
inline void assign_verdict(PolicyVerdict& out, const VerdictView& v) {
  out.status = v.status;
  out.reason.assign(v.reason);
  if (!v.evidence) {
    out.evidence.reset();
    return;
  }
  if (!out.evidence) out.evidence.emplace();
  out.evidence->metric.assign(v.evidence->metric);
  out.evidence->observed = v.evidence->observed;
  out.evidence->limit = v.evidence->limit;
}

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H
