// ActionDispatcher: runs the blocks' `on_transition` actions - webhooks,
// failure-policy calls and Alertmanager alerts - for the transitions the
// engine hands it, without ever making the engine wait on the network. See
// docs/actions.md.
//
// What it does with notify(t, event), for each action of t's block whose
// `to:` has t.to:
//  1. repeat_after (per block; 0 = off): the notification is suppressed
//     when the same status went out for this (instance, action) less than
//     repeat_after ago; otherwise it goes out and, while the instance stays
//     in that status, goes out again every repeat_after with "repeat": true.
//     The repeat timers live here (the dispatcher sees every transition
//     through observe()); options.repeat_gate can hold a repeat back.
//  2. The body is built (core/wire/action_bodies.h) and a Delivery is written to the
//     outbox (durable first; if the outbox fails, it is kept in memory only
//     and the error logged), then queued. When options.max_pending
//     deliveries are already held, it is dropped: logged, counted.
//  3. The dispatcher's own thread POSTs it: at most max_in_flight at once,
//     one at a time per (instance, action), in order. 2xx: delivered,
//     removed from the outbox. A 4xx other than 408/429: given up at once
//     (the receiver refused the body). Anything else (no answer, timeout,
//     other status, unreadable token_file): retried after
//     min(cap, base * 2^(attempts-1)), until max_attempts attempts; a
//     delivery older than max_age when due is given up without sending.
//     Give-ups are logged (warning, with the last error) and counted; every
//     failed attempt is logged and counted.
//
// `alertmanager:` actions keep state instead (AlertTracker, see
// alert_tracker.h): each transition, held ones included, may fire or
// resolve the instance's alert, and an active alert is posted again every
// resend_every (repeat_after does not apply to them). Their posts go
// through steps 2 and 3 like any call; the firing alerts' endsAt is moved
// to the time of each attempt (wire::alertmanager_body_at).
//
// Delivery is at least once: a POST in flight when the process stops is
// sent again after the restart.
#ifndef BLOCKHEALTH_CORE_ACTIONS_ACTION_DISPATCHER_H
#define BLOCKHEALTH_CORE_ACTIONS_ACTION_DISPATCHER_H

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/actions/action_metrics.h"
#include "core/actions/action_plan.h"
#include "core/actions/alert_tracker.h"
#include "core/actions/delivery_outbox.h"
#include "core/actions/delivery_queue.h"
#include "core/actions/dispatcher_options.h"
#include "core/actions/http_post.h"
#include "core/actions/repeat_tracker.h"
#include "core/config/config.h"
#include "core/model/action_event.h"
#include "core/model/transition.h"
#include "core/prometheus/metrics_registry.h"
#include "core/util/clock.h"
#include "core/util/result.h"
#include "core/wire/action_bodies.h"

namespace blockhealth {

struct DispatcherStats {
  std::size_t pending = 0;    // held: queued, waiting for a retry, or in flight
  std::size_t in_flight = 0;  // POSTs under way
  std::size_t repeats_armed = 0;
  std::uint64_t queued = 0;   // deliveries created (repeats included)
  std::uint64_t repeats = 0;  // of which repeats
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t gave_up = 0;
  std::uint64_t dropped = 0;
  std::uint64_t suppressed = 0;
  std::size_t alerts_firing = 0;  // alerts Alertmanager was last told fire
};

// Thread-safe: every public method may be called from any thread. notify()
// and observe() never wait on I/O other than the outbox's add() (a quick
// insert). Lifecycle: apply() (at least once before anything is sent, then
// after each reload), start() once, stop() once (the destructor stops).
class ActionDispatcher {
 public:
  // `outbox` and `clock` must outlive the dispatcher. `registry` may be
  // nullptr (no metrics); else the actions' families are registered in it
  // (see action_metrics.h; a second dispatcher on one registry exports
  // nothing, which is logged).
  ActionDispatcher(DispatcherOptions options, DeliveryOutbox& outbox, const Clock& clock,
                   prometheus::MetricsRegistry* registry);
  ~ActionDispatcher();
  ActionDispatcher(const ActionDispatcher&) = delete;
  ActionDispatcher& operator=(const ActionDispatcher&) = delete;

