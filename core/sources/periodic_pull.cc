#include "core/sources/periodic_pull.h"

#include <boost/asio/post.hpp>
#include <functional>

namespace blockhealth {

namespace net = boost::asio;

std::chrono::milliseconds pull_phase(const std::string& name, std::chrono::milliseconds interval) {
  if (interval.count() <= 0) return std::chrono::milliseconds(0);
  // FNV-1a: stable across runs and platforms (std::hash is not required to be).
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(h % static_cast<std::uint64_t>(interval.count())));
}

PeriodicPull::PeriodicPull(SourceEnv& env, PullSpec spec)
    : env_(env),
      spec_(std::move(spec)),
      strand_(net::make_strand(env_.executor)),
      timer_(strand_),
      fetcher_(std::make_shared<HttpFetcher>(strand_, spec_.fetch)),
      metrics_(env_.metrics.target(spec_.key.block, spec_.key.instance, spec_.source)) {}

void PeriodicPull::start() {
  started_wall_ms_ = env_.clock.wall_ms();
  const auto phase = env_.options.jitter
                         ? pull_phase(spec_.key.to_string() + "/" + spec_.source, spec_.interval)
                         : std::chrono::milliseconds(0);
  net::post(strand_, [self = shared_from_this(), phase] {
    self->next_due_ = std::chrono::steady_clock::now() + phase;
    self->arm();
  });
}

void PeriodicPull::stop() {
  if (stopped_.exchange(true)) return;
  net::post(strand_, [self = shared_from_this()] {
    self->timer_.cancel();
    self->fetcher_->close();
  });
}

void PeriodicPull::arm() {
  timer_.expires_at(next_due_);
  timer_.async_wait(
      [self = shared_from_this()](const boost::system::error_code& ec) { self->on_tick(ec); });
}

void PeriodicPull::on_tick(const boost::system::error_code& ec) {
  if (ec || stopped_) return;
  const TimePoint due = next_due_;
  const TimePoint now = std::chrono::steady_clock::now();
  const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::max(spec_.interval, std::chrono::milliseconds(1)));
  next_due_ += interval;
  if (next_due_ <= now) {  // descheduled for more than an interval: skip, don't bunch up
    const auto missed = (now - next_due_) / interval + 1;
    next_due_ += missed * interval;
    env_.counters.skipped_ticks += static_cast<std::uint64_t>(missed);
    metrics_.skipped_ticks.add(static_cast<double>(missed));
  }
  arm();
  if (busy_) {
    env_.counters.skipped_ticks += 1;
    metrics_.skipped_ticks.inc();
    return;
  }
  busy_ = true;
  env_.limiter.acquire(strand_, [self = shared_from_this(), due] { self->begin(due); });
}

void PeriodicPull::begin(TimePoint due) {
  if (stopped_) {
    busy_ = false;
    env_.limiter.release();
    return;
  }
  const auto lateness =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - due);
  env_.counters.lateness.record(lateness.count());
  env_.metrics.lateness().observe(static_cast<double>(lateness.count()) / 1e6);
  env_.metrics.in_flight().inc();
  env_.counters.started += 1;
  metrics_.attempts.inc();
  fetcher_->fetch(
      [self = shared_from_this()](FetchResult result) { self->on_fetched(std::move(result)); });
}

void PeriodicPull::on_fetched(FetchResult result) {
  env_.limiter.release();
  env_.metrics.in_flight().dec();
  busy_ = false;
  env_.counters.completed += 1;
  const std::uint64_t opened = fetcher_->connections_opened();
  env_.counters.connections_opened += opened - connections_seen_;
  connections_seen_ = opened;
  env_.counters.duration.record(result.latency_us);
  metrics_.duration.observe(static_cast<double>(result.latency_us) / 1e6);
  if (stopped_) return;
  on_result(result, env_.clock.wall_ms());
}

}  // namespace blockhealth
