// InotifyWatcher: one inotify descriptor for all followed log files,
// watching their folders (so that files created, renamed or truncated there
// are seen) and calling each subscriber when anything in its folder changes.
#ifndef BLOCKHEALTH_CORE_SOURCES_INOTIFY_WATCHER_H
#define BLOCKHEALTH_CORE_SOURCES_INOTIFY_WATCHER_H

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/util/result.h"

namespace blockhealth {

// Thread-safe: subscribe/unsubscribe/stop from any thread. The descriptor
// lives on its own strand of the given executor; callbacks run there, never
// two at once, and must not call subscribe/unsubscribe.
class InotifyWatcher : public std::enable_shared_from_this<InotifyWatcher> {
 public:
  using Callback = std::function<void()>;

  // An error when inotify is not available (e.g. not Linux, or the
  // per-user instance limit is reached).
  static Result<std::shared_ptr<InotifyWatcher>> create(boost::asio::any_io_executor executor);
  ~InotifyWatcher();

  // Calls `callback` after each batch of events in `dir` (created, written,
  // moved, deleted, attributes changed; or an event queue overflow).
  // Returns the subscription id, or an error naming the folder (e.g. it
  // does not exist, or the watch limit is reached): poll instead then.
  Result<std::uint64_t> subscribe(const std::filesystem::path& dir, Callback callback);
  void unsubscribe(std::uint64_t id);

  // Stops reading events; the descriptor is closed. Idempotent.
  void stop();

 private:
  InotifyWatcher(boost::asio::any_io_executor executor, int fd);
  void read_events();
  void dispatch(std::size_t bytes);

  struct Subscriber {
    std::uint64_t id;
    Callback callback;
  };
  boost::asio::posix::stream_descriptor descriptor_;
  alignas(8) std::array<char, std::size_t{16} * 1024> buffer_{};  // used by the one pending read
  mutable std::mutex mu_;
  std::map<int, std::vector<Subscriber>>
      by_watch_;                           // watch descriptor -> subscribers; GUARDED_BY(mu_)
  std::map<std::uint64_t, int> watch_of_;  // subscription -> watch; GUARDED_BY(mu_)
  std::uint64_t next_id_ = 1;              // GUARDED_BY(mu_)
  int fd_ = -1;
  bool stopped_ = false;  // GUARDED_BY(mu_)
};
using InotifyWatcherSharedPtr = std::shared_ptr<InotifyWatcher>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_INOTIFY_WATCHER_H
