// DiscoveryManager: keeps every block's `discovery:` sources read, on a
// thread of its own, and says when the instances they contribute change.
// A file source is read at start, on every inotify event in its folder
// (so files replaced by rename are seen) and every `refresh` as a
// backstop; an http source is fetched every `refresh` (Prometheus http_sd:
// a 200 with a JSON list of target groups). A list that cannot be read or
// is refused keeps the source's last good instances; its status says why.
// Instances whose target vanished stay for the source's `grace`.
#ifndef BLOCKHEALTH_CORE_DISCOVERY_DISCOVERY_MANAGER_H
#define BLOCKHEALTH_CORE_DISCOVERY_DISCOVERY_MANAGER_H

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/config/config.h"
#include "core/util/clock.h"

namespace blockhealth {

class InotifyWatcher;

// One source as /v1/blocks/<id> shows it.
struct DiscoverySourceStatus {
  std::string source;             // DiscoveryConfig::describe()
  bool ok = false;                // the last read gave a good list
  std::string error;              // why the last read was refused; "" when ok
  std::int64_t last_read_ms = 0;  // wall time of the last read, good or not; 0 = not yet
  std::int64_t last_ok_ms = 0;    // of the last good one
  std::size_t listed = 0;         // instances of the last good list
  std::size_t vanished = 0;       // instances kept for their grace
};

class DiscoveryManager {
 public:
  // `changed` is called on the discovery thread after snapshot() changed;
  // it must not block (post the work elsewhere).
  DiscoveryManager(const Clock& clock, std::function<void()> changed);
  ~DiscoveryManager();  // NOLINT(bugprone-exception-escape): stop()
  DiscoveryManager(const DiscoveryManager&) = delete;
  DiscoveryManager& operator=(const DiscoveryManager&) = delete;

  // The sources of `config`'s blocks from now on. A source whose block and
  // settings are unchanged keeps its instances and timers; new ones are
  // read at once; removed ones stop. Thread-safe; returns at once.
  void configure(const Config& config);

  // Stops the thread and every source; no callback runs after it returns,
  // and configure() does nothing after it. status() and snapshot() still
  // answer (with no sources). Idempotent; thread-safe.
  void stop();

  // Block id -> the instances its sources contribute now (a block's first
  // source wins an id two of them make). Thread-safe.
  std::map<std::string, std::vector<InstanceConfig>> snapshot() const;
  // The block's sources, in its `discovery:` order. Thread-safe.
  std::vector<DiscoverySourceStatus> status(std::string_view block) const;

 private:
  struct Source;
  using SourcePtr = std::shared_ptr<Source>;

  void apply_config(std::vector<SourcePtr> wanted);
  void start(const SourcePtr& s);
  void stop(Source& s);
  void read_file(const SourcePtr& s);
  void fetch(const SourcePtr& s);
  void arm_refresh(const SourcePtr& s);
  // A read's outcome: the text (ok) or why it failed.
  void take(Source& s, bool ok, const std::string& text_or_error);
  void arm_grace();
  void notify();

  const Clock& clock_;
  std::function<void()> changed_;
  std::atomic<bool> stopping_{false};  // set by stop() once the thread is gone
  boost::asio::io_context io_;
  std::shared_ptr<InotifyWatcher> inotify_;  // on the discovery thread; null until needed
  std::unique_ptr<boost::asio::steady_timer> grace_timer_;
  std::mutex stop_mu_;  // one stop() at a time
  mutable std::mutex mu_;
  std::vector<SourcePtr> sources_;  // GUARDED_BY(mu_); block order, then discovery: order
  std::thread thread_;              // last: started when everything else exists
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_DISCOVERY_DISCOVERY_MANAGER_H
