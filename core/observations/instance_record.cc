#include "core/observations/instance_record.h"

#include <algorithm>
#include <unordered_set>

#include "core/util/text.h"

namespace blockhealth {

std::string series_key(const MetricSample& sample) {
  std::vector<const Label*> sorted;
  sorted.reserve(sample.labels.size());
  for (const Label& l : sample.labels) sorted.push_back(&l);
  std::sort(sorted.begin(), sorted.end(),
            [](const Label* a, const Label* b) { return a->name < b->name; });
  std::string key = sample.name;
  for (const Label* l : sorted) {
    // '\x1f' and '\x1e' cannot appear in sanitized names; values are
    // length-prefixed so no value can fake a separator.
    key += '\x1f';
    key += l->name;
    key += '\x1e';
    key += std::to_string(l->value.size());
    key += ':';
    key += l->value;
  }
  return key;
}

InstanceRecord::InstanceRecord(InstanceKey key, const ObservationLimits& limits)
    : key_(std::move(key)), last_seen_(std::make_shared<LastSeenCell>(0)), limits_(limits) {}

void InstanceRecord::set_limits(const ObservationLimits& limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
  while (logs_.size() > limits_.max_log_lines) logs_.pop_front();
  snapshot_.reset();
}

Result<std::vector<MetricSample>> InstanceRecord::normalize(std::span<const MetricSample> samples,
                                                            std::int64_t now_ms) const {
  std::vector<MetricSample> out;
  out.reserve(samples.size());
  for (const MetricSample& s : samples) {
    if (s.labels.size() > limits_.max_labels_per_sample) {
      return fail("metric " + sanitize_utf8(s.name, 200) + " has " +
                  std::to_string(s.labels.size()) + " labels; at most " +
                  std::to_string(limits_.max_labels_per_sample) + " are accepted");
    }
    MetricSample n;
    n.name = sanitize_utf8(s.name, limits_.max_string_bytes);
    n.value = s.value;
    n.timestamp_ms = s.timestamp_ms != 0 ? s.timestamp_ms : now_ms;
    n.labels.reserve(s.labels.size());
    for (const Label& l : s.labels) {
      n.labels.push_back({sanitize_utf8(l.name, limits_.max_string_bytes),
                          sanitize_utf8(l.value, limits_.max_string_bytes)});
    }
    out.push_back(std::move(n));
  }
  return out;
}

Result<void> InstanceRecord::merge_samples(std::span<const MetricSample> samples,
                                           std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto normalized = normalize(samples, now_ms);
  if (!normalized) return normalized.error();
  // Count new series first so that a refused batch changes nothing.
  std::vector<std::string> keys;
  keys.reserve(normalized->size());
  std::unordered_set<std::string> fresh;
  for (const MetricSample& s : *normalized) {
    keys.push_back(series_key(s));
    if (!series_.contains(keys.back())) fresh.insert(keys.back());
  }
  if (series_.size() + fresh.size() > limits_.max_series) {
    return fail("instance " + key_.to_string() + " would have " +
                std::to_string(series_.size() + fresh.size()) + " series; at most " +
                std::to_string(limits_.max_series) + " are kept");
  }
  for (std::size_t i = 0; i < normalized->size(); ++i) {
    auto [it, inserted] = series_.try_emplace(keys[i], samples_.size());
    if (inserted) {
      samples_.push_back(std::move((*normalized)[i]));
    } else {
      samples_[it->second] = std::move((*normalized)[i]);
    }
  }
  touch_locked(now_ms);
  snapshot_.reset();
  return {};
}

Result<void> InstanceRecord::replace_samples(std::span<const MetricSample> samples,
                                             std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto normalized = normalize(samples, now_ms);
  if (!normalized) return normalized.error();
  std::unordered_map<std::string, std::size_t> series;
  std::vector<MetricSample> kept;
  kept.reserve(normalized->size());
  for (MetricSample& s : *normalized) {
    auto [it, inserted] = series.try_emplace(series_key(s), kept.size());
    if (inserted) {
      kept.push_back(std::move(s));
    } else {
      kept[it->second] = std::move(s);  // the last sample of a series wins
    }
  }
  if (kept.size() > limits_.max_series) {
    return fail("instance " + key_.to_string() + " sent " + std::to_string(kept.size()) +
                " series; at most " + std::to_string(limits_.max_series) + " are kept");
  }
  samples_ = std::move(kept);
  series_ = std::move(series);
  touch_locked(now_ms);
  snapshot_.reset();
  return {};
}

void InstanceRecord::clear_samples() {
  std::lock_guard lock(mu_);
  if (samples_.empty()) return;
  samples_.clear();
  series_.clear();
  snapshot_.reset();
}

void InstanceRecord::append_logs(std::span<const std::string> lines, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const std::size_t skip =
      lines.size() > limits_.max_log_lines ? lines.size() - limits_.max_log_lines : 0;
  for (std::size_t i = skip; i < lines.size(); ++i) {
    logs_.push_back({sanitize_utf8(lines[i], limits_.max_log_line_bytes), now_ms});
  }
  while (logs_.size() > limits_.max_log_lines) logs_.pop_front();
  touch_locked(now_ms);
  snapshot_.reset();
}

void InstanceRecord::record_probe(ProbeResult probe) {
  std::lock_guard lock(mu_);
  if (probe.body.size() > limits_.max_probe_body_bytes) {
    probe.body.resize(limits_.max_probe_body_bytes);
  }
  const std::int64_t when = probe.time_ms;
  probe_ = std::move(probe);
  touch_locked(when);
  snapshot_.reset();
}

void InstanceRecord::record_request(std::int64_t time_ms) {
  std::lock_guard lock(mu_);
  if (time_ms <= last_request_ms_) return;
  last_request_ms_ = time_ms;
  snapshot_.reset();
}

void InstanceRecord::touch(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  touch_locked(now_ms);
}

void InstanceRecord::touch_locked(std::int64_t now_ms) {
  if (now_ms > last_seen_->load(std::memory_order_relaxed)) {
    last_seen_->store(now_ms, std::memory_order_relaxed);
    snapshot_.reset();
  }
}

void InstanceRecord::set_source_status(SourceStatus status) {
  std::lock_guard lock(mu_);
  for (SourceStatus& s : sources_) {
    if (s.source == status.source) {
      s = std::move(status);
      return;
    }
  }
  sources_.push_back(std::move(status));
  std::sort(sources_.begin(), sources_.end(),
            [](const SourceStatus& a, const SourceStatus& b) { return a.source < b.source; });
}

void InstanceRecord::clear_source_status(const std::string& source) {
  std::lock_guard lock(mu_);
  std::erase_if(sources_, [&](const SourceStatus& s) { return s.source == source; });
}

std::vector<SourceStatus> InstanceRecord::source_statuses() const {
  std::lock_guard lock(mu_);
  return sources_;
}

InstanceObservationsConstSharedPtr InstanceRecord::snapshot() const {
  std::lock_guard lock(mu_);
  if (!snapshot_) {
    auto snap = std::make_shared<InstanceObservations>();
    snap->block_id = key_.block;
    snap->instance_id = key_.instance;
    snap->samples = samples_;
    snap->logs.assign(logs_.begin(), logs_.end());
    snap->probe = probe_;
    snap->last_seen_ms = last_seen_->load(std::memory_order_relaxed);
    snap->last_request_ms = last_request_ms_;
    snapshot_ = std::move(snap);
  }
  return snapshot_;
}

}  // namespace blockhealth