  // Takes the blocks' actions from `config` (reads its YAML nodes: call on
  // the thread that owns them). Deliveries held for an action that is gone
  // (or whose URL changed) are dropped, logged and counted; repeats of
  // blocks whose repeat_after became 0 stop.
  void apply(const Config& config);

  // Loads the deliveries left in the outbox (each waits for its
  // next_attempt_ms) and starts sending. Error when the outbox cannot be
  // read; the dispatcher runs anyway (new notifications are sent).
  // REQUIRES: called once, before stop().
  Result<void> start();

  // Stops sending and joins the thread. Deliveries not yet delivered stay
  // in the outbox (a POST in flight is abandoned and not counted as an
  // attempt). notify() afterwards still stores, but nothing is sent.
  // Idempotent.
  void stop();

  // Tells the dispatcher the instance is now in t.to, for every transition,
  // including those whose actions are held (maintenance, silence,
  // flapping): a change of status stops the repeats of the previous one,
  // and a held transition (t.hold) may resolve or re-send an alert
  // (AlertTracker::held). Returns at once.
  void observe(const Transition& t);

  // Runs t's block's actions that trigger on t.to (see the file comment).
  // Includes observe(t). Returns at once. Before the first apply() no block
  // has actions, so nothing happens.
  void notify(const Transition& t, ActionEvent event);

  // After a restart, with the history read back from the state store: the
  // alerts that may still be firing in Alertmanager (AlertTracker::restore).
  // REQUIRES: after the first apply().
  void restore_alerts(const std::vector<Transition>& recent);

  // The daemon's own base URL ("http://host:30201"), for the generatorURL
  // of alerts; "" (the default) leaves it out.
  void set_self_url(std::string url);

  DispatcherStats stats() const;

 private:
  // REQUIRES: mu_ held.
  void enqueue(const Transition& t, const PreparedAction& action, ActionEvent event,
               std::int64_t now_ms);
  void enqueue_alerts(const AlertTracker::Post& post, const PreparedAction& action,
                      std::int64_t now_ms);
  // Stores and queues `d` (its body set); `what` names it in the log line
  // of a drop. REQUIRES: mu_ held.
  void enqueue_delivery(Delivery d, bool repeat, const std::string& what);
  void wake();  // posts pump() unless one is posted already; REQUIRES: mu_ held
  void pump();  // on the io thread
  void pump_locked(std::int64_t now_ms);  // REQUIRES: mu_ held, io thread
  void send(DeliveryQueue::Key key, const PreparedAction& action, std::int64_t now_ms);
  void on_posted(DeliveryQueue::Key key, const PostResult& result);
  // A failed attempt of `key` (already off flight): retry or give up.
  void attempt_failed(DeliveryQueue::Key key, const std::string& error, bool give_up_now,
                      std::int64_t now_ms);
  void finish(DeliveryQueue::Key key, DeliveryResult result, const std::string& why);
  void drop_orphans();                  // deliveries whose action is gone; REQUIRES: mu_ held
  void arm_timer(std::int64_t now_ms);  // REQUIRES: mu_ held, io thread

  const DispatcherOptions options_;
  DeliveryOutbox& outbox_;
  const Clock& clock_;
  ActionMetrics metrics_;

  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer timer_;  // io thread only
  std::thread thread_;

  mutable std::mutex mu_;
  ActionPlanConstSharedPtr plan_;   // GUARDED_BY(mu_); nullptr until apply()
  DeliveryQueue queue_;             // GUARDED_BY(mu_)
  RepeatTracker repeats_;           // GUARDED_BY(mu_)
  AlertTracker alerts_;             // GUARDED_BY(mu_)
  DispatcherStats counts_;          // GUARDED_BY(mu_); the counters of stats()
  bool started_ = false;            // GUARDED_BY(mu_)
  bool stopped_ = false;            // GUARDED_BY(mu_)
  bool wake_posted_ = false;        // GUARDED_BY(mu_)
  std::uint64_t drops_logged_ = 0;  // GUARDED_BY(mu_)
};
using ActionDispatcherPtr = std::unique_ptr<ActionDispatcher>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_ACTION_DISPATCHER_H
