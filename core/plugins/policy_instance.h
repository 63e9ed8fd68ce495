// PolicyInstance: one created instance of a policy (one per block and
// policy entry), and the host side of its create/evaluate/manage/destroy
// calls.
#ifndef BLOCKHEALTH_CORE_PLUGINS_POLICY_INSTANCE_H
#define BLOCKHEALTH_CORE_PLUGINS_POLICY_INSTANCE_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"
#include "core/model/policy_verdict.h"
#include "core/plugins/policy_plugin.h"
#include "core/plugins/verdict_buffers.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace blockhealth {

// What one evaluate call produced.
struct EvaluateOutcome {
  // true when the plugin returned BH_RESULT_OK. On false, `error` holds its
  // message and every verdict is UNKNOWN with the reason
  // "policy <name> failed: <error>".
  bool ok = false;
  std::string error;
  // One per input, in input order. Verdicts the plugin did not write stay
  // UNKNOWN "not evaluated"; an out-of-range status becomes UNKNOWN with
  // "policy <name> returned invalid status N".
  std::vector<PolicyVerdict> verdicts;
};

// Deadline and cancellation of one call. deadline_ns is on the system
// monotonic clock (SystemClock::monotonic_ns); 0 (or less) means no deadline.
// now_ms is the wall time the call is "as of"; 0 means the instance's Clock
// now. should_stop() turns true once the deadline passes or *cancel is true.
struct CallLimits {
  std::int64_t now_ms = 0;
  std::int64_t deadline_ns = 0;
  const std::atomic<bool>* cancel = nullptr;  // may be nullptr; outlives the call
};

class PolicyInstance;
using PolicyInstanceSharedPtr = std::shared_ptr<PolicyInstance>;

class PolicyInstance {
 public:
  // Calls the plugin's create() with `params_json` (already validated).
  // `label` (e.g. "gemma3-27b-block/gpu_temperature") tags the plugin's log
  // lines. `clock` must outlive the instance; it is the plugin's wall clock
  // (bh_host.wall_ms), while bh_host.monotonic_ns is SystemClock's. On
  // failure the Error carries the plugin's message: "failed to create an
  // instance: <message>".
  //
  // `limit` > 0 bounds create() and, later, destroy(): both then run on the
  // LifecycleRunner. A create() that overruns is abandoned ("its create()
  // did not return within 2s"), and the plugin is refused (StuckPlugins)
  // until that call returns; so is one with any such call stuck already.
  // `limit` <= 0 calls the plugin on this thread, unbounded (tests, tools).
  // [control-thread]
  static Result<PolicyInstanceSharedPtr> create(
      PolicyPluginConstSharedPtr plugin, const std::string& params_json, std::string label,
      const Clock& clock, std::chrono::milliseconds limit = std::chrono::milliseconds{0});

  // Calls destroy(), bounded by create's `limit`. One that overruns is
  // abandoned and logged, and the plugin is marked stuck; while a plugin is
  // stuck its instances are not destroyed but kept (leaked) as they are.
  // REQUIRES: no evaluate/manage call on this instance is running (the
  // engine guarantees it by holding a shared_ptr per call). [any thread]
  ~PolicyInstance();
  PolicyInstance(const PolicyInstance&) = delete;
  PolicyInstance& operator=(const PolicyInstance&) = delete;

  // Runs one batched evaluate over `inputs` (one block's instances).
  // Builds the bh_instance arrays (owning every byte they point to for the
  // call), pre-fills verdicts as UNKNOWN "not evaluated", calls the plugin,
  // and copies results out. Never throws. [eval-thread]: at most one call at
  // a time unless plugin().reentrant(); the caller serializes.
  EvaluateOutcome evaluate(std::span<const InstanceObservationsConstSharedPtr> inputs,
                           const CallLimits& limits);

  // The engine's evaluate: `inputs` are frames the caller keeps alive for
  // the call, `out` is reset here to inputs.size() verdicts and holds what
  // the plugin wrote (read it with out.read()). On failure the Error holds
  // the plugin's message as written ("" when it gave none; "returned
  // invalid result code N"; "host error: ..."), and `out` should be
  // ignored. Allocates nothing on success once `out` is large enough.
  // Never throws. [eval-thread], serialized by the caller like the other.
  Result<void> evaluate(std::span<const bh_instance* const> inputs, VerdictBuffers& out,
                        const CallLimits& limits);

  // Routes a management action to the plugin's manage(). Error when the
  // plugin has none ("policy <name> has no management actions"), when it
  // fails ("policy <name> failed: <message>"), or when its answer is over
  // 1 MiB or not JSON; on success the plugin's JSON answer, as written ("{}"
  // when it wrote nothing). Empty data_json is passed as "{}". Never throws.
  // [eval-thread], serialized like evaluate.
  Result<std::string> manage(std::string_view action, std::string_view data_json,
                             const CallLimits& limits);

  const PolicyPlugin& plugin() const { return *plugin_; }
  const PolicyPluginConstSharedPtr& plugin_ptr() const { return plugin_; }
  const std::string& label() const { return label_; }

 private:
  struct HostContext;  // the bh_host table and what it points at
  PolicyInstance(PolicyPluginConstSharedPtr plugin, std::string label, const Clock& clock);

  PolicyPluginConstSharedPtr plugin_;
  std::string label_;
  // Shared with a destroy() job, which may outlive this object.
  std::shared_ptr<HostContext> host_;
  bh_policy_instance* handle_ = nullptr;
  std::chrono::milliseconds limit_{0};  // of create() and destroy(); <= 0: unbounded
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_POLICY_INSTANCE_H
