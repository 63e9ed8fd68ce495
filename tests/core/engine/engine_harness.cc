#include "tests/core/engine/engine_harness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <future>

#include "core/config/config_loader.h"
#include "core/wire/block_bodies.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {

Result<std::string> manage(Engine& engine, const std::string& block, const std::string& policy,
                           const std::string& action, const std::string& data) {
  auto answer = std::make_shared<std::promise<Result<std::string>>>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto future = answer->get_future();
  engine.manage_policy(block, policy, action, data, [answer, calls](Result<std::string> r) {
    if (++*calls == 1) answer->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "manage_policy never answered";
    return fail("no answer");
  }
  EXPECT_EQ(calls->load(), 1);
  return future.get();
}

void RecordingListener::on_transition(const Transition& t) {
  {
    std::lock_guard lock(mu_);
    transitions_.push_back(t);
  }
  if (next_ != nullptr) next_->on_transition(t);
}

void RecordingListener::on_notify(const Transition& t, NotifyKind kind) {
  {
    std::lock_guard lock(mu_);
    notifications_.emplace_back(t, kind);
  }
  if (next_ != nullptr) next_->on_notify(t, kind);
}

std::vector<std::pair<Transition, NotifyKind>> RecordingListener::notifications() const {
  std::lock_guard lock(mu_);
  return notifications_;
}

void RecordingListener::on_policy_call(std::string_view block, std::string_view policy,
                                       CallOutcome outcome, double seconds) {
  {
    std::lock_guard lock(mu_);
    calls_.push_back({std::string(block), std::string(policy), outcome});
  }
  if (next_ != nullptr) next_->on_policy_call(block, policy, outcome, seconds);
}

std::vector<Transition> RecordingListener::transitions() const {
  std::lock_guard lock(mu_);
  return transitions_;
}

std::vector<CallRecord> RecordingListener::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::size_t RecordingListener::call_count(std::string_view block) const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const CallRecord& c : calls_) n += c.block == block ? 1 : 0;
  return n;
}

std::size_t RecordingListener::outcome_count(std::string_view block, std::string_view policy,
                                             CallOutcome outcome) const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const CallRecord& c : calls_) {
    n += c.block == block && c.policy == policy && c.outcome == outcome ? 1 : 0;
  }
  return n;
}

std::string test_defaults_yaml() {
  return "defaults:\n"
         "  interval: 1d\n"
         "  timeout: 5s\n"
         "  stale_after: 1d\n"
         "  unhealthy_after: 1\n"
         "  healthy_after: 1\n"
         "  degraded_after: 1\n";
}

std::vector<std::filesystem::path> test_plugin_dirs() {
  return {test_plugin_dir() / "test_echo", test_plugin_dir() / "test_fail",
          test_plugin_dir() / "test_hang"};
}

EngineHarness::EngineHarness(EngineOptions options)
    : engine_(std::make_unique<Engine>(options, clock_, listener_)) {}

EngineHarness::~EngineHarness() {
  engine_->stop();
}

EngineOptions EngineHarness::default_options() {
  EngineOptions options;
  options.quarantine.errors_before_quarantine = 3;
  options.quarantine.base_backoff_ms = 60'000;
  options.quarantine.max_backoff_ms = 600'000;
  return options;
}

Result<EnginePlanConstSharedPtr> EngineHarness::plan(const std::string& yaml) {
  auto config = load_config_string(yaml, "engine-test.yaml");
  if (!config) return config.error();
  std::vector<std::filesystem::path> dirs = test_plugin_dirs();
  dirs.insert(dirs.end(), extra_plugin_dirs_.begin(), extra_plugin_dirs_.end());
  auto catalog = std::make_shared<const PluginCatalog>(PluginCatalog::scan(dirs));
  EXPECT_TRUE(catalog->problems().empty()) << catalog->problems().front().message;
  const EnginePlanConstSharedPtr current = engine_->plan();
  return build_engine_plan(std::move(*config), std::move(catalog), current.get(), clock_);
}

void EngineHarness::apply(const std::string& yaml) {
  auto p = plan(yaml);
  ASSERT_TRUE(p) << p.error().message;
  engine_->apply(*p);
  for (const PlannedBlock& b : (*p)->blocks) {
    ASSERT_TRUE(engine_->set_paused(b.config->id, true));
  }
}

void EngineHarness::push(const std::string& block, const std::string& instance,
                         std::vector<MetricSample> samples) {
  auto record = engine_->find_record(block, instance);
  ASSERT_TRUE(record) << record.error().message;
  auto merged = (*record)->merge_samples(samples, clock_.wall_ms());
  ASSERT_TRUE(merged) << merged.error().message;
}

void EngineHarness::push_status(const std::string& block, const std::string& instance,
                                double value) {
  MetricSample s;
  s.name = "test_status";
  s.value = value;
  push(block, instance, {s});
}

void EngineHarness::evaluate(const std::string& block) {
  std::size_t policies = 0;
  if (auto p = engine_->plan()) {
    for (const PlannedBlock& b : p->blocks) {
      if (b.config->id == block) policies = b.policies.size();
    }
  }
  const std::size_t before = listener_.call_count(block);
  ASSERT_TRUE(engine_->evaluate_now(block));
  ASSERT_TRUE(wait_until([&] { return listener_.call_count(block) >= before + policies; }))
      << "block " << block << ": " << policies << " policies did not all report";
  barrier();
}

void EngineHarness::tick(const std::string& block) {
  ASSERT_TRUE(engine_->evaluate_now(block, Engine::Scope::kDue));
  ASSERT_TRUE(wait_until([&] {
    for (const BlockPolicyState& p : engine_->plugins_view().policies) {
      if (p.block_id == block && p.state.in_flight) return false;
    }
    return true;
  })) << "block "
      << block << ": calls still in flight";
  barrier();
}

std::string aios_text(const BlockView& view, std::int64_t now_ms) {
  std::string out;
  wire::bodies_of(view).aios().render(out, now_ms);
  return out;
}

void EngineHarness::barrier() {
  (void)engine_->plugins_view();
}

BlockViewConstSharedPtr EngineHarness::view(const std::string& block) const {
  return engine_->views()->find(block);
}

InstanceView EngineHarness::instance(const std::string& block, const std::string& instance) const {
  const BlockViewConstSharedPtr v = view(block);
  if (!v) {
    ADD_FAILURE() << "no view of block " << block;
    return {};
  }
  for (const InstanceView& in : v->instances) {
    if (in.id == instance) return in;
  }
  ADD_FAILURE() << "block " << block << " has no instance " << instance;
  return {};
}

PolicyStateView EngineHarness::policy_state(const std::string& block,
                                            const std::string& policy) const {
  const BlockViewConstSharedPtr v = view(block);
  if (!v) {
    ADD_FAILURE() << "no view of block " << block;
    return {};
  }
  for (const PolicyStateView& p : v->policies) {
    if (p.id == policy) return p;
  }
  ADD_FAILURE() << "block " << block << " has no policy " << policy;
  return {};
}

bool EngineHarness::busy_now(const std::string& block, const std::string& policy) {
  for (const BlockPolicyState& p : engine_->plugins_view().policies) {
    if (p.block_id == block && p.state.id == policy) return p.state.busy;
  }
  ADD_FAILURE() << "plugins_view lists no policy " << policy << " of block " << block;
  return false;
}

}  // namespace blockhealth::test
