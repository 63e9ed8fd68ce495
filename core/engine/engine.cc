#include "core/engine/engine.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <set>
#include <string_view>

#include "core/engine/block_adoption.h"
#include "core/engine/block_view_builder.h"

namespace blockhealth {
namespace {

Error no_block(const std::string& block) {
  return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
}

}  // namespace

Engine::Engine(EngineOptions options, const Clock& clock, EngineListener& listener)
    : options_(options),
      clock_(clock),
      store_(clock),
      holds_(clock, options.hold_store),
      executor_(std::make_unique<EvalExecutor>(options.eval_workers, options.eval_queue,
                                               options.max_abandoned, options.shutdown_grace)),
      ctx_{io_,
           std::make_shared<EnginePoster>(io_),
           *executor_,
           clock,
           store_,
           listener,
           holds_,
           notifier_,
           options.quarantine,
           options.first_transition_seq} {
  views_.store(std::make_shared<const ViewRegistry>());
  loop_ =
      std::make_unique<EvalLoop>(ctx_, EvalLoopOptions{options.eval_workers, options.batch_window});
  auto ready = std::make_shared<std::promise<void>>();
  auto started = ready->get_future();
  thread_ = std::thread([this, ready] {
    pthread_setname_np(pthread_self(), "bh-engine");  // shown by top -H, ps -L
    auto guard = boost::asio::make_work_guard(io_);
    thread_id_ = std::this_thread::get_id();
    ready->set_value();
    io_.run();
  });
  started.wait();
}

Engine::~Engine() {
  stop();
}

void Engine::stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  // Stop the loop and let go of the blocks on the engine thread, then stop
  // the thread itself.
  std::promise<void> done;
  boost::asio::post(io_, [this, &done] {
    loop_->stop();
    for (auto& [id, block] : blocks_) {
      std::lock_guard lock(block->board->mutex());
      block->board->attach(nullptr);  // readers keep the last view
      block->news->owner = nullptr;
    }
    blocks_.clear();
    loop_.reset();
    done.set_value();
  });
  done.get_future().wait();
  ctx_.poster->close();
  io_.stop();
  if (thread_.joinable()) thread_.join();
  executor_.reset();  // waits up to shutdown_grace for plugin calls
}

Result<void> Engine::run_on_engine(const std::function<Result<void>()>& fn) {
  if (std::this_thread::get_id() == thread_id_) return fn();
  {
    std::lock_guard lock(stop_mu_);
    if (stopped_) return fail(ErrorCode::kUnavailable, "the engine is stopping");
  }
  std::packaged_task<Result<void>()> task(fn);
  auto result = task.get_future();
  boost::asio::post(io_, [&task] { task(); });
  return result.get();
}

EnginePlanConstSharedPtr Engine::plan() const {
  std::lock_guard lock(plan_mu_);
  return plan_;
}

BlockState* Engine::find_block(const std::string& block) const {
  auto it = blocks_.find(block);
  return it == blocks_.end() ? nullptr : it->second.get();
}

BlockViewConstSharedPtr Engine::build_view(const BlockState& block, std::uint64_t version,
                                           std::uint64_t state_index) const {
  return build_block_view(block, holds_, clock_, version, state_index);
}

