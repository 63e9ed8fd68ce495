// CallDispatcher: sends a tick's plugin calls to the worker threads in a
// few jobs, enforces each call's deadline, and hands every call back to the
// engine exactly once: done, timed out or refused.
#ifndef BLOCKHEALTH_CORE_ENGINE_CALL_DISPATCHER_H
#define BLOCKHEALTH_CORE_ENGINE_CALL_DISPATCHER_H

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/engine/engine_context.h"
#include "core/engine/eval_executor.h"
#include "core/engine/policy_call.h"

namespace blockhealth {

// What becomes of a call.
class CallSink {
 public:
  virtual ~CallSink() = default;
  // The call ran; its result is in it. The sink owns it again.
  virtual void on_call_done(PolicyCallPtr call) = 0;
  // The call overran its deadline and was abandoned. It still belongs to
  // the worker (which clears handle->busy when the plugin returns); read
  // its request fields only, during this call.
  virtual void on_call_timeout(const PolicyCall& call) = 0;
  // The call was not run: the queue was full or the engine is stopping.
  // handle->busy was cleared. The sink owns it again.
  virtual void on_call_refused(PolicyCallPtr call) = 0;
  // After each batch of the calls above (one job, one deadline check, one
  // refused dispatch): a good moment to act on all of them at once.
  virtual void on_batch_end() {}
};

// Engine thread only.
class CallDispatcher {
 public:
  // `workers` bounds how many jobs one dispatch makes (so a tick's calls
  // spread over the pool, a few calls per job).
  CallDispatcher(EngineContext& ctx, std::size_t workers, CallSink& sink);
  ~CallDispatcher();
  CallDispatcher(const CallDispatcher&) = delete;
  CallDispatcher& operator=(const CallDispatcher&) = delete;

  // Runs `calls` (each with handle->busy already set). Each comes back
  // through the sink.
  void dispatch(std::vector<PolicyCallPtr> calls);
  // Cancels every call still running (their results will be dropped) and
  // forgets them. Calls abandoned this way are not reported.
  void stop();

  std::size_t jobs_running() const { return running_.size(); }

 private:
  void submit(std::vector<PolicyCallPtr> calls);
  void on_job_done(const EvalJobSharedPtr& job);
  void arm_watchdog();
  void check_deadlines();

  EngineContext& ctx_;
  std::size_t workers_;
  CallSink& sink_;
  struct Running {
    EvalJobSharedPtr job;
    EvalExecutor::Ticket ticket;
  };
  std::unordered_map<const EvalJob*, Running> running_;
  boost::asio::steady_timer watchdog_;
  std::int64_t watchdog_at_ns_ = 0;  // when the watchdog is armed for (0 = not armed)
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_CALL_DISPATCHER_H
