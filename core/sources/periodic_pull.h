// PeriodicPull: GETs one URL of one instance every interval, on a fixed
// schedule with a per-target phase (jitter), through the global in-flight
// limiter. Subclasses turn each result into observations (health_probe.h,
// metrics_scrape.h).
#ifndef BLOCKHEALTH_CORE_SOURCES_PERIODIC_PULL_H
#define BLOCKHEALTH_CORE_SOURCES_PERIODIC_PULL_H

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/observations/instance_key.h"
#include "core/sources/http_fetcher.h"
#include "core/sources/source_env.h"

namespace blockhealth {

struct PullSpec {
  InstanceKey key;
  std::string source;  // "health" or "metrics": the source status name and metric label
  FetchSpec fetch;
  std::chrono::milliseconds interval{5'000};
};

// Scheduling: tick k is due at first + k * interval, where `first` is
// start() time plus a phase in [0, interval) hashed from the target's name
// (0 without SourceOptions::jitter). A tick that finds the previous fetch
// still running is skipped (counted), so a slow target keeps its own
// cadence and never delays another target; ticks missed while the process
// was descheduled are skipped too, never bunched up. Lateness (actual start
// minus due time, waiting for a limiter slot included) is recorded.
//
// Thread-safety: start()/stop() from any one thread; everything else runs
// on the pull's strand.
class PeriodicPull : public Source, public std::enable_shared_from_this<PeriodicPull> {
 public:
  PeriodicPull(SourceEnv& env, PullSpec spec);
  void start() override;
  void stop() override;

 protected:
  // Called on the strand with each fetch's result, unless stopped.
  // `now_ms` is the wall clock at completion.
  virtual void on_result(const FetchResult& result, std::int64_t now_ms) = 0;
  SourceEnv& env() const { return env_; }
  const PullSpec& spec() const { return spec_; }
  TargetMetrics& metrics() { return metrics_; }
  std::int64_t started_wall_ms() const { return started_wall_ms_; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void arm();
  void on_tick(const boost::system::error_code& ec);
  void begin(TimePoint due);
  void on_fetched(FetchResult result);

  SourceEnv& env_;
  const PullSpec spec_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  HttpFetcherSharedPtr fetcher_;
  TargetMetrics metrics_;
  TimePoint next_due_;
  bool busy_ = false;                   // a fetch holds a limiter slot or waits for one
  std::uint64_t connections_seen_ = 0;  // fetcher_->connections_opened() last counted
  std::atomic<bool> stopped_{false};
  std::int64_t started_wall_ms_ = 0;
};

// The phase of a target's ticks in [0, interval): a hash of `name`.
std::chrono::milliseconds pull_phase(const std::string& name, std::chrono::milliseconds interval);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_PERIODIC_PULL_H