void Engine::apply(EnginePlanConstSharedPtr plan) {
  (void)run_on_engine([&]() -> Result<void> {
    auto registry = std::make_shared<ViewRegistry>();
    std::map<std::string, BlockStatePtr, std::less<>> next;
    const ViewRegistryConstSharedPtr old_views = views_.load();
    for (const PlannedBlock& planned : plan->blocks) {
      BlockBoardSharedPtr board;
      if (auto it = old_views->by_id.find(planned.config->id); it != old_views->by_id.end()) {
        board = it->second;
      } else {
        board = std::make_shared<BlockBoard>(
            planned.config->id, [this](const BlockState& b, std::uint64_t v, std::uint64_t s) {
              return build_view(b, v, s);
            });
      }
      auto block = std::make_unique<BlockState>(plan, planned, board, ctx_.quarantine,
                                                loop_->news(), store_);
      if (BlockState* old = find_block(planned.config->id)) {
        // Readers build views from the attached state at any time: the
        // board leaves the old state (emptied by the adoption, destroyed
        // just below) under the same lock.
        std::vector<DroppedInstance> dropped;
        {
          std::lock_guard lock(board->mutex());
          adopt_block(*block, *old, store_, &dropped);
          board->attach(block.get());
        }
        for (const DroppedInstance& d : dropped) record_dropped(planned.config->id, d);
      }
      registry->ordered.push_back(board);
      registry->by_id.emplace(planned.config->id, board);
      next.emplace(planned.config->id, std::move(block));
    }
    for (auto& [id, old] : blocks_) {
      if (!next.contains(id)) {
        std::lock_guard lock(old->board->mutex());
        old->board->attach(nullptr);
      }
      loop_->retire(std::move(old));
    }
    blocks_ = std::move(next);
    std::vector<InstanceKey> keep;
    for (auto& [id, block] : blocks_) {
      {
        std::lock_guard lock(block->board->mutex());
        block->board->attach(block.get());
        block->board->changed(true);
      }
      block->hold_check_ms = holds_.next_expiry_ms(id);
      loop_->start(*block);
      for (const InstanceSlotPtr& in : block->instances) keep.push_back({id, in->id()});
    }
    store_.retain_only(keep);
    views_.store(std::move(registry));
    {
      std::lock_guard lock(plan_mu_);
      plan_ = plan;
    }
    return {};
  });
}

void Engine::record_dropped(const std::string& block, const DroppedInstance& d) {
  Transition t;
  t.seq = ++ctx_.transition_seq;
  t.time_ms = clock_.wall_ms();
  t.block_id = block;
  t.instance_id = d.id;
  t.from = d.status;
  t.to = Status::kUnknown;
  t.policy = "discovery";
  t.reason = "no longer discovered (" + d.discovered_by + "): instance removed";
  t.held_by = "instance removed by discovery";
  t.hold = HoldKind::kRemoved;
  spdlog::info("block {} instance {}: removed, no longer discovered by {}", block, d.id,
               d.discovered_by);
  ctx_.listener.on_transition(t);
}

void Engine::membership_changed(BlockState& block) {
  // Within this long of the previous change, a change is part of a burst.
  constexpr std::int64_t kBurstMs = 10;
  const std::int64_t now = clock_.wall_ms();
  const bool burst =
      block.membership_changed_ms != 0 && now - block.membership_changed_ms < kBurstMs;
  block.membership_changed_ms = now;
  if (burst) {
    loop_->changed_soon(block, now + kBurstMs);
  } else {
    loop_->changed(block, true);
  }
}

Result<void> Engine::register_instance(const std::string& block, const std::string& instance) {
  auto added = register_instances(block, {instance});
  if (!added) return added.error();
  return {};
}

Result<std::size_t> Engine::register_instances(const std::string& block,
                                               const std::vector<std::string>& instances) {
  std::size_t added = 0;
  auto done = run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    std::vector<const std::string*> fresh;
    std::set<std::string_view> seen;
    for (const std::string& id : instances) {
      if (b->find_instance(id) == nullptr && seen.insert(id).second) fresh.push_back(&id);
    }
    if (fresh.empty()) return {};
    const std::size_t most = b->plan->config.server.max_instances_per_block;
    if (b->instances.size() + fresh.size() > most) {
      return fail(ErrorCode::kConflict,
                  "block '" + block + "' has " + std::to_string(b->instances.size()) +
                      " instances; " + std::to_string(fresh.size()) + " more would pass the " +
                      std::to_string(most) +
                      " a block may have (server.max_instances_per_block): unregister some "
                      "first");
    }
    {
      std::lock_guard lock(b->board->mutex());
      for (const std::string* id : fresh) b->add_instance(*id, true, store_);
      b->history_dirty = true;
    }
    membership_changed(*b);
    added = fresh.size();
    return {};
  });
  if (!done) return done.error();
  return added;
}

