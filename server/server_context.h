// ServerContext: what the HTTP routes need from the daemon. Owned by the
// Daemon, which outlives the routes.
#ifndef BLOCKHEALTH_SERVER_SERVER_CONTEXT_H
#define BLOCKHEALTH_SERVER_SERVER_CONTEXT_H

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config/api_block_reader.h"
#include "core/discovery/discovery_manager.h"
#include "core/engine/engine.h"
#include "core/engine/event_log.h"
#include "core/prometheus/metrics_registry.h"
#include "core/util/result.h"

namespace blockhealth::server {

// Counters of push ingestion, for /metrics.
struct IngestMetrics {
  prometheus::CounterFamily* samples = nullptr;    // {block}
  prometheus::CounterFamily* log_lines = nullptr;  // {block}
  prometheus::CounterFamily* rejected = nullptr;   // {block, kind}
  // POST /api/v1/write: samples by where they went, requests by outcome.
  prometheus::CounterFamily* remote_write_samples = nullptr;   // {result}
  prometheus::CounterFamily* remote_write_requests = nullptr;  // {result}
};

// Registers the ingestion counters in `registry` (once per registry; a
// family that cannot be registered stays nullptr and is not counted).
// Defined in routes_ingest.cc.
IngestMetrics register_ingest_metrics(prometheus::MetricsRegistry& registry);

// Transitions older than the in-memory event log holds: after `after`, at
// most `limit`, of one block when given (from the state store).
using OlderEvents = std::function<Result<std::vector<Transition>>(
    std::uint64_t after, std::size_t limit, const std::optional<std::string>& block)>;

struct ServerContext {
  Engine& engine;
  prometheus::MetricsRegistry& metrics;
  boost::asio::io_context& io;  // runs the HTTP server; watchers' timers live here
  EventLog& events;
  OlderEvents older_events;  // may be empty (no state store)
  IngestMetrics ingest;
  // Configuration work, done on the daemon's control thread (never on the
  // caller's); `done` is called there, once, when it is over. Concurrent
  // reloads coalesce: those asked for while one waits share its result.
  //
  // reload: re-reads the config and swaps it in. On success a JSON summary;
  // on failure every problem, and the running configuration is untouched.
  using ReloadDone = std::function<void(Result<std::string>)>;
  std::function<void(ReloadDone done)> reload;
  // PUT /v1/blocks/<id>: creates or replaces a block defined over HTTP and
  // stores it; true when created. Errors: kInvalid with the problems (the
  // body's, by JSON pointer), kConflict for a block of the config file,
  // kUnavailable when it cannot be stored. Nothing changes on error.
  using PutBlockDone = std::function<void(Result<bool>, std::vector<BodyProblem> problems)>;
  std::function<void(std::string id, std::string body, PutBlockDone done)> put_block;
  // DELETE /v1/blocks/<id>: kNotFound when no block of that id was defined
  // over HTTP, kConflict for a block of the config file.
  using DeleteBlockDone = std::function<void(Result<void>)>;
  std::function<void(std::string id, DeleteBlockDone done)> delete_block;
  // The block's discovery sources (GET /v1/blocks/<id>); may be empty.
  std::function<std::vector<DiscoverySourceStatus>(std::string_view block)> discovery_status;
  std::atomic<bool> ready{false};  // true once the first configuration runs
  // Long polls waiting now, and how many may (server.max_watches); past it
  // a new watch is answered 503.
  std::atomic<std::size_t> watches{0};
  std::size_t max_watches = 512;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_SERVER_CONTEXT_H
