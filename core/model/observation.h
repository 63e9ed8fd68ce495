// What the daemon knows about one instance at one moment: plain values,
// immutable once published (shared as InstanceObservationsConstSharedPtr).
#ifndef BLOCKHEALTH_CORE_MODEL_OBSERVATION_H
#define BLOCKHEALTH_CORE_MODEL_OBSERVATION_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace blockhealth {

struct Label {
  std::string name;
  std::string value;
  friend bool operator==(const Label&, const Label&) = default;
};

// One sample of one series. timestamp_ms is the source's timestamp, or 0
// when the source gave none (ingestion then stamps the arrival time).
struct MetricSample {
  std::string name;
  std::vector<Label> labels;  // in source order
  double value = 0;
  std::int64_t timestamp_ms = 0;
};

struct LogLine {
  std::string text;          // valid UTF-8, no trailing newline, bounded length
  std::int64_t time_ms = 0;  // arrival time
};

// Outcome of one /health probe; outcome is a BH_PROBE_* value.
struct ProbeResult {
  std::int32_t outcome = 0;
  std::int32_t http_status = 0;
  std::int64_t latency_us = 0;
  std::int64_t time_ms = 0;
  std::string url;
  std::string error;
  std::string body;
};

// How a pull source of an instance (its /health probe, metrics scrape or
// log file) is doing, for operators: shown by GET /v1/blocks/<id>.
struct SourceStatus {
  std::string source;  // "health", "metrics" or "logs"
  std::string target;  // the URL or file path
  bool ok = false;
  std::string message;               // why not ok ("connection refused", "line 3: ..."), or ""
  std::int64_t time_ms = 0;          // last attempt
  std::int64_t last_success_ms = 0;  // 0 = never
  friend bool operator==(const SourceStatus&, const SourceStatus&) = default;
};

struct InstanceObservations {
  std::string block_id;
  std::string instance_id;
  std::vector<MetricSample> samples;  // latest sample per series
  std::vector<LogLine> logs;          // oldest first, bounded
  std::optional<ProbeResult> probe;
  std::int64_t last_seen_ms = 0;     // 0 = never observed
  std::int64_t last_request_ms = 0;  // 0 = unknown
};
using InstanceObservationsConstSharedPtr = std::shared_ptr<const InstanceObservations>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_OBSERVATION_H
