#include "core/engine/call_dispatcher.h"

#include <algorithm>
#include <limits>

namespace blockhealth {
namespace {

// A job of fewer instances than this is not split: a hand-over to another
// worker (a wake-up there, a post back here) costs more than judging a
// thousand instances takes.
constexpr std::size_t kMinInstancesPerJob = 1024;

std::int64_t now_ns() {
  return SystemClock::instance().monotonic_ns();
}

}  // namespace

CallDispatcher::CallDispatcher(EngineContext& ctx, std::size_t workers, CallSink& sink)
    : ctx_(ctx), workers_(std::max<std::size_t>(1, workers)), sink_(sink), watchdog_(ctx.io) {}

CallDispatcher::~CallDispatcher() {
  stop();
}

void CallDispatcher::stop() {
  stopped_ = true;
  *alive_ = false;
  watchdog_.cancel();
  for (auto& [key, r] : running_) {
    for (PolicyCallPtr& call : r.job->calls()) {
      if (call) call->cancel.store(true);
    }
  }
  running_.clear();
}

void CallDispatcher::dispatch(std::vector<PolicyCallPtr> calls) {
  if (calls.empty()) return;
  std::size_t total = 0;
  for (const PolicyCallPtr& c : calls) total += c->records.size();
  const std::size_t jobs =
      std::max<std::size_t>(1, std::min({workers_, calls.size(), total / kMinInstancesPerJob}));
  if (jobs == 1) {
    submit(std::move(calls));
    return;
  }
  // Consecutive runs of calls with about total/jobs instances each.
  const std::size_t target = (total + jobs - 1) / jobs;
  std::vector<PolicyCallPtr> part;
  std::size_t in_part = 0;
  for (PolicyCallPtr& c : calls) {
    in_part += c->records.size();
    part.push_back(std::move(c));
    if (in_part >= target) {
      submit(std::move(part));
      part.clear();
      in_part = 0;
    }
  }
  if (!part.empty()) submit(std::move(part));
}

void CallDispatcher::submit(std::vector<PolicyCallPtr> calls) {
  auto job = std::make_shared<EvalJob>(std::move(calls));
  EvalExecutor::Ticket ticket;
  const bool queued =
      !stopped_ && ctx_.executor.submit(
                       [job, poster = ctx_.poster, alive = std::weak_ptr<bool>(alive_), this] {
                         if (!job->run()) return;  // abandoned: the engine took what it needed
                         poster->post([job, alive, this] {
                           if (auto a = alive.lock(); a && *a) on_job_done(job);
                         });
                       },
                       &ticket);
  if (!queued) {
    for (PolicyCallPtr& call : job->calls()) {
      call->handle->busy.store(false);
      sink_.on_call_refused(std::move(call));
    }
    sink_.on_batch_end();
    return;
  }
  running_.emplace(job.get(), Running{job, ticket});
  arm_watchdog();
}

void CallDispatcher::on_job_done(const EvalJobSharedPtr& job) {
  if (running_.erase(job.get()) == 0) return;  // abandoned meanwhile
  for (PolicyCallPtr& call : job->calls()) sink_.on_call_done(std::move(call));
  sink_.on_batch_end();
}

void CallDispatcher::arm_watchdog() {
  if (running_.empty() || stopped_) return;
  // The earliest moment a call could overrun: a running call's deadline, or
  // for a job not started yet, one timeout from now (checked again then).
  const std::int64_t now = now_ns();
  std::int64_t at = std::numeric_limits<std::int64_t>::max();
  for (auto& [key, r] : running_) {
    std::int64_t since = 0;
    const int i = r.job->running(&since);
    if (i >= 0) {
      at = std::min(
          at, since + std::chrono::nanoseconds(r.job->calls()[static_cast<std::size_t>(i)]->timeout)
                          .count());
    } else {
      for (const PolicyCallPtr& c : r.job->calls()) {
        if (c) at = std::min(at, now + std::chrono::nanoseconds(c->timeout).count());
      }
    }
  }
  if (watchdog_at_ns_ != 0 && watchdog_at_ns_ <= at) return;  // armed early enough
  watchdog_at_ns_ = at;
  watchdog_.expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, at - now)));
  watchdog_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        auto a = alive.lock();
        if (ec || !a || !*a) return;
        watchdog_at_ns_ = 0;
        check_deadlines();
        arm_watchdog();
      });
}

void CallDispatcher::check_deadlines() {
  const std::int64_t now = now_ns();
  std::vector<PolicyCallPtr> again;
  for (auto it = running_.begin(); it != running_.end();) {
    Running& r = it->second;
    std::int64_t since = 0;
    const int i = r.job->running(&since);
    if (i < 0 ||
        now < since + std::chrono::nanoseconds(r.job->calls()[static_cast<std::size_t>(i)]->timeout)
                          .count()) {
      ++it;
      continue;
    }
    const int stuck = r.job->abandon();
    if (stuck < 0) {  // finished meanwhile: its completion is on its way
      ++it;
      continue;
    }
    r.ticket.abandon();  // the pool starts a replacement worker
    std::vector<PolicyCallPtr>& calls = r.job->calls();
    const auto s = static_cast<std::size_t>(stuck);
    calls[s]->cancel.store(true);
    sink_.on_call_timeout(*calls[s]);
    for (std::size_t k = 0; k < s; ++k) sink_.on_call_done(std::move(calls[k]));
    for (std::size_t k = s + 1; k < calls.size(); ++k) again.push_back(std::move(calls[k]));
    it = running_.erase(it);
  }
  if (!again.empty()) submit(std::move(again));
  sink_.on_batch_end();
}

}  // namespace blockhealth