Result<void> Engine::unregister_instance(const std::string& block, const std::string& instance) {
  return run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    const InstanceSlot* slot = b->find_instance(instance);
    if (slot == nullptr) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance + "'");
    }
    if (!slot->pushed) {
      return fail(ErrorCode::kConflict, "instance '" + instance + "' of block '" + block +
                                            "' comes from the config file; remove it there and "
                                            "reload");
    }
    {
      std::lock_guard lock(b->board->mutex());
      b->remove_instance(instance);
      b->history_dirty = true;
    }
    store_.remove({block, instance});
    membership_changed(*b);
    return {};
  });
}

Result<InstanceRecordSharedPtr> Engine::find_record(const std::string& block,
                                                    const std::string& instance) const {
  if (!views_.load()->by_id.contains(block)) return no_block(block);
  auto record = store_.find({block, instance});
  if (!record) {
    return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance +
                                          "'; register it first with PUT /v1/blocks/" + block +
                                          "/instances/" + instance);
  }
  return record;
}

Result<void> Engine::set_paused(const std::string& block, bool paused) {
  return run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    {
      std::lock_guard lock(b->board->mutex());
      b->paused = paused;
    }
    loop_->changed(*b, true);
    return {};
  });
}

Result<void> Engine::evaluate_now(const std::string& block, Scope scope) {
  return run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    loop_->visit_now(*b, scope == Scope::kAll ? VisitKind::kForce : VisitKind::kDueNow);
    return {};
  });
}

void Engine::manage_policy(const std::string& block, const std::string& policy,
                           const std::string& action, const std::string& data_json,
                           std::function<void(Result<std::string>)> done) {
  // Calls `done` once, whichever of the answer and the deadline comes first.
  struct Once {
    std::atomic<bool> called{false};
    std::function<void(Result<std::string>)> done;
    void operator()(Result<std::string> r) {
      if (!called.exchange(true)) done(std::move(r));
    }
  };
  auto once = std::make_shared<Once>();
  once->done = std::move(done);
  auto started = run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    PolicySlot* slot = policy.empty() ? nullptr : b->find_policy(policy);
    if (policy.empty()) {
      std::vector<PolicySlot*> managed;
      for (PolicySlot& p : b->policies) {
        if (p.planned.handle->instance->plugin().has_manage()) managed.push_back(&p);
      }
      if (managed.size() != 1) {
        std::string names;
        for (const PolicySlot* p : managed) names += (names.empty() ? "" : ", ") + p->id();
        return fail(ErrorCode::kInvalid,
                    managed.empty()
                        ? "block '" + block + "' has no policy with management actions"
                        : "block '" + block + "' has " + std::to_string(managed.size()) +
                              " policies with management actions (" + names +
                              "); name one in mgmt_data.policy");
      }
      slot = managed.front();
    } else if (slot == nullptr) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no policy '" + policy + "'");
    }
    PolicyHandleSharedPtr handle = slot->planned.handle;
    const std::string& named = slot->id();
    if (!handle->instance->plugin().has_manage()) {
      return fail("policy '" + named + "' (" + handle->instance->plugin().name() +
                  ") has no management actions");
    }
    bool expected = false;
    if (!handle->instance->plugin().reentrant() &&
        !handle->busy.compare_exchange_strong(expected, true)) {
      return fail(ErrorCode::kBusy, "policy '" + named + "' is busy evaluating; try again");
    }
    const auto timeout = slot->config.timeout;
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    CallLimits limits{
        clock_.wall_ms(),
        SystemClock::instance().monotonic_ns() + std::chrono::nanoseconds(timeout).count(),
        cancel.get()};
    auto ticket = std::make_shared<EvalExecutor::Ticket>();
    const bool queued = executor_->submit(
        [handle, action, data_json, limits, cancel, once] {
          Result<std::string> r = handle->instance->manage(action, data_json, limits);
          handle->busy.store(false);
          (*once)(std::move(r));
        },
        ticket.get());
    if (!queued) {
      handle->busy.store(false);
      return fail(ErrorCode::kBusy, "too many evaluations queued; try again");
    }
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, timeout);
    timer->async_wait(
        [timer, ticket, cancel, once, named = named, timeout](const boost::system::error_code& ec) {
          if (ec) return;
          cancel->store(true);
          ticket->abandon();
          (*once)(fail(ErrorCode::kTimeout, "policy '" + named + "' did not answer within " +
                                                std::to_string(timeout.count()) + "ms"));
        });
    return {};
  });
  if (!started) (*once)(started.error());
}

