// EventLog: the recent transitions of every block, in order, for
// GET /v1/events?after=SEQ: a bounded in-memory ring; older events come
// from the state store.
#ifndef BLOCKHEALTH_CORE_ENGINE_EVENT_LOG_H
#define BLOCKHEALTH_CORE_ENGINE_EVENT_LOG_H

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/engine/change_notifier.h"
#include "core/engine/engine_events.h"

namespace blockhealth {

// Thread-safe: on_transition runs on the engine thread, reads on HTTP
// threads. Each append notifies `notifier` under the key kEventsKey with the
// new seq.
class EventLog final : public EngineListener {
 public:
  static constexpr const char* kEventsKey = "events";

  EventLog(ChangeNotifier& notifier, std::size_t capacity)
      : notifier_(notifier), capacity_(capacity) {}

  void on_transition(const Transition& t) override;

  // Transitions up to `seq` happened before this log existed (a restarted
  // daemon's, in the state store): after() reports a cursor below it as
  // incomplete so the caller reads them from the store, and last_seq()
  // starts there. Call before the first on_transition.
  void start_after(std::uint64_t seq);

  struct Page {
    std::vector<Transition> events;  // oldest first
    std::uint64_t last_seq = 0;      // of the last event returned, else `after`
    bool complete = true;            // false: events after `after` were evicted from the ring
  };
  // Events with seq > after (of `block` when given), at most `limit`.
  Page after(std::uint64_t after, std::size_t limit, const std::optional<std::string>& block) const;
  std::uint64_t last_seq() const;

 private:
  struct Entry {
    std::uint64_t seq;
    Transition transition;
  };
  ChangeNotifier& notifier_;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::deque<Entry> ring_;             // GUARDED_BY(mu_); by seq
  std::uint64_t evicted_through_ = 0;  // GUARDED_BY(mu_); highest seq dropped from the ring
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_EVENT_LOG_H
