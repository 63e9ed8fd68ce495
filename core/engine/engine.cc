#include "core/engine/engine.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <future>
#include <set>

#include "core/util/json_text.h"

namespace blockhealth {
namespace json = boost::json;

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
  auto ready = std::make_shared<std::promise<void>>();
  auto started = ready->get_future();
  thread_ = std::thread([this, ready] {
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
  // Stop the runners on the engine thread, then the thread itself.
  std::promise<void> done;
  boost::asio::post(io_, [this, &done] {
    for (auto& [id, runner] : runners_) runner->stop();
    runners_.clear();
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

BlockRunnerSharedPtr Engine::find_runner(const std::string& block) const {
  auto it = runners_.find(block);
  return it == runners_.end() ? nullptr : it->second;
}

void Engine::apply(EnginePlanConstSharedPtr plan) {
  (void)run_on_engine([&]() -> Result<void> {
    auto registry = std::make_shared<ViewRegistry>();
    std::map<std::string, BlockRunnerSharedPtr, std::less<>> next;
    const ViewRegistryConstSharedPtr old_views = views_.load();
    for (const PlannedBlock& planned : plan->blocks) {
      std::shared_ptr<BlockSlot> slot;
      if (auto it = old_views->by_id.find(planned.config.id); it != old_views->by_id.end()) {
        slot = it->second;
      } else {
        slot = std::make_shared<BlockSlot>();
      }
      auto runner = std::make_shared<BlockRunner>(ctx_, planned, slot);
      if (auto old = find_runner(planned.config.id)) runner->adopt(*old);
      registry->ordered.push_back(slot);
      registry->by_id.emplace(planned.config.id, slot);
      next.emplace(planned.config.id, std::move(runner));
    }
    for (auto& [id, runner] : runners_) runner->stop();
    runners_ = std::move(next);
    std::vector<InstanceKey> keep;
    for (auto& [id, runner] : runners_) {
      runner->start();
      const BlockViewConstSharedPtr view = runner->view();
      for (const InstanceView& in : view->instances) keep.push_back({id, in.id});
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

Result<void> Engine::register_instance(const std::string& block, const std::string& instance) {
  return run_on_engine([&]() -> Result<void> {
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    runner->add_pushed_instance(instance);
    return {};
  });
}

Result<void> Engine::unregister_instance(const std::string& block, const std::string& instance) {
  return run_on_engine([&]() -> Result<void> {
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    return runner->remove_pushed_instance(instance);
  });
}

Result<InstanceRecordSharedPtr> Engine::find_record(const std::string& block,
                                                    const std::string& instance) const {
  if (!views_.load()->by_id.contains(block)) {
    return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
  }
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
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    runner->set_paused(paused);
    return {};
  });
}

Result<void> Engine::evaluate_now(const std::string& block) {
  return run_on_engine([&]() -> Result<void> {
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    runner->evaluate_now();
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
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    PolicyHandleSharedPtr handle = runner->find_policy(policy);
    if (!handle) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no policy '" + policy + "'");
    }
    if (!handle->instance->plugin().has_manage()) {
      return fail("policy '" + policy + "' (" + handle->instance->plugin().name() +
                  ") has no management actions");
    }
    bool expected = false;
    if (!handle->instance->plugin().reentrant() &&
        !handle->busy.compare_exchange_strong(expected, true)) {
      return fail(ErrorCode::kBusy, "policy '" + policy + "' is busy evaluating; try again");
    }
    const auto timeout = runner->policy_timeout(policy);
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
        [timer, ticket, cancel, once, policy, timeout](const boost::system::error_code& ec) {
          if (ec) return;
          cancel->store(true);
          ticket->abandon();
          (*once)(fail(ErrorCode::kTimeout, "policy '" + policy + "' did not answer within " +
                                                std::to_string(timeout.count()) + "ms"));
        });
    return {};
  });
  if (!started) (*once)(started.error());
}

void Engine::refresh(const std::string& block) {
  (void)run_on_engine([&]() -> Result<void> {
    for (auto& [id, runner] : runners_) {
      if (block.empty() || id == block) runner->refresh();
    }
    return {};
  });
}

Result<Maintenance> Engine::set_maintenance(const std::string& block, const std::string& instance,
                                            std::string reason, std::int64_t until_ms) {
  Result<void> exists = run_on_engine([&]() -> Result<void> {
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    if (!runner->has_instance(instance)) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance + "'");
    }
    return {};
  });
  if (!exists) return exists.error();
  auto m = holds_.set_maintenance(block, instance, std::move(reason), until_ms);
  if (m) refresh(block);
  return m;
}

Result<bool> Engine::lift_maintenance(const std::string& block, const std::string& instance) {
  auto lifted = holds_.lift_maintenance(block, instance);
  if (lifted) refresh(block);
  return lifted;
}

Result<Silence> Engine::add_silence(const std::string& block, const std::string& instance,
                                    std::string reason, std::int64_t until_ms) {
  Result<void> exists = run_on_engine([&]() -> Result<void> {
    auto runner = find_runner(block);
    if (!runner) return fail(ErrorCode::kNotFound, "no block '" + block + "' in the configuration");
    if (!instance.empty() && !runner->has_instance(instance)) {
      return fail(ErrorCode::kNotFound, "block '" + block + "' has no instance '" + instance + "'");
    }
    return {};
  });
  if (!exists) return exists.error();
  auto s = holds_.add_silence(block, instance, std::move(reason), until_ms);
  if (s) refresh(block);
  return s;
}

Result<bool> Engine::lift_silence(const std::string& id) {
  auto lifted = holds_.lift_silence(id);
  if (lifted && *lifted) refresh("");
  return lifted;
}

void Engine::restore_history(const std::vector<Transition>& transitions) {
  (void)run_on_engine([&]() -> Result<void> {
    for (auto& [id, runner] : runners_) runner->restore_history(transitions);
    for (const Transition& t : transitions) {
      ctx_.transition_seq = std::max(ctx_.transition_seq, t.seq);
    }
    return {};
  });
}

std::string Engine::plugins_json() {
  json::array policies;
  (void)run_on_engine([&]() -> Result<void> {
    for (auto& [id, runner] : runners_) {
      for (const PolicyStateView& s : runner->policy_states()) {
        json::object o{{"block_id", id},         {"id", s.id},
                       {"use", s.use},           {"quarantined", s.quarantined},
                       {"calls", s.calls},       {"errors", s.errors},
                       {"timeouts", s.timeouts}, {"busy", s.busy}};
        if (s.quarantined) {
          o["quarantine"] = json::object{{"until", format_time_ms(s.quarantine_until_ms)},
                                         {"reason", s.quarantine_reason}};
        }
        policies.push_back(std::move(o));
      }
    }
    return {};
  });
  json::array loaded;
  json::array refused;
  json::array dirs;
  if (auto p = plan()) {
    for (const auto& plugin : p->catalog->plugins()) {
      loaded.push_back(json::object{
          {"name", plugin->name()},
          {"version", plugin->version()},
          {"description", plugin->description()},
          {"abi", std::to_string(plugin->abi_major()) + "." + std::to_string(plugin->abi_minor())},
          {"path", plugin->path().string()},
          {"content_hash", plugin->content_hash()},
          {"has_manage", plugin->has_manage()}});
    }
    for (const PluginProblem& problem : p->catalog->problems()) {
      refused.push_back(json::object{{"path", problem.path.string()}, {"error", problem.message}});
    }
    for (const auto& dir : p->config.plugin_dirs) dirs.push_back(json::string(dir.string()));
  }
  return to_json_text(json::object{{"dirs", std::move(dirs)},
                                   {"plugins", std::move(loaded)},
                                   {"refused", std::move(refused)},
                                   {"policies", std::move(policies)}});
}

}  // namespace blockhealth
