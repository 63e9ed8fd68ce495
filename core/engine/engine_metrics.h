// EngineMetrics: the engine's part of GET /metrics. Counts plugin calls and
// transitions as they happen (an EngineListener) and reads instance and
// policy states from the published views at render time.
#ifndef BLOCKHEALTH_CORE_ENGINE_ENGINE_METRICS_H
#define BLOCKHEALTH_CORE_ENGINE_ENGINE_METRICS_H

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/engine/block_board.h"
#include "core/engine/engine_events.h"
#include "core/prometheus/metrics_registry.h"

namespace blockhealth {

// Registers its families in `registry` (which must outlive it). `views`
// returns the current registry of boards; called at render time from the
// rendering thread. Listener methods run on the engine thread.
class EngineMetrics final : public EngineListener {
 public:
  EngineMetrics(prometheus::MetricsRegistry& registry,
                std::function<ViewRegistryConstSharedPtr()> views);

  void on_transition(const Transition& t) override;
  void on_policy_call(std::string_view block, std::string_view policy, CallOutcome outcome,
                      double seconds) override;

 private:
  // The handles of one (block, policy), looked up once: a call costs a hash
  // lookup and atomic adds, not a label-set search. The "ok" series and the
  // histogram exist from the first call; the other outcomes' series from
  // their first occurrence (10,000 instances would otherwise carry ~20,000
  // zero series, ~2 MiB).
  static constexpr std::size_t kOutcomes = 6;  // CallOutcome has six
  struct PolicyHandles {
    std::array<prometheus::Counter, kOutcomes> by_outcome;  // indexed by CallOutcome
    prometheus::Histogram duration;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  PolicyHandles& handles(std::string_view block, std::string_view policy);

  prometheus::CounterFamily* calls_;
  prometheus::HistogramFamily* durations_;
  prometheus::CounterFamily* transitions_;
  // Engine thread only. Keyed "block\0policy".
  std::unordered_map<std::string, PolicyHandles, KeyHash, std::equal_to<>> handles_;
  std::string key_;  // scratch
};

// Calls every listener in turn (engine thread).
class ListenerFanout final : public EngineListener {
 public:
  void add(EngineListener* l) { listeners_.push_back(l); }
  void on_transition(const Transition& t) override {
    for (EngineListener* l : listeners_) l->on_transition(t);
  }
  void on_notify(const Transition& t, NotifyKind kind) override {
    for (EngineListener* l : listeners_) l->on_notify(t, kind);
  }
  void on_policy_call(std::string_view block, std::string_view policy, CallOutcome outcome,
                      double seconds) override {
    for (EngineListener* l : listeners_) l->on_policy_call(block, policy, outcome, seconds);
  }

 private:
  std::vector<EngineListener*> listeners_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_ENGINE_METRICS_H
