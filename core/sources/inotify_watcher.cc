#include "core/sources/inotify_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <set>

namespace blockhealth {
namespace {

constexpr std::uint32_t kMask = IN_MODIFY | IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE |
                                IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

Result<InotifyWatcherSharedPtr> InotifyWatcher::create(boost::asio::any_io_executor executor) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return fail(std::string("inotify is not available: ") + std::strerror(errno));
  InotifyWatcherSharedPtr watcher(new InotifyWatcher(std::move(executor), fd));
  watcher->read_events();
  return watcher;
}

InotifyWatcher::InotifyWatcher(boost::asio::any_io_executor executor, int fd)
    : descriptor_(boost::asio::make_strand(std::move(executor)), fd), fd_(fd) {}

InotifyWatcher::~InotifyWatcher() {
  boost::system::error_code ignored;
  descriptor_.close(ignored);
}

Result<std::uint64_t> InotifyWatcher::subscribe(const std::filesystem::path& dir,
                                                Callback callback) {
  std::lock_guard lock(mu_);
  if (stopped_) return fail("inotify watcher stopped");
  // The same folder always yields the same watch descriptor (and mask).
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask | IN_ONLYDIR);
  if (wd < 0) {
    return fail("cannot watch " + dir.string() + " with inotify: " + std::strerror(errno));
  }
  const std::uint64_t id = next_id_++;
  by_watch_[wd].push_back({id, std::move(callback)});
  watch_of_[id] = wd;
  return id;
}

void InotifyWatcher::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mu_);
  const auto it = watch_of_.find(id);
  if (it == watch_of_.end()) return;
  const int wd = it->second;
  watch_of_.erase(it);
  auto& subscribers = by_watch_[wd];
  std::erase_if(subscribers, [id](const Subscriber& s) { return s.id == id; });
  if (subscribers.empty()) {
    by_watch_.erase(wd);
    if (!stopped_) ::inotify_rm_watch(fd_, wd);
  }
}

void InotifyWatcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  boost::asio::post(descriptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->descriptor_.close(ignored);
  });
}

void InotifyWatcher::read_events() {
  descriptor_.async_read_some(boost::asio::buffer(buffer_), [self = shared_from_this()](
                                                                const boost::system::error_code& ec,
                                                                std::size_t bytes) {
    if (ec == boost::asio::error::operation_aborted || ec == boost::asio::error::bad_descriptor) {
      return;
    }
    if (!ec) self->dispatch(bytes);
    {
      std::lock_guard lock(self->mu_);
      if (self->stopped_) return;
    }
    self->read_events();
  });
}

void InotifyWatcher::dispatch(std::size_t bytes) {
  std::set<int> touched;
  bool overflow = false;
  for (std::size_t at = 0; at + sizeof(inotify_event) <= bytes;) {
    inotify_event event{};
    std::memcpy(&event, buffer_.data() + at, sizeof(event));
    if ((event.mask & IN_Q_OVERFLOW) != 0) overflow = true;
    if (event.wd >= 0) touched.insert(event.wd);
    at += sizeof(inotify_event) + event.len;
  }
  std::vector<Callback> calls;
  {
    std::lock_guard lock(mu_);
    for (const auto& [wd, subscribers] : by_watch_) {
      if (!overflow && !touched.contains(wd)) continue;
      for (const Subscriber& s : subscribers) calls.push_back(s.callback);
    }
  }
  for (const Callback& call : calls) call();
}

}  // namespace blockhealth
