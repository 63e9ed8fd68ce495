#include "core/plugins/abi_batch.h"

#include <cstring>
#include <limits>
#include <optional>

#include "core/model/status.h"
#include "core/util/text.h"
#include "core/util/clock.h"

namespace blockhealth {

// ---------------------------------------------------------------------------
// AbiBatch

AbiBatch::AbiBatch(std::span<const InstanceObservationsConstSharedPtr> inputs)
    : held_(inputs.begin(), inputs.end()) {
  static const InstanceObservations no_observations;
  std::size_t label_count = 0;
  std::size_t sample_count = 0;
  std::size_t log_count = 0;
  std::size_t probe_count = 0;
  for (const auto& in : held_) {
    if (in == nullptr) continue;
    for (const MetricSample& s : in->samples) label_count += s.labels.size();
    sample_count += in->samples.size();
    log_count += in->logs.size();
    probe_count += in->probe ? 1 : 0;
  }
  // Reserved up front: the arrays hand out pointers into themselves.
  labels_.reserve(label_count);
  samples_.reserve(sample_count);
  logs_.reserve(log_count);
  probes_.reserve(probe_count);
  instances_.reserve(held_.size());

  for (const auto& held : held_) {
    const InstanceObservations& in = held != nullptr ? *held : no_observations;
    bh_instance instance{};
    instance.struct_size = sizeof(bh_instance);
    instance.block_id = text(in.block_id);
    instance.instance_id = text(in.instance_id);
    instance.samples = samples_.data() + samples_.size();
    instance.sample_count = in.samples.size();
    for (const MetricSample& s : in.samples) {
      bh_sample sample{};
      sample.name = text(s.name);
      sample.labels = s.labels.empty() ? nullptr : labels_.data() + labels_.size();
      sample.label_count = s.labels.size();
      for (const Label& l : s.labels) labels_.push_back(bh_label{text(l.name), text(l.value)});
      sample.value = s.value;
      sample.timestamp_ms = s.timestamp_ms;
      samples_.push_back(sample);
    }
    if (in.samples.empty()) instance.samples = nullptr;
    instance.log_lines = in.logs.empty() ? nullptr : logs_.data() + logs_.size();
    instance.log_count = in.logs.size();
    for (const LogLine& line : in.logs) logs_.push_back(bh_log_line{text(line.text), line.time_ms});
    if (in.probe) {
      const ProbeResult& p = *in.probe;
      bh_probe probe{};
      probe.struct_size = sizeof(bh_probe);
      probe.outcome = p.outcome;
      probe.http_status = p.http_status;
      probe.latency_us = p.latency_us;
      probe.time_ms = p.time_ms;
      probe.url = text(p.url);
      probe.error = text(p.error);
      probe.body = p.body.c_str();  // raw bytes, NULs allowed: body_size says how many
      probe.body_size = p.body.size();
      probes_.push_back(probe);
      instance.probe = &probes_.back();
    }
    instance.last_seen_ms = in.last_seen_ms;
    instance.last_request_ms = in.last_request_ms;
    instances_.push_back(instance);
  }
  for (const bh_instance& instance : instances_) instance_ptrs_.push_back(&instance);

  const std::size_t count = instances_.size();
  reasons_.assign(count * kReasonCapacity, '\0');
  metrics_.assign(count * kEvidenceMetricCapacity, '\0');
  verdicts_.resize(count);
  verdict_ptrs_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    bh_verdict& v = verdicts_[i];
    v.struct_size = sizeof(bh_verdict);
    v.status = BH_STATUS_UNKNOWN;
    v.reason = &reasons_[i * kReasonCapacity];
    v.reason_capacity = kReasonCapacity;
    bh_copy_string(v.reason, v.reason_capacity, "not evaluated");
    v.has_evidence = 0;
    v.evidence_metric = &metrics_[i * kEvidenceMetricCapacity];
    v.evidence_metric_capacity = kEvidenceMetricCapacity;
    verdict_ptrs_.push_back(&v);
  }
}

const char* AbiBatch::text(const std::string& s) {
  if (is_valid_utf8(s)) return s.c_str();
  owned_.push_back(sanitize_utf8(s));
  return owned_.back().c_str();
}

PolicyVerdict AbiBatch::verdict(std::size_t i, std::string_view policy_name) {
  char* reason = &reasons_[i * kReasonCapacity];
  char* metric = &metrics_[i * kEvidenceMetricCapacity];
  reason[kReasonCapacity - 1] = '\0';
  metric[kEvidenceMetricCapacity - 1] = '\0';
  const bh_verdict& v = verdicts_[i];
  PolicyVerdict out;
  const std::optional<Status> status = from_abi_status(v.status);
  if (!status) {
    out.status = Status::kUnknown;
    out.reason = "policy " + std::string(policy_name) + " returned invalid status " +
                 std::to_string(v.status);
    return out;
  }
  out.status = *status;
  out.reason = sanitize_utf8(reason);
  if (v.has_evidence != 0) {
    out.evidence = Evidence{sanitize_utf8(metric), v.evidence_observed, v.evidence_limit};
  }
  return out;
}

// ---------------------------------------------------------------------------
// AbiCall

namespace {

int32_t call_should_stop(const bh_call* call) {
  const auto* self = static_cast<const AbiCall*>(call->host_data);
  return self->should_stop() ? 1 : 0;
}

}  // namespace

AbiCall::AbiCall(std::int64_t now_ms, std::int64_t deadline_ns, const std::atomic<bool>* cancel)
    : deadline_ns_(deadline_ns), cancel_(cancel) {
  call_.struct_size = sizeof(bh_call);
  call_.now_ms = now_ms;
  call_.deadline_ns = deadline_ns > 0 ? deadline_ns : std::numeric_limits<std::int64_t>::max();
  call_.should_stop = &call_should_stop;
  call_.error = error_;
  call_.error_capacity = kErrorCapacity;
  call_.host_data = this;
}

bool AbiCall::should_stop() const {
  if (cancel_ != nullptr && cancel_->load(std::memory_order_acquire)) return true;
  return deadline_ns_ > 0 && SystemClock::instance().monotonic_ns() >= deadline_ns_;
}

std::string AbiCall::error() {
  error_[kErrorCapacity - 1] = '\0';
  return sanitize_utf8(error_);
}

// ---------------------------------------------------------------------------
// AbiOutput

AbiOutput::AbiOutput() {
  output_.host_data = this;
  output_.write = &AbiOutput::write;
}

void AbiOutput::write(const bh_output* out, const char* data, std::size_t size) {
  auto* self = static_cast<AbiOutput*>(out->host_data);
  if (data == nullptr || size == 0 || self->overflowed_) return;
  try {
    const std::size_t room = kCapacity - self->text_.size();
    if (size > room) {
      self->overflowed_ = true;
      return;
    }
    self->text_.append(data, size);
  } catch (...) {  // nothing may unwind into the plugin
    self->overflowed_ = true;
  }
}

}  // namespace blockhealth
