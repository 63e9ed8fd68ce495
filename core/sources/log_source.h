// LogSource: follows an instance's log_file (LogFollower) and appends its
// new lines to the instance's log ring; its "logs" source status says
// whether the file is being read. Checks run when inotify reports a change
// in the file's folder, and every log_backstop_interval anyway; or every
// log_poll_interval when polling (LogWatchMode::kPoll, no inotify, or a
// folder inotify cannot watch).
#ifndef BLOCKHEALTH_CORE_SOURCES_LOG_SOURCE_H
#define BLOCKHEALTH_CORE_SOURCES_LOG_SOURCE_H

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <memory>
#include <optional>

#include "core/observations/instance_key.h"
#include "core/sources/log_follower.h"
#include "core/sources/source_env.h"

namespace blockhealth {

// Thread-safety: start()/stop() from the control thread; checks run on the
// source's strand.
class LogSource final : public Source, public std::enable_shared_from_this<LogSource> {
 public:
  LogSource(SourceEnv& env, InstanceKey key, std::filesystem::path path);
  ~LogSource() override;

  // Takes the first look synchronously (so lines written after start()
  // returns are never taken for old ones), then starts watching.
  void start() override;
  void stop() override;

  // Whether the file's changes arrive by inotify (else it is polled).
  bool uses_inotify() const { return subscription_.has_value(); }

 private:
  void arm();
  void request_check();  // from any thread: one check soon, coalesced
  void check();
  void publish(LogCheck& result, std::int64_t now_ms);

  SourceEnv& env_;
  const InstanceKey key_;
  LogFollower follower_;  // on the strand (and in start(), before any async work)
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  boost::asio::steady_timer timer_;
  TargetMetrics metrics_;
  std::optional<std::uint64_t> subscription_;  // set in start(), read-only afterwards
  std::atomic<bool> check_posted_{false};
  std::atomic<bool> stopped_{false};
  // The last status published (to write it again only when it changes, or
  // lines arrive).
  bool published_ = false;
  bool last_ok_ = false;
  std::string last_note_;
  std::int64_t last_success_ms_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_LOG_SOURCE_H
