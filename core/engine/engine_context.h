// EngineContext: what the engine's parts share: the engine thread's
// io_context, the plugin call pool, the clock, the observation store, the
// listener, holds and watchers. Owned by the Engine, which outlives every
// part.
#ifndef BLOCKHEALTH_CORE_ENGINE_ENGINE_CONTEXT_H
#define BLOCKHEALTH_CORE_ENGINE_ENGINE_CONTEXT_H

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "core/engine/change_notifier.h"
#include "core/engine/engine_events.h"
#include "core/engine/eval_executor.h"
#include "core/engine/hold_registry.h"
#include "core/engine/quarantine.h"
#include "core/observations/observation_store.h"
#include "core/util/clock.h"

namespace blockhealth {

// Posts work to the engine thread from any thread, including plugin worker
// threads that may outlive the engine: after close() posts are dropped.
// Thread-safe.
class EnginePoster {
 public:
  explicit EnginePoster(boost::asio::io_context& io) : io_(&io) {}
  void post(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    if (io_ != nullptr) boost::asio::post(*io_, std::move(fn));
  }
  void close() {
    std::lock_guard lock(mu_);
    io_ = nullptr;
  }

 private:
  std::mutex mu_;
  boost::asio::io_context* io_;  // GUARDED_BY(mu_); null once closed
};

struct EngineContext {
  boost::asio::io_context& io;  // run by the engine thread
  std::shared_ptr<EnginePoster> poster;
  EvalExecutor& executor;
  const Clock& clock;
  ObservationStore& store;
  EngineListener& listener;
  HoldRegistry& holds;
  ChangeNotifier& notifier;  // key "block:<id>" moves with each block's state_index
  QuarantinePolicy quarantine;
  std::uint64_t transition_seq = 0;  // engine thread only
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_ENGINE_CONTEXT_H
