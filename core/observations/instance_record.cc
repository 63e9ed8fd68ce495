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
  // Oldest first again, so the ring can grow or shrink to the new size.
  std::rotate(logs_.begin(), logs_.begin() + static_cast<std::ptrdiff_t>(log_head_), logs_.end());
  log_head_ = 0;
  if (logs_.size() > limits_.max_log_lines) {
    logs_.erase(logs_.begin(), logs_.end() - static_cast<std::ptrdiff_t>(limits_.max_log_lines));
    logs_.shrink_to_fit();
    changed_locked(BH_INPUT_LOGS);
  }
}

void InstanceRecord::set_news_sink(NewsSinkSharedPtr sink) {
  std::lock_guard lock(mu_);
  news_ = std::move(sink);
}

void InstanceRecord::changed_locked(std::uint32_t inputs) {
  frame_stale_ = true;
  if ((inputs & BH_INPUT_SAMPLES) != 0) samples_generation_.fetch_add(1, std::memory_order_release);
  if ((inputs & BH_INPUT_LOGS) != 0) logs_generation_.fetch_add(1, std::memory_order_release);
  if ((inputs & BH_INPUT_PROBE) != 0) probe_generation_.fetch_add(1, std::memory_order_release);
  if ((inputs & BH_INPUT_LAST_REQUEST) != 0) {
    request_generation_.fetch_add(1, std::memory_order_release);
  }
  generation_.fetch_add(1, std::memory_order_release);
  if (news_) news_->raise();
}

std::uint64_t InstanceRecord::generation(std::uint32_t inputs) const {
  if (inputs == 0) return generation_.load(std::memory_order_acquire);
  // A sum of monotone counters is monotone: it moves when any of them does.
  std::uint64_t g = 0;
  if ((inputs & BH_INPUT_SAMPLES) != 0) g += samples_generation_.load(std::memory_order_acquire);
  if ((inputs & BH_INPUT_LOGS) != 0) g += logs_generation_.load(std::memory_order_acquire);
  if ((inputs & BH_INPUT_PROBE) != 0) g += probe_generation_.load(std::memory_order_acquire);
  if ((inputs & BH_INPUT_LAST_REQUEST) != 0) {
    g += request_generation_.load(std::memory_order_acquire);
  }
  return g;
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
  changed_locked(BH_INPUT_SAMPLES);
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
  changed_locked(BH_INPUT_SAMPLES);
  return {};
}

void InstanceRecord::clear_samples() {
  std::lock_guard lock(mu_);
  if (samples_.empty()) return;
  samples_.clear();
  series_.clear();
  changed_locked(BH_INPUT_SAMPLES);
}

void InstanceRecord::append_logs(std::span<const std::string> lines, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const std::size_t max = limits_.max_log_lines;
  const std::size_t skip = lines.size() > max ? lines.size() - max : 0;
  for (std::size_t i = skip; i < lines.size(); ++i) {
    LogLine line{sanitize_utf8(lines[i], limits_.max_log_line_bytes), now_ms};
    if (logs_.size() < max) {
      logs_.push_back(std::move(line));
    } else {
      logs_[log_head_] = std::move(line);
      log_head_ = (log_head_ + 1) % max;
    }
  }
  touch_locked(now_ms);
  changed_locked(BH_INPUT_LOGS);
}

void InstanceRecord::record_probe(ProbeResult probe) {
  std::lock_guard lock(mu_);
  if (probe.body.size() > limits_.max_probe_body_bytes) {
    probe.body.resize(limits_.max_probe_body_bytes);
  }
  const std::int64_t when = probe.time_ms;
  if (probe_) {
    *probe_ = std::move(probe);
  } else {
    probe_ = std::make_unique<ProbeResult>(std::move(probe));
  }
  touch_locked(when);
  changed_locked(BH_INPUT_PROBE);
}

void InstanceRecord::record_request(std::int64_t time_ms) {
  std::lock_guard lock(mu_);
  if (time_ms <= last_request_ms_) return;
  last_request_ms_ = time_ms;
  changed_locked(BH_INPUT_LAST_REQUEST);
}

void InstanceRecord::touch(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (now_ms > last_seen_->load(std::memory_order_relaxed)) {
    touch_locked(now_ms);
    changed_locked(0);
  }
}

