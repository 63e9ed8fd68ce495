// EvalExecutor: the worker threads that run plugin calls.
#ifndef BLOCKHEALTH_CORE_ENGINE_EVAL_EXECUTOR_H
#define BLOCKHEALTH_CORE_ENGINE_EVAL_EXECUTOR_H

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace blockhealth {

// A bounded pool whose capacity survives plugin calls that never return:
// when the engine gives up on a running call (abandon()), the pool starts a
// replacement worker, up to `max_abandoned` at once; when an abandoned call
// finally returns, its worker retires if the pool is above size.
//
// Thread-safe. Workers are detached and share the pool's state, so a call
// stuck inside a plugin never blocks destruction: ~EvalExecutor stops
// accepting work, lets queued tasks be dropped, and waits up to
// `shutdown_grace` for running calls before returning.
class EvalExecutor {
 public:
  // A handle on one submitted task. abandon() tells the pool the task overran
  // and its worker should be replaced; safe to call from any thread, once
  // or more, before or after the task finished.
  class Ticket {
   public:
    void abandon();

   private:
    friend class EvalExecutor;
    struct State;
    std::shared_ptr<State> state_;
  };

  EvalExecutor(std::size_t workers, std::size_t max_queue, std::size_t max_abandoned,
               std::chrono::milliseconds shutdown_grace);
  ~EvalExecutor();
  EvalExecutor(const EvalExecutor&) = delete;
  EvalExecutor& operator=(const EvalExecutor&) = delete;

  // Queues `task`. Returns false (and does not run it) when the queue is
  // full, too many calls are abandoned, or the pool is shutting down.
  bool submit(std::function<void()> task, Ticket* ticket = nullptr);

  std::size_t abandoned_running() const;
  std::size_t live_workers() const;

 private:
  struct Shared;
  std::shared_ptr<Shared> shared_;
  std::chrono::milliseconds grace_{0};
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_EVAL_EXECUTOR_H
