#include "core/sources/source_metrics.h"

namespace blockhealth {
namespace {

const std::vector<double>& duration_buckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

const std::vector<double>& lateness_buckets() {
  static const std::vector<double> kBuckets = {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05,
                                               0.1,    0.25,   0.5,   1,     2.5,  5};
  return kBuckets;
}

}  // namespace

SourceMetrics::SourceMetrics(prometheus::MetricsRegistry* registry) {
  if (registry == nullptr) return;
  const std::vector<std::string> target_labels = {"block", "instance_id", "source"};
  auto duration = registry->add_histogram(
      "blockhealth_source_duration_seconds",
      "Duration of /health probes and /metrics scrapes, to the last byte or the failure.",
      target_labels, duration_buckets());
  auto attempts = registry->add_counter("blockhealth_source_attempts_total",
                                        "Probes and scrapes started.", target_labels);
  auto failures = registry->add_counter(
      "blockhealth_source_failures_total",
      "Probes and scrapes that failed (unreachable, timeout, non-2xx, unhealthy answer, "
      "unparsable) and log "
      "files that could not be read.",
      target_labels);
  auto skipped = registry->add_counter(
      "blockhealth_source_skipped_ticks_total",
      "Probe or scrape ticks skipped because the previous one was still running.", target_labels);
  auto log_lines = registry->add_counter("blockhealth_source_log_lines_total",
                                         "Lines read from log files.", {"block", "instance_id"});
  auto lateness = registry->add_histogram(
      "blockhealth_source_lateness_seconds",
      "How late probes and scrapes started after their scheduled time.", {}, lateness_buckets());
  auto in_flight =
      registry->add_gauge("blockhealth_source_in_flight", "Probes and scrapes in flight now.", {});
  const auto note = [this](const auto& result) {
    if (result.has_error() && registration_error_.empty()) {
      registration_error_ = result.error().message;
    }
  };
  note(duration);
  note(attempts);
  note(failures);
  note(skipped);
  note(log_lines);
  note(lateness);
  note(in_flight);
  if (duration) duration_ = *duration;
  if (attempts) attempts_ = *attempts;
  if (failures) failures_ = *failures;
  if (skipped) skipped_ = *skipped;
  if (log_lines) log_lines_ = *log_lines;
  if (lateness) lateness_ = (*lateness)->with({});
  if (in_flight) in_flight_ = (*in_flight)->with({});
}

TargetMetrics SourceMetrics::target(const std::string& block, const std::string& instance,
                                    const std::string& source) {
  TargetMetrics m;
  if (duration_ != nullptr && source != "logs")
    m.duration = duration_->with({block, instance, source});
  if (attempts_ != nullptr && source != "logs")
    m.attempts = attempts_->with({block, instance, source});
  if (failures_ != nullptr) m.failures = failures_->with({block, instance, source});
  if (skipped_ != nullptr && source != "logs")
    m.skipped_ticks = skipped_->with({block, instance, source});
  if (log_lines_ != nullptr && source == "logs") m.log_lines = log_lines_->with({block, instance});
  return m;
}

void SourceMetrics::forget(const std::string& block, const std::string& instance,
                           const std::string& source) {
  if (duration_ != nullptr) duration_->remove({block, instance, source});
  if (attempts_ != nullptr) attempts_->remove({block, instance, source});
  if (failures_ != nullptr) failures_->remove({block, instance, source});
  if (skipped_ != nullptr) skipped_->remove({block, instance, source});
  if (log_lines_ != nullptr && source == "logs") log_lines_->remove({block, instance});
}

}  // namespace blockhealth
