#include "core/engine/eval_loop.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "core/engine/block_evaluation.h"
#include "core/engine/health_update.h"
#include "core/util/time_text.h"

namespace blockhealth {
namespace {

std::string seconds_text(std::int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::int64_t random_phase(std::int64_t interval) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return std::uniform_int_distribution<std::int64_t>(0,
                                                     std::max<std::int64_t>(0, interval - 1))(rng);
}

}  // namespace

EvalLoop::EvalLoop(EngineContext& ctx, EvalLoopOptions options)
    : ctx_(ctx), options_(options), dispatcher_(ctx, options.workers, *this), timer_(ctx.io) {
  // A push that finds the queue empty wakes the loop, unless the timer
  // fires within a window anyway (it drains the news then).
  news_ = std::make_shared<NewsQueue>([this] {
    const std::int64_t due = timer_due_ms_.load();
    if (due != 0 && due <= ctx_.clock.wall_ms() + options_.batch_window.count()) return;
    on_news_later();
  });
}

void EvalLoop::on_news_later() {
  if (wake_posted_.exchange(true)) return;
  ctx_.poster->post([this, alive = std::weak_ptr<bool>(alive_)] {
    if (auto a = alive.lock(); a && *a) on_news();
  });
}

EvalLoop::~EvalLoop() {
  stop();
}

void EvalLoop::stop() {
  if (stopped_) return;
  stopped_ = true;
  *alive_ = false;
  timer_.cancel();
  dispatcher_.stop();
  retired_.clear();
  drained_.clear();
  news_->drain(drained_);  // the queued sinks go now, not with the queue
  drained_.clear();
}

void EvalLoop::start(BlockState& block) {
  const std::int64_t now = ctx_.clock.wall_ms();
  const std::int64_t interval = std::max<std::int64_t>(1, block.config.settings.interval.count());
  // A random phase so that blocks do not all tick together.
  block.phase_ms = random_phase(interval);
  for (PolicySlot& p : block.policies) {
    p.next_tick_ms = tick_at_or_after(block.phase_ms, p.interval_ms, now);
  }
  block.stopped = false;
  due_.schedule(block, news_visit_ms(block, now));
  arm_timer();
}

void EvalLoop::retire(BlockStatePtr block) {
  block->stopped = true;
  block->news->owner = nullptr;
  BlockState* raw = block.get();
  due_.forget([raw](const BlockState* b) { return b == raw; });
  std::erase(settling_, raw);
  if (block->calls_in_flight > 0) retired_.push_back(std::move(block));
}

void EvalLoop::reap(BlockState* block) {
  if (block->calls_in_flight > 0) return;
  std::erase_if(retired_, [block](const BlockStatePtr& b) { return b.get() == block; });
}

void EvalLoop::on_news() {
  wake_posted_.store(false);
  if (stopped_) return;
  drained_.clear();
  news_->drain(drained_);
  const std::int64_t now = ctx_.clock.wall_ms();
  for (const BlockNewsSinkSharedPtr& sink : drained_) {
    BlockState* block = sink->owner;
    if (block == nullptr || block->stopped) continue;
    due_.schedule(*block, news_visit_ms(*block, now));
  }
  drained_.clear();
  arm_timer();
}

void EvalLoop::arm_timer() {
  if (stopped_) return;
  const std::int64_t window = options_.batch_window.count();
  const std::int64_t now = ctx_.clock.wall_ms();
  const std::int64_t earliest = due_.earliest();
  if (earliest == 0) {
    timer_due_ms_.store(0);
    // News queued while the timer was near did not wake the loop.
    if (news_->pending()) on_news_later();
    return;
  }
  const std::int64_t at = window > 1 ? (earliest + window - 1) / window * window : earliest;
  if (timer_at_ms_ != 0 && timer_at_ms_ <= at) return;  // fires early enough
  timer_at_ms_ = at;
  timer_due_ms_.store(at);
  if (at > now + window && news_->pending()) on_news_later();
  const std::int64_t delay = std::max<std::int64_t>(0, at - now);
  timer_.expires_after(std::chrono::milliseconds(delay));
  timer_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        auto a = alive.lock();
        if (ec || !a || !*a) return;
        timer_at_ms_ = 0;
        timer_due_ms_.store(0);
        on_timer();
      });
}

