#include "core/observations/observation_frame.h"

#include "core/util/text.h"

namespace blockhealth {
namespace {

std::size_t text_size(std::string_view s) {
  return s.size() + 1;
}

// The probe's url and error come from the daemon's own fetcher, but are
// checked anyway: a frame's strings must all be clean.
std::string clean(const std::string& s) {
  return is_valid_utf8(s) ? s : sanitize_utf8(s);
}

}  // namespace

std::size_t ObservationFrame::put(std::string_view s) {
  const std::size_t at = text_.size();
  text_.insert(text_.end(), s.begin(), s.end());
  text_.push_back('\0');
  return at;
}

void ObservationFrame::build(const FrameParts& parts) {
  std::string probe_url;
  std::string probe_error;
  if (parts.probe != nullptr) {
    probe_url = clean(parts.probe->url);
    probe_error = clean(parts.probe->error);
  }
  // Size the arena first: the pointers handed out below point into it, so
  // it must not reallocate while it fills.
  std::size_t text = text_size(parts.block_id) + text_size(parts.instance_id);
  std::size_t label_count = 0;
  for (const MetricSample& s : parts.samples) {
    text += text_size(s.name);
    for (const Label& l : s.labels) text += text_size(l.name) + text_size(l.value);
    label_count += s.labels.size();
  }
  for (const auto run : {parts.logs_first, parts.logs_second}) {
    for (const LogLine& line : run) text += text_size(line.text);
  }
  if (parts.probe != nullptr) {
    text += text_size(probe_url) + text_size(probe_error) + text_size(parts.probe->body);
  }
  text_.clear();
  text_.reserve(text);
  samples_.clear();
  samples_.reserve(parts.samples.size());
  labels_.clear();
  labels_.reserve(label_count);
  logs_.clear();
  logs_.reserve(parts.logs_first.size() + parts.logs_second.size());

  const char* base = text_.data();
  auto at = [&](std::size_t offset) { return base + offset; };
  instance_ = bh_instance{};
  instance_.struct_size = sizeof(bh_instance);
  instance_.block_id = at(put(parts.block_id));
  instance_.instance_id = at(put(parts.instance_id));
  for (const MetricSample& s : parts.samples) {
    bh_sample sample{};
    sample.name = at(put(s.name));
    sample.labels = s.labels.empty() ? nullptr : labels_.data() + labels_.size();
    sample.label_count = s.labels.size();
    for (const Label& l : s.labels) {
      const char* name = at(put(l.name));
      labels_.push_back(bh_label{name, at(put(l.value))});
    }
    sample.value = s.value;
    sample.timestamp_ms = s.timestamp_ms;
    samples_.push_back(sample);
  }
  for (const auto run : {parts.logs_first, parts.logs_second}) {
    for (const LogLine& line : run) logs_.push_back(bh_log_line{at(put(line.text)), line.time_ms});
  }
  instance_.samples = samples_.empty() ? nullptr : samples_.data();
  instance_.sample_count = samples_.size();
  instance_.log_lines = logs_.empty() ? nullptr : logs_.data();
  instance_.log_count = logs_.size();
  instance_.probe = nullptr;
  if (parts.probe != nullptr) {
    const ProbeResult& p = *parts.probe;
    probe_ = bh_probe{};
    probe_.struct_size = sizeof(bh_probe);
    probe_.outcome = p.outcome;
    probe_.http_status = p.http_status;
    probe_.latency_us = p.latency_us;
    probe_.time_ms = p.time_ms;
    probe_.url = at(put(probe_url));
    probe_.error = at(put(probe_error));
    probe_.body = at(put(p.body));  // raw bytes, NULs allowed: body_size says how many
    probe_.body_size = p.body.size();
    instance_.probe = &probe_;
  }
  instance_.last_seen_ms = parts.last_seen_ms;
  instance_.last_request_ms = parts.last_request_ms;
}

std::size_t ObservationFrame::heap_bytes() const {
  return samples_.capacity() * sizeof(bh_sample) + labels_.capacity() * sizeof(bh_label) +
         logs_.capacity() * sizeof(bh_log_line) + text_.capacity();
}

ObservationFrameConstSharedPtr make_frame(const InstanceObservations& raw) {
  InstanceObservations observations = raw;
  auto fix = [](std::string& s) {
    if (!is_valid_utf8(s)) s = sanitize_utf8(s);
  };
  fix(observations.block_id);
  fix(observations.instance_id);
  for (MetricSample& s : observations.samples) {
    fix(s.name);
    for (Label& l : s.labels) {
      fix(l.name);
      fix(l.value);
    }
  }
  for (LogLine& line : observations.logs) fix(line.text);
  auto frame = std::make_shared<ObservationFrame>();
  FrameParts parts;
  parts.block_id = observations.block_id;
  parts.instance_id = observations.instance_id;
  parts.samples = observations.samples;
  parts.logs_first = observations.logs;
  parts.probe = observations.probe ? &*observations.probe : nullptr;
  parts.last_seen_ms = observations.last_seen_ms;
  parts.last_request_ms = observations.last_request_ms;
  frame->build(parts);
  return frame;
}

}  // namespace blockhealth