void Engine::holds_changed(const std::string& block) {
  (void)run_on_engine([&]() -> Result<void> {
    for (auto& [id, b] : blocks_) {
      if (block.empty() || id == block) loop_->changed(*b, true);
    }
    return {};
  });
}

Result<Maintenance> Engine::set_maintenance(const std::string& block, const std::string& instance,
                                            std::string reason, std::int64_t until_ms) {
  Result<void> exists = run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    if (b->find_instance(instance) == nullptr) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance + "'");
    }
    return {};
  });
  if (!exists) return exists.error();
  auto m = holds_.set_maintenance(block, instance, std::move(reason), until_ms);
  if (m) holds_changed(block);
  return m;
}

Result<bool> Engine::lift_maintenance(const std::string& block, const std::string& instance) {
  auto lifted = holds_.lift_maintenance(block, instance);
  if (lifted) holds_changed(block);
  return lifted;
}

Result<Silence> Engine::add_silence(const std::string& block, const std::string& instance,
                                    std::string reason, std::int64_t until_ms) {
  Result<void> exists = run_on_engine([&]() -> Result<void> {
    BlockState* b = find_block(block);
    if (b == nullptr) return no_block(block);
    if (!instance.empty() && b->find_instance(instance) == nullptr) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance + "'");
    }
    return {};
  });
  if (!exists) return exists.error();
  auto s = holds_.add_silence(block, instance, std::move(reason), until_ms);
  if (s) holds_changed(block);
  return s;
}

Result<bool> Engine::lift_silence(const std::string& id) {
  auto lifted = holds_.lift_silence(id);
  if (lifted && *lifted) holds_changed("");
  return lifted;
}

void Engine::restore_history(const std::vector<Transition>& transitions) {
  (void)run_on_engine([&]() -> Result<void> {
    for (auto& [id, b] : blocks_) {
      {
        std::lock_guard lock(b->board->mutex());
        for (InstanceSlotPtr& in : b->instances) {
          std::vector<Transition> mine;
          for (const Transition& t : transitions) {
            if (t.block_id == id && t.instance_id == in->id()) mine.push_back(t);
          }
          if (mine.empty()) continue;
          in->notified = mine.back().to;
          in->notified_before_restart = true;
          in->health.restore_history(std::move(mine));
        }
        b->history_dirty = true;
      }
      loop_->changed(*b, false);
    }
    for (const Transition& t : transitions) {
      ctx_.transition_seq = std::max(ctx_.transition_seq, t.seq);
    }
    return {};
  });
}

PluginsView Engine::plugins_view() {
  PluginsView out;
  (void)run_on_engine([&]() -> Result<void> {
    const std::int64_t now = clock_.wall_ms();
    for (auto& [id, b] : blocks_) {
      for (const PolicySlot& p : b->policies) {
        out.policies.push_back({id, policy_state_view(p, now)});
      }
    }
    return {};
  });
  if (auto p = plan()) {
    out.plugins = p->catalog->plugins();
    out.refused = p->catalog->problems();
    out.dirs = p->config.plugin_dirs;
  }
  return out;
}

}  // namespace blockhealth
