// EngineHarness: a real Engine, driven in process for tests: real test
// plugins (test_echo, test_fail, test_hang), a ManualClock for wall time,
// a listener that records what the engine reports, and helpers that push
// samples and evaluate a block synchronously (no timers: every block is
// paused, and evaluate_now still evaluates).
#ifndef BLOCKHEALTH_TESTS_CORE_ENGINE_ENGINE_HARNESS_H
#define BLOCKHEALTH_TESTS_CORE_ENGINE_ENGINE_HARNESS_H

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/engine_plan.h"
#include "core/plugins/plugin_catalog.h"
#include "core/util/clock.h"

namespace blockhealth::test {

// engine.manage_policy(...) and its answer, waited for (up to 20 s; the
// test fails when it never comes or comes more than once).
Result<std::string> manage(Engine& engine, const std::string& block, const std::string& policy,
                           const std::string& action, const std::string& data = "{}");

struct CallRecord {
  std::string block;
  std::string policy;
  CallOutcome outcome = CallOutcome::kOk;
};

// Records transitions, notifications and call outcomes, and passes each on
// to the listener set with forward_to(). Thread-safe.
class RecordingListener final : public EngineListener {
 public:
  // REQUIRES: called before the engine reports anything.
  void forward_to(EngineListener* next) { next_ = next; }

  void on_transition(const Transition& t) override;
  void on_notify(const Transition& t, NotifyKind kind) override;
  void on_policy_call(std::string_view block, std::string_view policy, CallOutcome outcome,
                      double seconds) override;

  std::vector<Transition> transitions() const;
  std::vector<std::pair<Transition, NotifyKind>> notifications() const;
  std::vector<CallRecord> calls() const;
  std::size_t call_count(std::string_view block) const;
  std::size_t outcome_count(std::string_view block, std::string_view policy,
                            CallOutcome outcome) const;

 private:
  EngineListener* next_ = nullptr;
  mutable std::mutex mu_;
  std::vector<Transition> transitions_;
  std::vector<std::pair<Transition, NotifyKind>> notifications_;
  std::vector<CallRecord> calls_;
};

// The AIOS body of `view` with ages as of `now_ms` (core/wire renders it).
std::string aios_text(const BlockView& view, std::int64_t now_ms);

// YAML defaults that keep timers out of the way: a day between ticks (and
// blocks are paused anyway), thresholds of 1, staleness after a day.
std::string test_defaults_yaml();

// The folders of the test plugins every harness loads.
std::vector<std::filesystem::path> test_plugin_dirs();

class EngineHarness {
 public:
  static constexpr std::int64_t kStartMs = 1'800'000'000'000;

  explicit EngineHarness(EngineOptions options = default_options());
  ~EngineHarness();
  EngineHarness(const EngineHarness&) = delete;
  EngineHarness& operator=(const EngineHarness&) = delete;

  // Long quarantine backoff (a minute), so only the manual clock ends one.
  static EngineOptions default_options();

  ManualClock& clock() { return clock_; }
  Engine& engine() { return *engine_; }
  RecordingListener& listener() { return listener_; }

  // Scans `dir` too, from the next plan on (e.g. test_c_minimal's).
  void add_plugin_dir(std::filesystem::path dir) { extra_plugin_dirs_.push_back(std::move(dir)); }

  // Loads `yaml` and builds a plan over freshly scanned test plugins, reusing
  // the running plan's policy instances where they are unchanged.
  Result<EnginePlanConstSharedPtr> plan(const std::string& yaml);
  // plan() + Engine::apply(), then pauses every block. Fails the test when
  // the plan is refused.
  void apply(const std::string& yaml);

  // Merges samples into an instance's record at the clock's time.
  void push(const std::string& block, const std::string& instance,
            std::vector<MetricSample> samples);
  // Pushes test_status = value (what test_echo judges).
  void push_status(const std::string& block, const std::string& instance, double value);

  // Evaluates every policy of `block` now and waits until each one has
  // reported an outcome to the listener and the view is published.
  // REQUIRES: no call of the block is still pending.
  void evaluate(const std::string& block);
  // What a tick at the clock's time would evaluate (each policy on its due
  // instances, the block paused or not), waited for until no call of the
  // block is in flight and its results are applied.
  void tick(const std::string& block);
  // Returns once everything posted to the engine thread so far has run.
  void barrier();

  BlockViewConstSharedPtr view(const std::string& block) const;
  // The instance's view in the block's latest view; fails the test and
  // returns an empty view when absent.
  InstanceView instance(const std::string& block, const std::string& instance) const;
  PolicyStateView policy_state(const std::string& block, const std::string& policy) const;
  // Whether a call is inside the policy's plugin right now (from
  // Engine::plugins_json, not from the last published view).
  bool busy_now(const std::string& block, const std::string& policy);

 private:
  ManualClock clock_{kStartMs};
  std::vector<std::filesystem::path> extra_plugin_dirs_;
  RecordingListener listener_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_ENGINE_ENGINE_HARNESS_H
