#include "core/plugins/verdict_buffers.h"

#include <cstring>

#include "core/util/text.h"

namespace blockhealth {

PolicyVerdict VerdictRead::to_verdict() const {
  PolicyVerdict v;
  v.status = status;
  v.reason = std::string(reason);
  if (has_evidence) {
    v.evidence = Evidence{std::string(evidence_metric), evidence_observed, evidence_limit};
  }
  return v;
}

VerdictView VerdictRead::view() const {
  VerdictView v{status, reason, std::nullopt};
  if (has_evidence) v.evidence = EvidenceView{evidence_metric, evidence_observed, evidence_limit};
  return v;
}

void VerdictBuffers::reset(std::size_t count) {
  count_ = count;
  repaired_.clear();
  if (verdicts_.size() < count) {
    verdicts_.resize(count);
    reasons_.resize(count * kReasonCapacity);
    metrics_.resize(count * kEvidenceMetricCapacity);
  }
  pointers_.clear();
  pointers_.reserve(verdicts_.size());
  static constexpr char kNotEvaluated[] = "not evaluated";
  for (std::size_t i = 0; i < count; ++i) {
    bh_verdict& v = verdicts_[i];
    v = bh_verdict{};
    v.struct_size = sizeof(bh_verdict);
    v.status = BH_STATUS_UNKNOWN;
    v.reason = &reasons_[i * kReasonCapacity];
    v.reason_capacity = kReasonCapacity;
    std::memcpy(v.reason, kNotEvaluated, sizeof kNotEvaluated);
    v.has_evidence = 0;
    v.evidence_metric = &metrics_[i * kEvidenceMetricCapacity];
    v.evidence_metric_capacity = kEvidenceMetricCapacity;
    v.evidence_metric[0] = '\0';
    v.valid_until_ms = 0;
    pointers_.push_back(&v);
  }
}

std::string_view VerdictBuffers::text(char* buffer, std::size_t capacity) {
  buffer[capacity - 1] = '\0';
  const std::string_view raw(buffer, std::strlen(buffer));
  if (is_valid_utf8(raw)) return raw;
  repaired_.push_back(sanitize_utf8(raw));
  return repaired_.back();
}

VerdictRead VerdictBuffers::read(std::size_t i, std::string_view policy_name) {
  const bh_verdict& v = verdicts_[i];
  VerdictRead out;
  const std::optional<Status> status = from_abi_status(v.status);
  if (!status) {
    out.invalid_status = true;
    repaired_.push_back("policy " + std::string(policy_name) + " returned invalid status " +
                        std::to_string(v.status));
    out.reason = repaired_.back();
    return out;
  }
  out.status = *status;
  out.reason = text(&reasons_[i * kReasonCapacity], kReasonCapacity);
  if (v.has_evidence != 0) {
    out.has_evidence = true;
    out.evidence_metric = text(&metrics_[i * kEvidenceMetricCapacity], kEvidenceMetricCapacity);
    out.evidence_observed = v.evidence_observed;
    out.evidence_limit = v.evidence_limit;
  }
  out.valid_until_ms = v.valid_until_ms;
  return out;
}

}  // namespace blockhealth