void EvalLoop::on_timer() {
  on_news();
  const std::int64_t now = ctx_.clock.wall_ms();
  due_scratch_.clear();
  due_.pop_due(now, due_scratch_);
  for (BlockState* block : due_scratch_) visit(*block, now, VisitKind::kScheduled);
  due_scratch_.clear();
  dispatch_queued();
  arm_timer();
}

void EvalLoop::visit_now(BlockState& block, VisitKind kind) {
  if (stopped_) return;
  visit(block, ctx_.clock.wall_ms(), kind);
  dispatch_queued();
  arm_timer();
}

void EvalLoop::dispatch_queued() {
  if (calls_.empty()) return;
  std::vector<PolicyCallPtr> calls;
  calls.swap(calls_);
  dispatcher_.dispatch(std::move(calls));
}

void EvalLoop::visit(BlockState& block, std::int64_t now_ms, VisitKind kind) {
  if (block.stopped) return;
  const bool scheduled = kind == VisitKind::kScheduled;
  const bool force = kind == VisitKind::kForce;
  {
    std::lock_guard lock(block.board->mutex());
    block.news->take();  // later news queues the block again
    judge_probes(block, now_ms);
    if (block.hold_check_ms != 0 && block.hold_check_ms <= now_ms) {
      block.hold_check_ms = ctx_.holds.next_expiry_ms(block.id());
      block.shown_changed = block.significant_changed = true;
    }
    for (std::size_t i = 0; i < block.policies.size(); ++i) {
      PolicySlot& p = block.policies[i];
      const bool quarantined = p.quarantine.active(now_ms);
      if (quarantined != p.quarantine_shown) {
        p.quarantine_shown = quarantined;
        block.shown_changed = block.significant_changed = true;
      }
      if (scheduled && (block.paused || p.next_tick_ms > now_ms)) continue;
      if (scheduled) p.next_tick_ms = tick_at_or_after(block.phase_ms, p.interval_ms, now_ms + 1);
      if (p.in_flight) continue;  // the previous call has not come back yet
      if (quarantined) {
        ctx_.listener.on_policy_call(block.id(), p.id(), CallOutcome::kQuarantined, 0);
        apply_uniform(block, i, Status::kUnknown,
                      "policy " + p.use() + " quarantined until " +
                          format_time_ms(p.quarantine.until_ms()) + ": " + p.quarantine.reason(),
                      now_ms);
        continue;
      }
      if (p.handle().busy.load() && !p.handle().instance->plugin().reentrant()) {
        ++p.counters.skipped_busy;
        ctx_.listener.on_policy_call(block.id(), p.id(), CallOutcome::kBusy, 0);
        apply_uniform(block, i, Status::kUnknown,
                      "policy " + p.use() + " is still running a previous evaluation", now_ms);
        continue;
      }
      PolicyCallPtr call;
      if (spare_calls_.empty()) {
        call = std::make_unique<PolicyCall>();
      } else {
        call = std::move(spare_calls_.back());
        spare_calls_.pop_back();
      }
      if (!prepare_call(block, i, now_ms, force, *call)) {
        recycle(std::move(call));
        continue;
      }
      p.handle().busy.store(true);
      p.in_flight = true;
      call->call_id = ++p.call_id;
      ++block.calls_in_flight;
      calls_.push_back(std::move(call));
    }
    // "evaluated_at" is when the engine last looked at the block.
    block.evaluated_ms = now_ms;
    block.shown_changed = true;
  }
  if (block.calls_in_flight == 0) finish(block, now_ms);
}

BlockState* EvalLoop::call_returned(const PolicyCall& call) {
  BlockState* block = call.block;
  --block->calls_in_flight;
  if (block->stopped) {
    reap(block);
    return nullptr;
  }
  PolicySlot& p = block->policies[call.policy_index];
  if (!p.in_flight || p.call_id != call.call_id) return nullptr;
  p.in_flight = false;
  settle_later(*block);
  return block;
}

void EvalLoop::recycle(PolicyCallPtr call) {
  call->release();
  if (spare_calls_.size() < 4096) spare_calls_.push_back(std::move(call));
}

