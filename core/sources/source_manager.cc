#include "core/sources/source_manager.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/sources/health_probe.h"
#include "core/sources/inotify_watcher.h"
#include "core/sources/log_source.h"
#include "core/sources/metrics_scrape.h"

namespace blockhealth {

namespace {

std::string http_fingerprint(const PullSpec& spec) {
  return spec.fetch.url.text + "|" + spec.fetch.url.host + "|" +
         std::to_string(spec.fetch.url.port) + "|" + spec.fetch.url.target + "|" +
         std::to_string(spec.interval.count()) + "|" + std::to_string(spec.fetch.timeout.count()) +
         "|" + std::to_string(spec.fetch.body_limit) + "|" + spec.fetch.tls.fingerprint();
}

}  // namespace

SourceManager::SourceManager(ObservationStore& store, const Clock& clock,
                             prometheus::MetricsRegistry* metrics, SourceOptions options)
    : store_(store),
      options_(options),
      metrics_(metrics),
      limiter_(std::make_unique<InFlightLimiter>(std::max<std::size_t>(options_.max_in_flight, 1))),
      io_(std::make_unique<boost::asio::io_context>(std::max(options_.threads, 1))),
      work_(std::make_unique<
            boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          io_->get_executor())) {
  if (!metrics_.registration_error().empty()) {
    spdlog::warn("pull sources: their metrics are not exported: {}", metrics_.registration_error());
  }
  if (options_.log_watch != LogWatchMode::kPoll) {
    auto watcher = InotifyWatcher::create(io_->get_executor());
    if (watcher) {
      inotify_ = *watcher;
    } else {
      spdlog::warn("log files are polled every {}ms: {}", options_.log_poll_interval.count(),
                   watcher.error().message);
    }
  }
  env_ = std::unique_ptr<SourceEnv>(new SourceEnv{io_->get_executor(), store_, clock, options_,
                                                  *limiter_, counters_, metrics_, inotify_.get()});
  const int threads = std::max(options_.threads, 1);
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([io = io_.get()] {
      pthread_setname_np(pthread_self(), "bh-pull");  // shown by top -H, ps -L
      io->run();
    });
  }
}

SourceManager::~SourceManager() {
  stop();
  // Pending handlers still hold sources (and the watcher); destroy them
  // while everything they reference is alive, the watcher first.
  inotify_.reset();
  io_.reset();
}

std::map<SourceManager::SourceKey, SourceManager::Wanted> SourceManager::wanted_from(
    const Config& config) {
  std::map<SourceKey, Wanted> wanted;
  for (const BlockConfig& block : config.blocks) {
    for (const InstanceConfig& instance : block.instances) {
      if (instance.health_url) {
        PullSpec spec = HealthProbe::spec_for(block, instance, options_);
        wanted[{block.id, instance.id, "health"}] = {
            http_fingerprint(spec),
            [this, spec] { return std::make_shared<HealthProbe>(*env_, spec); }, true};
      }
      if (instance.metrics_url) {
        PullSpec spec = MetricsScrape::spec_for(block, instance);
        const auto stale_after = block.settings.stale_after;
        wanted[{block.id, instance.id, "metrics"}] = {
            http_fingerprint(spec) + "|" + std::to_string(stale_after.count()),
            [this, spec, stale_after] {
              return std::make_shared<MetricsScrape>(*env_, spec, stale_after);
            },
            true};
      }
      if (instance.log_file) {
        InstanceKey key{block.id, instance.id};
        std::filesystem::path path = *instance.log_file;
        wanted[{block.id, instance.id, "logs"}] = {
            path.string(),
            [this, key, path] { return std::make_shared<LogSource>(*env_, key, path); }, false};
      }
    }
  }
  return wanted;
}

void SourceManager::retire(const SourceKey& key, Running& running, bool replaced) {
  running.source->stop();
  if (replaced) return;  // its successor takes over its status, series and samples
  const auto& [block, instance, source] = key;
  metrics_.forget(block, instance, source);
  if (const InstanceRecordSharedPtr record = store_.find({block, instance})) {
    record->clear_source_status(source);
    if (source == "metrics") record->clear_samples();
  }
}

void SourceManager::apply(const Config& config) {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  std::map<SourceKey, Wanted> wanted = wanted_from(config);
  for (auto it = running_.begin(); it != running_.end();) {
    if (wanted.contains(it->first)) {
      ++it;
      continue;
    }
    retire(it->first, it->second, false);
    it = running_.erase(it);
  }
  std::size_t started = 0;
  for (auto& [key, want] : wanted) {
    auto it = running_.find(key);
    if (it != running_.end()) {
      if (it->second.fingerprint == want.fingerprint) continue;
      retire(key, it->second, true);
      running_.erase(it);
    }
    Running running{want.make(), want.fingerprint, want.http};
    running.source->start();
    running_.emplace(key, std::move(running));
    ++started;
  }
  spdlog::info("pull sources: {} running, {} (re)started", running_.size(), started);
}

void SourceManager::stop() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& [key, running] : running_) running.source->stop();
  if (inotify_) inotify_->stop();
  work_.reset();
  io_->stop();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  // Run, on this thread now that no io thread does, what the stops posted:
  // fetchers close, fetches in flight complete with an error and drop their
  // callbacks, so no source is kept alive by its own fetcher (a cycle).
  io_->restart();
  io_->poll();
  running_.clear();
}

SourceStats SourceManager::stats() const {
  SourceStats s;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, running] : running_) {
      if (running.http) {
        ++s.http_targets;
      } else {
        ++s.log_files;
      }
    }
  }
  s.in_flight = limiter_->in_flight();
  s.waiting = limiter_->waiting();
  s.peak_in_flight = limiter_->peak();
  s.started = counters_.started;
  s.completed = counters_.completed;
  s.failed = counters_.failed;
  s.skipped_ticks = counters_.skipped_ticks;
  s.connections_opened = counters_.connections_opened;
  s.log_lines = counters_.log_lines;
  s.lateness = counters_.lateness.summary();
  s.duration = counters_.duration.summary();
  return s;
}

void SourceManager::reset_stats() {
  counters_.reset();
}

std::string SourceManager::log_watch_mode() const {
  return inotify_ ? "inotify" : "poll";
}

}  // namespace blockhealth
