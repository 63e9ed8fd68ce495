// BlockRunner: evaluates one block on a schedule and publishes its view.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_RUNNER_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_RUNNER_H

#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/engine/block_view.h"
#include "core/engine/engine_context.h"
#include "core/engine/engine_plan.h"
#include "core/engine/flap_detector.h"
#include "core/engine/instance_health.h"

namespace blockhealth {

// One block of the running configuration: its policies' timers and calls,
// its instances' trackers, and the publication of its BlockView.
//
// Thread: every method runs on the engine thread (ctx.io). Plugin calls run
// on ctx.executor and report back through ctx.poster; a result that arrives
// after the runner stopped, after its deadline, or for a runner replaced by
// a reload is dropped.
class BlockRunner : public std::enable_shared_from_this<BlockRunner> {
 public:
  BlockRunner(EngineContext& ctx, PlannedBlock planned, std::shared_ptr<BlockSlot> slot);
  ~BlockRunner();
  BlockRunner(const BlockRunner&) = delete;
  BlockRunner& operator=(const BlockRunner&) = delete;

  // Takes over what survives a reload from the runner this one replaces
  // (same block id): instance trackers and history, pushed instances, the
  // paused flag, and quarantine and counters of policies whose instance was
  // reused. REQUIRES: before start().
  void adopt(BlockRunner& previous);

  // Arms the timers (each with a random first delay within its interval so
  // blocks do not tick together) and publishes a first view.
  void start();
  // Cancels timers; calls in flight are abandoned (their results dropped).
  void stop();

  // Instances registered over HTTP. Adding an existing one is a no-op;
  // removing a configured one is an error.
  void add_pushed_instance(const std::string& id);
  Result<void> remove_pushed_instance(const std::string& id);
  bool has_instance(const std::string& id) const;

  void set_paused(bool paused);
  bool paused() const { return paused_; }
  // Starts every policy's evaluation now (mgmt "evaluate", tests).
  void evaluate_now();
  // Publishes the view again (a maintenance window or silence changed).
  void refresh() { update_health_and_publish(); }
  // Gives each instance its transitions from `transitions` (all blocks',
  // oldest first; others' are skipped), e.g. read back at startup.
  void restore_history(const std::vector<Transition>& transitions);

  // nullptr when no policy has that id (or, failing that, that `use`).
  PolicyHandleSharedPtr find_policy(const std::string& id_or_use) const;
  std::chrono::milliseconds policy_timeout(const std::string& id_or_use) const;

  const std::string& id() const { return config_.id; }
  const BlockConfig& config() const { return config_; }
  const std::shared_ptr<BlockSlot>& slot() const { return slot_; }
  // The view as last published.
  BlockViewConstSharedPtr view() const { return slot_->view.load(); }
  // Policy states for /v1/plugins.
  std::vector<PolicyStateView> policy_states() const;

 private:
  struct Policy;
  struct Instance {
    std::string id;
    bool pushed = false;
    bool probed = false;               // has a health_url: the built-in health_probe check applies
    std::int64_t probe_judged_ms = 0;  // time of the last probe fed to its tracker
    InstanceRecordSharedPtr record;
    std::unique_ptr<InstanceHealth> health;
    std::unique_ptr<FlapDetector> flap;  // when the block configures `flapping`
    // The status actions were last told about (none yet: nullopt).
    std::optional<Status> notified;
    // Set when `notified` came from history read back at startup: the first
    // transition back into that status is not news (the actions ran before
    // the restart).
    bool notified_before_restart = false;
  };

  Instance make_instance(const std::string& id, bool pushed);
  // Tracker ids of an instance: the block's policies, then "health_probe"
  // when the instance is probed.
  void set_trackers(Instance& in) const;
  // Feeds each probed instance's newest /health probe (once) to its
  // health_probe tracker.
  void judge_probes(std::int64_t now_ms);
  void arm_policy_timer(std::size_t index, std::chrono::milliseconds delay);
  void arm_health_timer(std::chrono::milliseconds delay);
  void tick(std::size_t index);
  void start_call(std::size_t index);
  void on_result(std::size_t index, std::uint64_t call_id, EvaluateOutcome outcome,
                 std::vector<std::string> instance_ids, std::int64_t started_ns);
  void on_deadline(std::size_t index, std::uint64_t call_id);
  // Feeds the same verdict to every instance's tracker of policy `index`.
  void apply_uniform(std::size_t index, Status status, const std::string& reason);
  void update_health_and_publish();
  // One flapping sample per instance (each health tick); notifies the
  // current status when an instance stops flapping in a new one.
  void sample_flapping();
  // Why actions of `in` are held now, or "".
  std::string hold_reason(const Instance& in) const;
  void publish();
  PolicyStateView policy_state(const Policy& p) const;

  EngineContext& ctx_;
  BlockConfig config_;
  std::shared_ptr<BlockSlot> slot_;
  std::vector<std::unique_ptr<Policy>> policies_;
  std::vector<Instance> instances_;
  boost::asio::steady_timer health_timer_;
  std::mt19937_64 rng_;
  bool paused_ = false;
  bool stopped_ = false;
  std::uint64_t state_index_ = 0;
  std::string last_signature_;
  bool history_dirty_ = true;
  std::shared_ptr<const std::vector<std::string>> history_;
};
using BlockRunnerSharedPtr = std::shared_ptr<BlockRunner>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_RUNNER_H