void EvalLoop::on_call_done(PolicyCallPtr call) {
  BlockState* block = call_returned(*call);
  if (block != nullptr) {
    PolicySlot& p = block->policies[call->policy_index];
    ++p.counters.calls;
    p.counters.last_duration_us = call->duration_us;
    const double seconds = static_cast<double>(call->duration_us) / 1e6;
    const std::int64_t now_ms = ctx_.clock.wall_ms();
    if (call->ok) {
      p.quarantine.record_success();
      ctx_.listener.on_policy_call(block->id(), p.id(), CallOutcome::kOk, seconds);
    } else {
      ++p.counters.errors;
      p.quarantine.record_error("policy " + p.use() + " failed: " + call->error, now_ms);
      ctx_.listener.on_policy_call(block->id(), p.id(), CallOutcome::kError, seconds);
      spdlog::warn("block {} policy {} failed: {}", block->id(), p.id(), call->error);
    }
    std::lock_guard lock(block->board->mutex());
    apply_call(*block, *call, now_ms);
  }
  recycle(std::move(call));
}

void EvalLoop::on_call_timeout(const PolicyCall& call) {
  BlockState* block = call_returned(call);
  if (block == nullptr) return;
  PolicySlot& p = block->policies[call.policy_index];
  ++p.counters.calls;
  ++p.counters.timeouts;
  const std::int64_t now_ms = ctx_.clock.wall_ms();
  const std::string reason =
      "policy " + p.use() + " timed out after " + seconds_text(p.config.timeout.count());
  p.quarantine.record_timeout(reason, now_ms);
  ctx_.listener.on_policy_call(block->id(), p.id(), CallOutcome::kTimeout,
                               static_cast<double>(p.config.timeout.count()) / 1000.0);
  spdlog::warn("block {} policy {}: {}; quarantined until {}", block->id(), p.id(), reason,
               format_time_ms(p.quarantine.until_ms()));
  std::lock_guard lock(block->board->mutex());
  apply_uniform(*block, call.policy_index, Status::kUnknown, reason, now_ms);
}

void EvalLoop::on_call_refused(PolicyCallPtr call) {
  BlockState* block = call_returned(*call);
  if (block != nullptr) {
    PolicySlot& p = block->policies[call->policy_index];
    ctx_.listener.on_policy_call(block->id(), p.id(), CallOutcome::kRejected, 0);
    std::lock_guard lock(block->board->mutex());
    apply_uniform(*block, call->policy_index, Status::kUnknown,
                  "policy " + p.use() + " not evaluated: too many evaluations queued",
                  ctx_.clock.wall_ms());
  }
  recycle(std::move(call));
}

void EvalLoop::settle_later(BlockState& block) {
  if (std::find(settling_.begin(), settling_.end(), &block) == settling_.end()) {
    settling_.push_back(&block);
  }
}

void EvalLoop::settle() {
  if (settling_.empty()) return;
  std::vector<BlockState*> blocks;
  blocks.swap(settling_);
  const std::int64_t now = ctx_.clock.wall_ms();
  for (BlockState* block : blocks) {
    if (!block->stopped && block->calls_in_flight == 0) finish(*block, now);
  }
  dispatch_queued();
  arm_timer();
}

void EvalLoop::finish(BlockState& block, std::int64_t now_ms) {
  {
    std::lock_guard lock(block.board->mutex());
    update_block_health(block, ctx_, now_ms);
    sample_flapping(block, ctx_, now_ms);
  }
  publish(block);
  const std::int64_t next = next_visit_ms(block, now_ms);
  if (next != 0) due_.schedule(block, next);
}

void EvalLoop::publish(BlockState& block) {
  if (!block.shown_changed && !block.significant_changed) return;
  const bool significant = block.significant_changed;
  std::uint64_t index = 0;
  {
    std::lock_guard lock(block.board->mutex());
    block.board->changed(significant);
    index = block.board->state_index();
    block.shown_changed = block.significant_changed = false;
  }
  if (significant) ctx_.notifier.notify("block:" + block.id(), index);
}

void EvalLoop::changed(BlockState& block, bool significant) {
  if (significant) block.significant_changed = true;
  block.shown_changed = true;
  if (block.stopped) return;
  block.hold_check_ms = ctx_.holds.next_expiry_ms(block.id());
  {
    std::lock_guard lock(block.board->mutex());
    update_block_health(block, ctx_, ctx_.clock.wall_ms());
  }
  publish(block);
  const std::int64_t now = ctx_.clock.wall_ms();
  const std::int64_t next = next_visit_ms(block, now);
  if (next != 0) due_.schedule(block, next);
  arm_timer();
}

void EvalLoop::changed_soon(BlockState& block, std::int64_t at_ms) {
  block.significant_changed = true;
  block.shown_changed = true;
  if (block.stopped) return;
  publish(block);
  due_.schedule(block, at_ms);
  arm_timer();
}

}  // namespace blockhealth
