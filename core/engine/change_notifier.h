// ChangeNotifier: lets any number of HTTP watchers wait for a key's index to
// move past a value without a thread each: a waiter is a callback, called
// once, by whoever publishes the change.
#ifndef BLOCKHEALTH_CORE_ENGINE_CHANGE_NOTIFIER_H
#define BLOCKHEALTH_CORE_ENGINE_CHANGE_NOTIFIER_H

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace blockhealth {

// Thread-safe. Callbacks run on the notifying thread (the engine thread),
// outside the notifier's lock, and must be quick (post work elsewhere).
class ChangeNotifier {
 public:
  using Callback = std::function<void()>;

  // Calls `callback` once `key`'s index is past `after`: at once (on this
  // thread, before returning 0) when it already is, else at the first
  // notify() that moves it past. Returns a token for cancel(), 0 when the
  // callback already ran.
  std::uint64_t wait(const std::string& key, std::uint64_t after, Callback callback);

  // Removes a waiter. True when it was still waiting (its callback will
  // never run); false when it already ran or is running.
  bool cancel(std::uint64_t token);

  // Drops every waiter without running it (shutdown: their callbacks, and
  // what they hold, such as timers of an I/O loop about to go, are
  // destroyed now, outside the lock). Later wait()s work as before.
  void cancel_all();

  // Records `key`'s new index and runs the callbacks of the waiters it
  // satisfies.
  void notify(const std::string& key, std::uint64_t index);

  std::uint64_t index(const std::string& key) const;  // 0 when never notified
  std::size_t waiting() const;

 private:
  struct Waiter {
    std::uint64_t after;
    Callback callback;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t, std::less<>> index_;  // GUARDED_BY(mu_)
  // Waiters by key, then token; and each token's key, for cancel().
  std::map<std::string, std::map<std::uint64_t, Waiter>, std::less<>> waiters_;  // GUARDED_BY(mu_)
  std::map<std::uint64_t, std::string> key_of_;                                  // GUARDED_BY(mu_)
  std::uint64_t next_token_ = 1;                                                 // GUARDED_BY(mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_CHANGE_NOTIFIER_H
