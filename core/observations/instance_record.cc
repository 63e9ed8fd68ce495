#include "core/observations/instance_record.h"

#include <algorithm>

#include "core/util/text.h"

namespace blockhealth {
namespace {

bool clean_text(const std::string& s, std::size_t max_bytes) {
  return s.size() <= max_bytes && is_valid_utf8(s);
}

}  // namespace

InstanceRecord::InstanceRecord(InstanceKey key, const ObservationLimits& limits)
    : key_(std::move(key)), cells_(std::make_shared<SeenCells>()), limits_(limits) {}

ObservationFrame& InstanceRecord::writable_frame() {
  if (!frame_) {
    frame_ = std::make_shared<ObservationFrame>(key_.block, key_.instance);
  } else if (frame_.use_count() > 1) {
    // use_count() is exact here: no one can take a new reference without mu_.
    frame_ = std::make_shared<ObservationFrame>(*frame_);
  }
  return *frame_;
}

void InstanceRecord::set_limits(const ObservationLimits& limits) {
  std::lock_guard lock(mu_);
  limits_ = limits;
  if (frame_ && frame_->log_count() > limits_.max_log_lines) {
    writable_frame().trim_logs(limits_.max_log_lines);
    changed_locked(BH_INPUT_LOGS);
  }
}

void InstanceRecord::set_news_sink(NewsSinkSharedPtr sink) {
  std::lock_guard lock(mu_);
  news_ = std::move(sink);
}

void InstanceRecord::changed_locked(std::uint32_t inputs) {
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

Result<std::span<const MetricSample>> InstanceRecord::clean_samples(
    std::span<const MetricSample> in, std::vector<MetricSample>& storage, Text text) const {
  const std::size_t max = limits_.max_string_bytes;
  const auto ok = [&](const std::string& s) {
    return text == Text::kValidUtf8 ? s.size() <= max : clean_text(s, max);
  };
  bool all_clean = true;
  for (const MetricSample& s : in) {
    if (s.labels.size() > limits_.max_labels_per_sample) {
      return fail("metric " + sanitize_utf8(s.name, 200) + " has " +
                  std::to_string(s.labels.size()) + " labels; at most " +
                  std::to_string(limits_.max_labels_per_sample) + " are accepted");
    }
    if (!all_clean) continue;
    all_clean = ok(s.name);
    for (const Label& l : s.labels) all_clean = all_clean && ok(l.name) && ok(l.value);
  }
  if (all_clean) return in;
  storage.clear();
  storage.reserve(in.size());
  for (const MetricSample& s : in) {
    MetricSample n;
    n.name = sanitize_utf8(s.name, max);
    n.value = s.value;
    n.timestamp_ms = s.timestamp_ms;
    n.labels.reserve(s.labels.size());
    for (const Label& l : s.labels) {
      n.labels.push_back({sanitize_utf8(l.name, max), sanitize_utf8(l.value, max)});
    }
    storage.push_back(std::move(n));
  }
  return std::span<const MetricSample>(storage);
}

Result<void> InstanceRecord::merge_samples(std::span<const MetricSample> samples,
                                           std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  std::vector<MetricSample> storage;
  auto clean = clean_samples(samples, storage);
  if (!clean) return clean.error();
  // Find every series first so that a refused batch changes nothing.
  thread_local std::vector<std::uint64_t> hashes;
  thread_local std::vector<int> found;
  hashes.clear();
  found.clear();
  std::size_t fresh = 0;
  for (const MetricSample& s : *clean) {
    hashes.push_back(ObservationFrame::series_hash(s));
    found.push_back(frame_ ? frame_->find_series(s, hashes.back()) : -1);
    if (found.back() < 0) {
      // A series twice in one batch counts once.
      bool earlier = false;
      for (std::size_t k = 0; k + 1 < hashes.size() && !earlier; ++k) {
        earlier = found[k] < 0 && hashes[k] == hashes.back() && (*clean)[k].name == s.name;
      }
      fresh += earlier ? 0 : 1;
    }
  }
  const std::size_t stored = frame_ ? frame_->sample_count() : 0;
  if (stored + fresh > limits_.max_series) {
    return fail("instance " + key_.to_string() + " would have " + std::to_string(stored + fresh) +
                " series; at most " + std::to_string(limits_.max_series) + " are kept");
  }
  ObservationFrame& frame = writable_frame();
  for (std::size_t i = 0; i < clean->size(); ++i) {
    const MetricSample& s = (*clean)[i];
    const std::int64_t ts = s.timestamp_ms != 0 ? s.timestamp_ms : now_ms;
    int at = found[i];
    if (at < 0) at = frame.find_series(s, hashes[i]);  // added earlier in this batch
    if (at >= 0) {
      frame.set_sample_value(static_cast<std::size_t>(at), s.value, ts);
    } else {
      frame.append_sample(s, hashes[i], ts);
    }
  }
  touch_locked(now_ms);
  changed_locked(BH_INPUT_SAMPLES);
  return {};
}

Result<void> InstanceRecord::replace_samples(std::span<const MetricSample> samples,
                                             std::int64_t now_ms, Text text) {
  std::lock_guard lock(mu_);
  std::vector<MetricSample> storage;
  auto clean = clean_samples(samples, storage, text);
  if (!clean) return clean.error();
  // Count distinct series before anything changes; the frame reuses the
  // hashes.
  thread_local std::vector<std::uint64_t> hashes;
  thread_local std::vector<std::uint64_t> sorted;
  hashes.clear();
  for (const MetricSample& s : *clean) hashes.push_back(ObservationFrame::series_hash(s));
  sorted.assign(hashes.begin(), hashes.end());
  std::sort(sorted.begin(), sorted.end());
  const auto distinct =
      static_cast<std::size_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
  if (distinct > limits_.max_series) {
    return fail("instance " + key_.to_string() + " sent " + std::to_string(distinct) +
                " series; at most " + std::to_string(limits_.max_series) + " are kept");
  }
  writable_frame().replace_samples(*clean, hashes, now_ms);
  touch_locked(now_ms);
  changed_locked(BH_INPUT_SAMPLES);
  return {};
}

void InstanceRecord::clear_samples() {
  std::lock_guard lock(mu_);
  if (!frame_ || frame_->sample_count() == 0) return;
  writable_frame().clear_samples();
  changed_locked(BH_INPUT_SAMPLES);
}

void InstanceRecord::append_logs(std::span<const std::string> lines, std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  const std::size_t max = limits_.max_log_lines;
  const std::size_t skip = lines.size() > max ? lines.size() - max : 0;
  ObservationFrame& frame = writable_frame();
  for (std::size_t i = skip; i < lines.size(); ++i) {
    if (clean_text(lines[i], limits_.max_log_line_bytes)) {
      frame.append_log(lines[i], now_ms, max);
    } else {
      frame.append_log(sanitize_utf8(lines[i], limits_.max_log_line_bytes), now_ms, max);
    }
  }
  touch_locked(now_ms);
  changed_locked(BH_INPUT_LOGS);
}

void InstanceRecord::record_probe(ProbeResult probe, std::optional<PolicyVerdict> judged) {
  std::lock_guard lock(mu_);
  if (probe.body.size() > limits_.max_probe_body_bytes) {
    probe.body.resize(limits_.max_probe_body_bytes);
  }
  const std::int64_t when = probe.time_ms;
  const bool probe_answered = probe.outcome == BH_PROBE_RESPONSE;
  writable_frame().set_probe(probe);
  if (!judged) {
    probe_verdict_.reset();
  } else if (probe_verdict_) {
    *probe_verdict_ = std::move(*judged);
  } else {
    probe_verdict_ = std::make_unique<PolicyVerdict>(std::move(*judged));
  }
  touch_locked(when, probe_answered);
  changed_locked(BH_INPUT_PROBE);
}

void InstanceRecord::record_request(std::int64_t time_ms) {
  std::lock_guard lock(mu_);
  if (time_ms <= (frame_ ? frame_->abi()->last_request_ms : 0)) return;
  writable_frame().set_last_request(time_ms);
  changed_locked(BH_INPUT_LAST_REQUEST);
}

void InstanceRecord::touch(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (now_ms > cells_->seen.load(std::memory_order_relaxed)) {
    touch_locked(now_ms);
    changed_locked(0);
  }
}

void InstanceRecord::touch_locked(std::int64_t now_ms, bool reported) {
  if (reported && now_ms > cells_->reported.load(std::memory_order_relaxed)) {
    cells_->reported.store(now_ms, std::memory_order_relaxed);
  }
  if (now_ms > cells_->seen.load(std::memory_order_relaxed)) {
    cells_->seen.store(now_ms, std::memory_order_relaxed);
    writable_frame().set_last_seen(now_ms);
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
  auto snap = std::make_shared<InstanceObservations>(frame_ ? frame_->to_observations()
                                                            : InstanceObservations{});
  snap->block_id = key_.block;
  snap->instance_id = key_.instance;
  return snap;
}

ObservationFrameConstSharedPtr InstanceRecord::frame() const {
  std::lock_guard lock(mu_);
  if (frame_) return frame_;
  // Nothing stored yet: an empty frame of this instance, not kept (an
  // instance never heard from costs no frame).
  return std::make_shared<const ObservationFrame>(key_.block, key_.instance);
}

std::size_t InstanceRecord::heap_bytes() const {
  std::lock_guard lock(mu_);
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  std::size_t n = str(key_.block) + str(key_.instance) + sizeof(LastSeenCell) + 16;
  n += sources_.capacity() * sizeof(SourceStatus);
  if (frame_) n += sizeof(ObservationFrame) + 16 + frame_->heap_bytes();
  return n;
}

}  // namespace blockhealth
