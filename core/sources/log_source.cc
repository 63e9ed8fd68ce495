#include "core/sources/log_source.h"

#include <boost/asio/post.hpp>

#include "core/sources/inotify_watcher.h"

namespace blockhealth {

namespace net = boost::asio;

namespace {

std::int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LogSource::LogSource(SourceEnv& env, InstanceKey key, std::filesystem::path path)
    : env_(env),
      key_(std::move(key)),
      follower_(std::move(path), env.options),
      strand_(net::make_strand(env.executor)),
      timer_(strand_),
      metrics_(env.metrics.target(key_.block, key_.instance, "logs")) {}

LogSource::~LogSource() = default;

void LogSource::start() {
  LogCheck first = follower_.prime();
  publish(first, env_.clock.wall_ms());
  if (env_.inotify != nullptr && env_.options.log_watch != LogWatchMode::kPoll) {
    auto subscribed =
        env_.inotify->subscribe(follower_.path().parent_path(), [weak = weak_from_this()] {
          if (auto self = weak.lock()) self->request_check();
        });
    if (subscribed) subscription_ = *subscribed;
  }
  // Catches whatever changed between the first look and the subscription.
  request_check();
  net::post(strand_, [self = shared_from_this()] { self->arm(); });
}

void LogSource::stop() {
  if (stopped_.exchange(true)) return;
  if (subscription_ && env_.inotify != nullptr) env_.inotify->unsubscribe(*subscription_);
  net::post(strand_, [self = shared_from_this()] { self->timer_.cancel(); });
}

void LogSource::arm() {
  if (stopped_) return;
  auto wait = subscription_ ? env_.options.log_backstop_interval : env_.options.log_poll_interval;
  if (follower_.has_partial_line()) {
    // Wake up in time to flush a partial line that stays incomplete.
    wait = std::min(wait, env_.options.partial_line_timeout);
  }
  timer_.expires_after(std::max(wait, std::chrono::milliseconds(1)));
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->check();
  });
}

void LogSource::request_check() {
  if (stopped_ || check_posted_.exchange(true)) return;
  net::post(strand_, [self = shared_from_this()] {
    self->check_posted_ = false;
    self->check();
  });
}

void LogSource::check() {
  if (stopped_) return;
  LogCheck result = follower_.check(monotonic_ms());
  publish(result, env_.clock.wall_ms());
  if (result.more) request_check();
  arm();
}

void LogSource::publish(LogCheck& result, std::int64_t now_ms) {
  const InstanceRecordSharedPtr record = env_.store.find(key_);
  if (!result.lines.empty()) {
    env_.counters.log_lines += result.lines.size();
    metrics_.log_lines.add(static_cast<double>(result.lines.size()));
    if (record) record->append_logs(result.lines, now_ms);
  }
  if (result.ok) last_success_ms_ = now_ms;
  const bool changed =
      !published_ || result.ok != last_ok_ || (!result.ok && result.note != last_note_);
  if (changed && !result.ok) metrics_.failures.inc();
  published_ = true;
  last_ok_ = result.ok;
  last_note_ = result.note;
  if (!record || (!changed && result.lines.empty())) return;
  record->set_source_status({"logs", follower_.path().string(), result.ok,
                             result.ok ? std::string() : result.note, now_ms, last_success_ms_});
}

}  // namespace blockhealth
