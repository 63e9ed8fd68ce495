// ServerContext: what the HTTP routes need from the daemon. Owned by the
// Daemon, which outlives the routes.
#ifndef BLOCKHEALTH_SERVER_SERVER_CONTEXT_H
#define BLOCKHEALTH_SERVER_SERVER_CONTEXT_H

#include <atomic>
#include <functional>
#include <string>

#include "core/engine/engine.h"
#include "core/prometheus/metrics_registry.h"
#include "core/util/result.h"

namespace blockhealth::server {

// Counters of push ingestion, for /metrics.
struct IngestMetrics {
  prometheus::CounterFamily* samples = nullptr;    // {block}
  prometheus::CounterFamily* log_lines = nullptr;  // {block}
  prometheus::CounterFamily* rejected = nullptr;   // {block, kind}
};

struct ServerContext {
  Engine& engine;
  prometheus::MetricsRegistry& metrics;
  IngestMetrics ingest;
  // Re-reads the config and swaps it in. On success a JSON summary; on
  // failure every problem, and the running configuration is untouched.
  // Thread-safe (reloads are serialized by the daemon).
  std::function<Result<std::string>()> reload;
  std::atomic<bool> ready{false};  // true once the first configuration runs
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_SERVER_CONTEXT_H
