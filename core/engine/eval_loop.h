// EvalLoop: the engine thread's scheduler. It visits a block only when
// something may have changed (see visit_schedule.h), batches the plugin
// calls of the blocks due together into a few jobs for the worker threads
// (CallDispatcher), applies the results, updates the instances' health and
// tells the block's board what changed.
#ifndef BLOCKHEALTH_CORE_ENGINE_EVAL_LOOP_H
#define BLOCKHEALTH_CORE_ENGINE_EVAL_LOOP_H

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/engine/block_news.h"
#include "core/engine/block_state.h"
#include "core/engine/call_dispatcher.h"
#include "core/engine/engine_context.h"
#include "core/engine/visit_schedule.h"

namespace blockhealth {

struct EvalLoopOptions {
  std::size_t workers = 4;
  // Visits due within one window are made together, at its end: a tick is
  // at most this late, and the blocks due in it share their jobs.
  std::chrono::milliseconds batch_window{25};
};

// How a visit chooses what to evaluate.
enum class VisitKind {
  kScheduled,  // a tick: policies on tick, their due instances; none while paused
  kDueNow,     // every policy now, its due instances, paused or not
  kForce,      // every policy now, every instance it judges, paused or not
};

// Engine thread only, but for the news queue (see news()).
class EvalLoop final : public CallSink {
 public:
  EvalLoop(EngineContext& ctx, EvalLoopOptions options);
  ~EvalLoop() override;
  EvalLoop(const EvalLoop&) = delete;
  EvalLoop& operator=(const EvalLoop&) = delete;

  // Where blocks' records send news (thread-safe).
  const NewsQueueSharedPtr& news() const { return news_; }

  // Takes a block on: picks its phase and schedules its first visit.
  void start(BlockState& block);
  // Lets a block go (stopped, unscheduled, detached from its board). It is
  // destroyed once no call of it is in flight: the loop takes ownership.
  void retire(BlockStatePtr block);
  // Visits `block` now (mgmt "evaluate"; tests).
  void visit_now(BlockState& block, VisitKind kind);
  // Something shown changed outside a visit (a hold, the pause, an
  // instance added or removed): tells the board and watchers and
  // reschedules the block.
  void changed(BlockState& block, bool significant);
  // The same for a burst (many instances registered one after another):
  // tells the board and watchers now, and settles the block's health at
  // its visit at `at_ms` (once for the burst), not now.
  void changed_soon(BlockState& block, std::int64_t at_ms);
  // Stops calling plugins: calls in flight are cancelled, their results
  // dropped.
  void stop();

  // CallSink
  void on_call_done(PolicyCallPtr call) override;
  void on_call_timeout(const PolicyCall& call) override;
  void on_call_refused(PolicyCallPtr call) override;
  void on_batch_end() override { settle(); }

 private:
  void on_news();
  // Posts on_news() unless a post is pending. Thread-safe.
  void on_news_later();
  void arm_timer();
  void on_timer();
  // Visits the block at `now_ms`: judges probes, starts the calls of the
  // policies on tick (queued in calls_ for one dispatch), and when none is
  // needed finishes the visit at once.
  void visit(BlockState& block, std::int64_t now_ms, VisitKind kind);
  void dispatch_queued();
  // A result of `block` came in (or a call gave up): apply later in
  // settle().
  void settle_later(BlockState& block);
  // Health update, board, watchers and the next visit of every block that
  // got results since the last settle.
  void settle();
  void finish(BlockState& block, std::int64_t now_ms);
  void publish(BlockState& block);
  // Call bookkeeping shared by every way a call comes back; returns the
  // block when it still runs and the call is its current one.
  BlockState* call_returned(const PolicyCall& call);
  void recycle(PolicyCallPtr call);
  void reap(BlockState* block);

  EngineContext& ctx_;
  EvalLoopOptions options_;
  NewsQueueSharedPtr news_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::atomic<bool> wake_posted_{false};
  // When the timer fires next (wall ms; 0 = not armed), for news to know
  // whether to wake the loop or let the timer pick it up. seq_cst on both
  // sides: a push either sees a far timer and wakes the loop, or the loop,
  // having armed it, sees the push queued.
  std::atomic<std::int64_t> timer_due_ms_{0};
  DueQueue due_;
  CallDispatcher dispatcher_;
  boost::asio::steady_timer timer_;
  std::int64_t timer_at_ms_ = 0;                 // when the timer is armed for (0 = not armed)
  std::vector<PolicyCallPtr> calls_;             // to dispatch at the end of this turn
  std::vector<BlockState*> settling_;            // blocks with results to settle
  std::vector<BlockStatePtr> retired_;           // stopped blocks with calls in flight
  std::vector<BlockNewsSinkSharedPtr> drained_;  // scratch
  std::vector<BlockState*> due_scratch_;
  std::vector<PolicyCallPtr> spare_calls_;  // for reuse
  bool stopped_ = false;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_EVAL_LOOP_H
