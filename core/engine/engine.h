// Engine: runs the configured blocks and answers the daemon's questions
// about them. The one object server/ talks to. docs/design.md walks the
// life of an evaluation through its parts.
#ifndef BLOCKHEALTH_CORE_ENGINE_ENGINE_H
#define BLOCKHEALTH_CORE_ENGINE_ENGINE_H

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/engine/block_board.h"
#include "core/engine/block_state.h"
#include "core/engine/engine_context.h"
#include "core/engine/engine_plan.h"
#include "core/engine/eval_loop.h"
#include "core/engine/plugins_view.h"

namespace blockhealth {

struct DroppedInstance;

struct EngineOptions {
  std::size_t eval_workers = 4;                     // threads running plugin calls
  std::size_t eval_queue = 4096;                    // queued jobs beyond which calls are refused
  std::size_t max_abandoned = 32;                   // overrunning calls tolerated at once
  std::chrono::milliseconds shutdown_grace{5'000};  // wait for running calls at stop
  std::chrono::milliseconds batch_window{25};       // see EvalLoopOptions
  QuarantinePolicy quarantine;
  HoldStore* hold_store = nullptr;         // where maintenance and silences persist; may be nullptr
  std::uint64_t first_transition_seq = 0;  // continue numbering after this (restored history)
};

// Thread-safe: every public method may be called from any thread. All
// evaluation state lives on one engine thread; methods that need it post
// there and wait (they never wait on a plugin call). Views are read without
// the engine thread (BlockBoard).
class Engine {
 public:
  // `clock` and `listener` must outlive the engine. The listener is called
  // on the engine thread.
  Engine(EngineOptions options, const Clock& clock, EngineListener& listener);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Swaps in a plan: blocks that stay keep their instances' state and
  // history, blocks that go are stopped, new ones start. Returns once the
  // swap is done.
  void apply(EnginePlanConstSharedPtr plan);

  // Stops every block and the engine thread; waits up to shutdown_grace for
  // plugin calls still running. Idempotent.
  void stop();

  // The running plan (nullptr before the first apply).
  EnginePlanConstSharedPtr plan() const;
  // The blocks' boards; lock-free for readers.
  ViewRegistryConstSharedPtr views() const { return views_.load(); }

  ObservationStore& store() { return store_; }
  const Clock& clock() const { return clock_; }
  HoldRegistry& holds() { return holds_; }
  // Watchers wait here: key "block:<id>" moves with the block's state_index.
  ChangeNotifier& notifier() { return notifier_; }

  // Maintenance of one instance (see HoldRegistry). Errors: unknown block or
  // instance (kNotFound), until not in the future (kInvalid), the state
  // store refusing (kUnavailable). The block's view moves.
  Result<Maintenance> set_maintenance(const std::string& block, const std::string& instance,
                                      std::string reason, std::int64_t until_ms);
  Result<bool> lift_maintenance(const std::string& block, const std::string& instance);
  // A silence of a block (instance "") or of one instance.
  Result<Silence> add_silence(const std::string& block, const std::string& instance,
                              std::string reason, std::int64_t until_ms);
  Result<bool> lift_silence(const std::string& id);

  // Restores transitions read back from the state store, oldest first:
  // each instance of the running plan gets its own into its history.
  void restore_history(const std::vector<Transition>& transitions);

  // Instances registered over HTTP (PUT/DELETE). Errors name the block or
  // instance that does not exist, or the running configuration's
  // server.max_instances_per_block (kConflict) that a registration would
  // pass.
  Result<void> register_instance(const std::string& block, const std::string& instance);
  // Registers every one of `instances` (ids already checked) not yet in the
  // block, as one change: all or, past the limit, none. Returns how many
  // were new.
  Result<std::size_t> register_instances(const std::string& block,
                                         const std::vector<std::string>& instances);
  Result<void> unregister_instance(const std::string& block, const std::string& instance);
  // The record push ingestion writes to; an error when not registered.
  Result<InstanceRecordSharedPtr> find_record(const std::string& block,
                                              const std::string& instance) const;

  Result<void> set_paused(const std::string& block, bool paused);
  // What evaluate_now evaluates.
  enum class Scope {
    kAll,  // every policy on every instance it judges (mgmt "evaluate")
    kDue,  // what a tick now would, paused or not: each policy on its due instances
  };
  // Evaluates the block now; returns once the calls are on their way.
  Result<void> evaluate_now(const std::string& block, Scope scope = Scope::kAll);

  // Sends an action to a policy's manage(); `done` is called exactly once,
  // on an arbitrary thread, with the policy's JSON answer or an error.
  // Fails fast when the block or policy is unknown, the policy has no
  // manage(), or it is busy. An empty `policy` names the block's only
  // policy with a manage() (kInvalid when it has none or several).
  void manage_policy(const std::string& block, const std::string& policy, const std::string& action,
                     const std::string& data_json, std::function<void(Result<std::string>)> done);

  // GET /v1/plugins: loaded plugins, refused files and every policy's state
  // (quarantine included).
  PluginsView plugins_view();

 private:
  // Runs `fn` on the engine thread and waits for it. Error if stopped.
  Result<void> run_on_engine(const std::function<Result<void>()>& fn);
  BlockState* find_block(const std::string& block) const;  // engine thread
  // An instance was registered or unregistered: republish, settling the
  // block's health now or, within a burst, once at its end. Engine thread.
  void membership_changed(BlockState& block);
  // A discovered instance a plan no longer has: a transition to unknown
  // that is recorded and shown, and fires nothing (held_by says why).
  // [engine thread]
  void record_dropped(const std::string& block, const DroppedInstance& d);
  // Tells `block`'s board (all blocks when empty) that a hold changed.
  void holds_changed(const std::string& block);
  BlockViewConstSharedPtr build_view(const BlockState& block, std::uint64_t version,
                                     std::uint64_t state_index) const;

  EngineOptions options_;
  const Clock& clock_;
  ObservationStore store_;
  HoldRegistry holds_;
  ChangeNotifier notifier_;
  boost::asio::io_context io_;
  std::unique_ptr<EvalExecutor> executor_;
  EngineContext ctx_;
  std::unique_ptr<EvalLoop> loop_;  // engine thread only
  std::thread thread_;
  std::thread::id thread_id_;

  mutable std::mutex plan_mu_;
  EnginePlanConstSharedPtr plan_;  // GUARDED_BY(plan_mu_)
  std::atomic<ViewRegistryConstSharedPtr> views_;
  std::map<std::string, BlockStatePtr, std::less<>> blocks_;  // engine thread only
  std::mutex stop_mu_;
  bool stopped_ = false;  // GUARDED_BY(stop_mu_)
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_ENGINE_H
