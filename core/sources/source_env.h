// SourceEnv: what every pull source of one SourceManager shares.
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_ENV_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_ENV_H

#include <boost/asio/any_io_executor.hpp>

#include "core/observations/observation_store.h"
#include "core/sources/in_flight_limiter.h"
#include "core/sources/source_metrics.h"
#include "core/sources/source_options.h"
#include "core/sources/source_stats.h"
#include "core/util/clock.h"

namespace blockhealth {

class InotifyWatcher;

// Owned by SourceManager, which outlives every source (sources never touch
// it from their destructors). All members are thread-safe.
struct SourceEnv {
  boost::asio::any_io_executor executor;  // the io_context's; sources make strands of it
  ObservationStore& store;
  const Clock& clock;  // wall time stamped on observations and statuses
  const SourceOptions& options;
  InFlightLimiter& limiter;
  SourceCounters& counters;
  SourceMetrics& metrics;
  InotifyWatcher* inotify;  // nullptr: poll log files
};

// The base of every pull source. start() and stop() are called by
// SourceManager's control thread; each source then runs on its own strand.
class Source {
 public:
  virtual ~Source() = default;
  // Begins pulling. Called once.
  virtual void start() = 0;
  // Stops pulling and cancels what is in flight; from then on the source
  // writes nothing more to the store (except a completion already running
  // on another io thread at that moment, which finishes its one write).
  // Idempotent. Does not wait.
  virtual void stop() = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_ENV_H
