// SourceManager: pulls every configured instance's observations - probes
// its health_url, scrapes its metrics_url, follows its log_file - into the
// ObservationStore, all on one small io_context (SourceOptions::threads).
//
//   SourceManager sources(engine.store(), clock, &registry, SourceOptions{});
//   sources.apply(config);   // after each successful (re)load, once the
//                            // engine has applied it (records exist)
//   ...
//   sources.stop();          // before the engine and the store go
//
// Each source writes to the record InstanceKey{block, instance} it looks up
// at each write; when the record is missing (the engine has not created it,
// or removed it) the observation is dropped.
#ifndef BLOCKHEALTH_CORE_SOURCES_SOURCE_MANAGER_H
#define BLOCKHEALTH_CORE_SOURCES_SOURCE_MANAGER_H

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/config/config.h"
#include "core/observations/observation_store.h"
#include "core/prometheus/metrics_registry.h"
#include "core/sources/source_env.h"
#include "core/sources/source_options.h"
#include "core/sources/source_stats.h"

namespace blockhealth {

class InotifyWatcher;

// Thread-safe: apply(), stop() and stats() may be called from any thread
// (apply() calls are serialized), except the manager's own io threads (stop()
// joins them). Lifetime: `store`, `clock` and `metrics`
// (may be nullptr: no metrics) must outlive the manager. The metrics
// families (source_metrics.h) are registered once, at construction; a
// registry can hold them for one manager only (a second one gets detached
// handles and logs why).
class SourceManager {
 public:
  SourceManager(ObservationStore& store, const Clock& clock, prometheus::MetricsRegistry* metrics,
                SourceOptions options);
  ~SourceManager();  // stop()s
  SourceManager(const SourceManager&) = delete;
  SourceManager& operator=(const SourceManager&) = delete;

  // Reconciles the running sources with `config`: starts those of new
  // instances and URLs, stops those gone (forgetting their source status,
  // their metric series and, for a scrape, its samples), restarts those
  // whose URL, interval, timeout, body limit or stale_after changed, and
  // leaves the others running (keeping their connections and log
  // positions). A no-op after stop(). Returns once every change is made;
  // log files have had their first look (so lines written afterwards are
  // news).
  void apply(const Config& config);

  // Stops every source and the io threads; waits for the threads, never for
  // a target. Nothing is written to the store after it returns.
  // Idempotent.
  void stop();

  SourceStats stats() const;
  // Zeroes the counters and lateness of stats() (e.g. after a warm-up).
  void reset_stats();

  // How log files are watched: "inotify" or "poll" (no inotify here, or
  // LogWatchMode::kPoll).
  std::string log_watch_mode() const;

 private:
  // (block, instance, source) of one running source.
  using SourceKey = std::tuple<std::string, std::string, std::string>;
  struct Running {
    std::shared_ptr<Source> source;
    std::string fingerprint;  // what a change of restarts it
    bool http = false;
  };
  struct Wanted {
    std::string fingerprint;
    std::function<std::shared_ptr<Source>()> make;
    bool http = false;
  };
  std::map<SourceKey, Wanted> wanted_from(const Config& config);
  void retire(const SourceKey& key, Running& running, bool replaced);

  ObservationStore& store_;
  const SourceOptions options_;
  SourceCounters counters_;
  SourceMetrics metrics_;
  std::unique_ptr<InFlightLimiter> limiter_;
  std::unique_ptr<boost::asio::io_context> io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::shared_ptr<InotifyWatcher> inotify_;
  std::unique_ptr<SourceEnv> env_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;                 // serializes apply() and stop()
  std::map<SourceKey, Running> running_;  // GUARDED_BY(mu_)
  bool stopped_ = false;                  // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_SOURCE_MANAGER_H