void InstanceRecord::touch_locked(std::int64_t now_ms) {
  if (now_ms > last_seen_->load(std::memory_order_relaxed)) {
    last_seen_->store(now_ms, std::memory_order_relaxed);
  }
}

void InstanceRecord::set_source_status(SourceStatus status) {
  std::lock_guard lock(mu_);
  for (SourceStatus& s : sources_) {
    if (s.source == status.source) {
      const bool news =
          s.ok != status.ok || s.message != status.message || s.target != status.target;
      s = std::move(status);
      if (news) {
        source_generation_.fetch_add(1, std::memory_order_release);
        if (news_) news_->raise();
      }
      return;
    }
  }
  sources_.push_back(std::move(status));
  std::sort(sources_.begin(), sources_.end(),
            [](const SourceStatus& a, const SourceStatus& b) { return a.source < b.source; });
  source_generation_.fetch_add(1, std::memory_order_release);
  if (news_) news_->raise();
}

void InstanceRecord::clear_source_status(const std::string& source) {
  std::lock_guard lock(mu_);
  if (std::erase_if(sources_, [&](const SourceStatus& s) { return s.source == source; }) > 0) {
    source_generation_.fetch_add(1, std::memory_order_release);
    if (news_) news_->raise();
  }
}

std::vector<SourceStatus> InstanceRecord::source_statuses() const {
  std::lock_guard lock(mu_);
  return sources_;
}

InstanceObservationsConstSharedPtr InstanceRecord::snapshot() const {
  std::lock_guard lock(mu_);
  auto snap = std::make_shared<InstanceObservations>();
  snap->block_id = key_.block;
  snap->instance_id = key_.instance;
  snap->samples = samples_;
  snap->logs.reserve(logs_.size());
  snap->logs.insert(snap->logs.end(), logs_.begin() + static_cast<std::ptrdiff_t>(log_head_),
                    logs_.end());
  snap->logs.insert(snap->logs.end(), logs_.begin(),
                    logs_.begin() + static_cast<std::ptrdiff_t>(log_head_));
  if (probe_) snap->probe = *probe_;
  snap->last_seen_ms = last_seen_->load(std::memory_order_relaxed);
  snap->last_request_ms = last_request_ms_;
  return snap;
}

ObservationFrameConstSharedPtr InstanceRecord::frame() const {
  std::lock_guard lock(mu_);
  if (frame_ && !frame_stale_) return frame_;
  // Rebuild in place only when no evaluation holds the old frame: nobody
  // can take a new reference without mu_.
  if (!frame_ || frame_.use_count() > 1) frame_ = std::make_shared<ObservationFrame>();
  FrameParts parts;
  parts.block_id = key_.block;
  parts.instance_id = key_.instance;
  parts.samples = samples_;
  const auto head = static_cast<std::ptrdiff_t>(log_head_);
  parts.logs_first = std::span<const LogLine>(logs_.data() + head, logs_.size() - log_head_);
  parts.logs_second = std::span<const LogLine>(logs_.data(), log_head_);
  parts.probe = probe_.get();
  parts.last_seen_ms = last_seen_->load(std::memory_order_relaxed);
  parts.last_request_ms = last_request_ms_;
  frame_->build(parts);
  frame_stale_ = false;
  return frame_;
}

std::size_t InstanceRecord::heap_bytes() const {
  std::lock_guard lock(mu_);
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  std::size_t n = key_.block.capacity() > 15 ? key_.block.capacity() : 0;
  n += str(key_.instance) + sizeof(LastSeenCell) + 16;
  n += samples_.capacity() * sizeof(MetricSample) + logs_.capacity() * sizeof(LogLine);
  for (const MetricSample& s : samples_) {
    n += str(s.name) + s.labels.capacity() * sizeof(Label);
    for (const Label& l : s.labels) n += str(l.name) + str(l.value);
  }
  for (const LogLine& l : logs_) n += str(l.text);
  for (const auto& [key, index] : series_) n += str(key) + sizeof(key) + sizeof(index) + 16;
  n += series_.bucket_count() * sizeof(void*);
  n += sources_.capacity() * sizeof(SourceStatus);
  if (probe_) n += str(probe_->url) + str(probe_->error) + str(probe_->body);
  if (frame_) n += sizeof(ObservationFrame) + 16 + frame_->heap_bytes();
  return n;
}

}  // namespace blockhealth
