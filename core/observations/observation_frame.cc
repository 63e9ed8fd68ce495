#include "core/observations/observation_frame.h"

#include <algorithm>
#include <cstring>

#include "core/util/text.h"

namespace blockhealth {
namespace {

// Moves every pointer into a buffer that moved by `delta` bytes. Done on
// integers: the old buffer is gone, only the distance matters.
template <typename T>
void shift(const T*& p, std::uintptr_t delta) {
  if (p != nullptr) p = reinterpret_cast<const T*>(reinterpret_cast<std::uintptr_t>(p) + delta);
}

std::uintptr_t distance(const void* from, const void* to) {
  return reinterpret_cast<std::uintptr_t>(to) - reinterpret_cast<std::uintptr_t>(from);
}

std::uint64_t mix(std::uint64_t h, std::string_view s) {
  // FNV-1a, then a length fold so that "ab"+"c" differs from "a"+"bc".
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  h ^= s.size() + 0x9e3779b97f4a7c15ULL;
  h *= 1099511628211ULL;
  return h;
}

bool same_labels(const bh_sample& stored, const MetricSample& s) {
  if (stored.label_count != s.labels.size()) return false;
  for (const Label& l : s.labels) {
    bool found = false;
    for (std::size_t i = 0; i < stored.label_count; ++i) {
      if (l.name == stored.labels[i].name) {
        found = l.value == stored.labels[i].value;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

// Series with many samples are found through an index; few by a scan.
constexpr std::size_t kScanLimit = 32;

}  // namespace

ObservationFrame::ObservationFrame(std::string_view block_id, std::string_view instance_id)
    : block_id_(block_id), instance_id_(instance_id) {
  instance_.struct_size = sizeof(bh_instance);
  refresh_instance();
}

ObservationFrame::ObservationFrame(const ObservationFrame& other)
    : block_id_(other.block_id_),
      instance_id_(other.instance_id_),
      instance_(other.instance_),
      samples_(other.samples_),
      hashes_(other.hashes_),
      labels_(other.labels_),
      sample_text_(other.sample_text_),
      log_lines_(other.log_lines_),
      log_text_(other.log_text_),
      log_start_(other.log_start_),
      probe_(other.probe_ ? std::make_unique<StoredProbe>(*other.probe_) : nullptr) {
  rebase_samples(other.sample_text_.data(), other.labels_.data());
  rebase_logs(other.log_text_.data());
  if (probe_) set_probe(probe_->copy);
  refresh_instance();
}

std::size_t ObservationFrame::put(std::vector<char>& arena, std::string_view s) {
  const std::size_t at = arena.size();
  arena.insert(arena.end(), s.begin(), s.end());
  arena.push_back('\0');
  return at;
}

void ObservationFrame::rebase_samples(const char* old_text, const bh_label* old_labels) {
  const std::uintptr_t text_delta = distance(old_text, sample_text_.data());
  const std::uintptr_t label_delta = distance(old_labels, labels_.data());
  if (text_delta != 0) {
    for (bh_label& l : labels_) {
      shift(l.name, text_delta);
      shift(l.value, text_delta);
    }
    for (bh_sample& s : samples_) shift(s.name, text_delta);
  }
  if (label_delta != 0) {
    for (bh_sample& s : samples_) {
      if (s.label_count > 0) shift(s.labels, label_delta);
    }
  }
}

void ObservationFrame::rebase_logs(const char* old_text) {
  const std::uintptr_t delta = distance(old_text, log_text_.data());
  if (delta == 0) return;
  for (bh_log_line& l : log_lines_) shift(l.text, delta);
}

void ObservationFrame::refresh_instance() {
  instance_.block_id = block_id_.c_str();
  instance_.instance_id = instance_id_.c_str();
  instance_.samples = samples_.empty() ? nullptr : samples_.data();
  instance_.sample_count = samples_.size();
  instance_.log_lines = log_count() == 0 ? nullptr : log_lines_.data() + log_start_;
  instance_.log_count = log_count();
  instance_.probe = probe_ ? &probe_->abi : nullptr;
}

std::uint64_t ObservationFrame::series_hash(const MetricSample& s) {
  std::uint64_t h = mix(14695981039346656037ULL, s.name);
  // Order-free over labels: combine each label's own hash commutatively.
  std::uint64_t labels = 0;
  for (const Label& l : s.labels) labels += mix(mix(7, l.name), l.value);
  return h ^ (labels * 0x9e3779b97f4a7c15ULL);
}

int ObservationFrame::find_series(const MetricSample& s, std::uint64_t hash) const {
  for (std::size_t i = 0; i < samples_.size(); ++i) {
    if (hashes_[i] != hash) continue;
    if (s.name == samples_[i].name && same_labels(samples_[i], s)) return static_cast<int>(i);
  }
  return -1;
}

void ObservationFrame::set_sample_value(std::size_t index, double value,
                                        std::int64_t timestamp_ms) {
  samples_[index].value = value;
  samples_[index].timestamp_ms = timestamp_ms;
}

void ObservationFrame::append_sample(const MetricSample& s, std::uint64_t hash,
                                     std::int64_t timestamp_ms) {
  const char* old_text = sample_text_.data();
  const bh_label* old_labels = labels_.data();
  std::size_t need = s.name.size() + 1;
  for (const Label& l : s.labels) need += l.name.size() + l.value.size() + 2;
  // Grow by half again at least: appends come one by one.
  if (sample_text_.capacity() < sample_text_.size() + need) {
    sample_text_.reserve(std::max(sample_text_.size() + need, sample_text_.capacity() * 3 / 2));
  }
  if (labels_.capacity() < labels_.size() + s.labels.size()) {
    labels_.reserve(std::max(labels_.size() + s.labels.size(), labels_.capacity() * 3 / 2));
  }
  rebase_samples(old_text, old_labels);
  bh_sample sample{};
  sample.name = sample_text_.data() + put(sample_text_, s.name);
  sample.labels = s.labels.empty() ? nullptr : labels_.data() + labels_.size();
  sample.label_count = s.labels.size();
  for (const Label& l : s.labels) {
    const char* name = sample_text_.data() + put(sample_text_, l.name);
    labels_.push_back(bh_label{name, sample_text_.data() + put(sample_text_, l.value)});
  }
  sample.value = s.value;
  sample.timestamp_ms = timestamp_ms;
  const bh_sample* old_samples = samples_.data();
  samples_.push_back(sample);
  hashes_.push_back(hash);
  (void)old_samples;
  refresh_instance();
}

std::size_t ObservationFrame::replace_samples(std::span<const MetricSample> samples,
                                              std::span<const std::uint64_t> hashes,
                                              std::int64_t default_ts) {
  std::size_t text = 0;
  std::size_t labels = 0;
  for (const MetricSample& s : samples) {
    text += s.name.size() + 1;
    for (const Label& l : s.labels) text += l.name.size() + l.value.size() + 2;
    labels += s.labels.size();
  }
  samples_.clear();
  hashes_.clear();
  labels_.clear();
  sample_text_.clear();
  // Exactly what they need: no pointer moves while filling.
  sample_text_.reserve(text);
  labels_.reserve(labels);
  samples_.reserve(samples.size());
  hashes_.reserve(samples.size());
  // An index over the hashes when there are many series (a scrape of
  // thousands), else a scan: the last sample of a series wins.
  std::vector<std::int32_t> index;
  std::size_t mask = 0;
  if (samples.size() > kScanLimit) {
    std::size_t slots = 1;
    while (slots < samples.size() * 2) slots <<= 1;
    index.assign(slots, -1);
    mask = slots - 1;
  }
  for (std::size_t k = 0; k < samples.size(); ++k) {
    const MetricSample& s = samples[k];
    const std::uint64_t h = hashes[k];
    const std::int64_t ts = s.timestamp_ms != 0 ? s.timestamp_ms : default_ts;
    int found = -1;
    std::size_t slot = 0;
    if (index.empty()) {
      found = find_series(s, h);
    } else {
      for (slot = h & mask; index[slot] >= 0; slot = (slot + 1) & mask) {
        const auto i = static_cast<std::size_t>(index[slot]);
        if (hashes_[i] == h && s.name == samples_[i].name && same_labels(samples_[i], s)) {
          found = index[slot];
          break;
        }
      }
    }
    if (found >= 0) {
      set_sample_value(static_cast<std::size_t>(found), s.value, ts);
      continue;
    }
    if (!index.empty()) index[slot] = static_cast<std::int32_t>(samples_.size());
    bh_sample sample{};
    sample.name = sample_text_.data() + put(sample_text_, s.name);
    sample.labels = s.labels.empty() ? nullptr : labels_.data() + labels_.size();
    sample.label_count = s.labels.size();
    for (const Label& l : s.labels) {
      const char* name = sample_text_.data() + put(sample_text_, l.name);
      labels_.push_back(bh_label{name, sample_text_.data() + put(sample_text_, l.value)});
    }
    sample.value = s.value;
    sample.timestamp_ms = ts;
    samples_.push_back(sample);
    hashes_.push_back(h);
  }
  refresh_instance();
  return samples_.size();
}

void ObservationFrame::clear_samples() {
  samples_.clear();
  hashes_.clear();
  labels_.clear();
  sample_text_.clear();
  refresh_instance();
}

void ObservationFrame::compact_logs() {
  std::vector<char> text;
  std::size_t need = 0;
  for (std::size_t i = log_start_; i < log_lines_.size(); ++i) {
    need += std::strlen(log_lines_[i].text) + 1;
  }
  text.reserve(std::max<std::size_t>(need * 2, 256));
  std::vector<bh_log_line> lines;
  lines.reserve(log_lines_.capacity());
  for (std::size_t i = log_start_; i < log_lines_.size(); ++i) {
    lines.push_back(bh_log_line{nullptr, log_lines_[i].time_ms});
    put(text, log_lines_[i].text);
  }
  std::size_t at = 0;
  for (bh_log_line& l : lines) {
    l.text = text.data() + at;
    at += std::strlen(l.text) + 1;
  }
  log_lines_ = std::move(lines);
  log_text_ = std::move(text);
  log_start_ = 0;
}

void ObservationFrame::append_log(std::string_view text, std::int64_t time_ms,
                                  std::size_t max_lines) {
  if (max_lines == 0) {
    trim_logs(0);
    return;
  }
  if (log_count() >= max_lines) ++log_start_;  // the oldest goes
  // Evicted lines are dropped for good once they are as many as the live
  // ones: appending stays amortized O(1) and the text at most twice the
  // ring's.
  if (log_start_ >= max_lines) compact_logs();
  const char* old_text = log_text_.data();
  if (log_text_.capacity() < log_text_.size() + text.size() + 1) {
    log_text_.reserve(std::max(log_text_.size() + text.size() + 1, log_text_.capacity() * 2));
  }
  rebase_logs(old_text);
  log_lines_.push_back(bh_log_line{log_text_.data() + put(log_text_, text), time_ms});
  refresh_instance();
}

void ObservationFrame::trim_logs(std::size_t max_lines) {
  if (log_count() > max_lines) log_start_ = log_lines_.size() - max_lines;
  if (max_lines == 0) {
    log_lines_.clear();
    log_text_.clear();
    log_start_ = 0;
  } else if (log_start_ > 0) {
    compact_logs();
  }
  refresh_instance();
}

void ObservationFrame::set_probe(const ProbeResult& probe) {
  if (!probe_) probe_ = std::make_unique<StoredProbe>();
  ProbeResult& copy = probe_->copy;
  if (&probe != &copy) copy = probe;
  // The daemon's own fetcher writes url and error; checked anyway: a
  // frame's strings are all clean.
  if (!is_valid_utf8(copy.url)) copy.url = sanitize_utf8(copy.url);
  if (!is_valid_utf8(copy.error)) copy.error = sanitize_utf8(copy.error);
  bh_probe& abi = probe_->abi;
  abi = bh_probe{};
  abi.struct_size = sizeof(bh_probe);
  abi.outcome = copy.outcome;
  abi.http_status = copy.http_status;
  abi.latency_us = copy.latency_us;
  abi.time_ms = copy.time_ms;
  abi.url = copy.url.c_str();
  abi.error = copy.error.c_str();
  abi.body = copy.body.c_str();  // raw bytes, NULs allowed: body_size says how many
  abi.body_size = copy.body.size();
  refresh_instance();
}

std::size_t ObservationFrame::heap_bytes() const {
  auto str = [](const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; };
  return samples_.capacity() * sizeof(bh_sample) + hashes_.capacity() * sizeof(std::uint64_t) +
         labels_.capacity() * sizeof(bh_label) + sample_text_.capacity() +
         log_lines_.capacity() * sizeof(bh_log_line) + log_text_.capacity() + str(block_id_) +
         str(instance_id_) +
         (probe_ ? sizeof(StoredProbe) + 16 + str(probe_->copy.url) + str(probe_->copy.error) +
                       str(probe_->copy.body)
                 : 0);
}

InstanceObservations ObservationFrame::to_observations() const {
  InstanceObservations out;
  out.block_id = block_id_;
  out.instance_id = instance_id_;
  out.samples.reserve(samples_.size());
  for (const bh_sample& s : samples_) {
    MetricSample m;
    m.name = s.name;
    for (std::size_t i = 0; i < s.label_count; ++i) {
      m.labels.push_back({s.labels[i].name, s.labels[i].value});
    }
    m.value = s.value;
    m.timestamp_ms = s.timestamp_ms;
    out.samples.push_back(std::move(m));
  }
  for (std::size_t i = log_start_; i < log_lines_.size(); ++i) {
    out.logs.push_back({log_lines_[i].text, log_lines_[i].time_ms});
  }
  if (probe_) out.probe = probe_->copy;
  out.last_seen_ms = instance_.last_seen_ms;
  out.last_request_ms = instance_.last_request_ms;
  return out;
}

ObservationFrameConstSharedPtr make_frame(const InstanceObservations& raw) {
  const auto clean = [](const std::string& s) { return is_valid_utf8(s) ? s : sanitize_utf8(s); };
  auto frame = std::make_shared<ObservationFrame>(clean(raw.block_id), clean(raw.instance_id));
  std::vector<MetricSample> samples = raw.samples;
  for (MetricSample& s : samples) {
    s.name = clean(s.name);
    for (Label& l : s.labels) {
      l.name = clean(l.name);
      l.value = clean(l.value);
    }
  }
  // Each sample as given, duplicates included: a batch built by hand shows
  // the plugin exactly what the test wrote.
  for (const MetricSample& s : samples) {
    frame->append_sample(s, ObservationFrame::series_hash(s), s.timestamp_ms);
  }
  for (const LogLine& line : raw.logs) {
    frame->append_log(clean(line.text), line.time_ms, raw.logs.size());
  }
  if (raw.probe) frame->set_probe(*raw.probe);
  frame->set_last_seen(raw.last_seen_ms);
  frame->set_last_request(raw.last_request_ms);
  return frame;
}

}  // namespace blockhealth
