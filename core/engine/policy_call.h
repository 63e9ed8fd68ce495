// PolicyCall and EvalJob: the plugin calls of one tick, as the worker
// threads run them.
#ifndef BLOCKHEALTH_CORE_ENGINE_POLICY_CALL_H
#define BLOCKHEALTH_CORE_ENGINE_POLICY_CALL_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/engine_plan.h"
#include "core/observations/instance_record.h"
#include "core/plugins/verdict_buffers.h"

namespace blockhealth {

class BlockState;
struct InstanceSlot;

// One evaluate call: one policy of one block over the instances due.
// The engine thread fills the request part, a worker runs it and fills the
// result part, then the engine thread reads the result. Reused from tick to
// tick (its vectors keep their capacity), so a steady tick allocates
// nothing here.
struct PolicyCall {
  // Request (engine thread).
  BlockState* block = nullptr;  // where the result goes; checked against `call_id` on return
  std::size_t policy_index = 0;
  std::uint64_t call_id = 0;
  PolicyHandleSharedPtr handle;  // keeps the plugin instance alive for the call
  std::chrono::milliseconds timeout{0};
  std::uint32_t input_kinds = 0;  // the policy's BH_INPUT_* bits, for the generations read
  std::int64_t now_ms = 0;        // the wall time the evaluation is "as of"
  std::vector<InstanceRecordSharedPtr> records;  // the instances' records, in call order
  std::vector<InstanceSlot*> slots;              // the same instances, valid while epoch holds
  std::uint64_t instances_epoch = 0;

  // Run by the worker.
  std::vector<std::uint64_t> generations;  // of each record, read before its frame
  std::vector<ObservationFrameConstSharedPtr> frames;
  std::vector<const bh_instance*> inputs;
  VerdictBuffers verdicts;
  std::atomic<bool> cancel{false};
  bool ok = false;
  std::string error;  // the plugin's message when !ok
  std::int64_t duration_us = 0;

  // Fetches the frames and calls the plugin; clears handle->busy when the
  // plugin returned. `start_ns` is when the call starts (monotonic); its
  // deadline is start_ns + timeout. [worker thread]
  void run(std::int64_t start_ns);
  // Drops what the last run held (frames, records) but keeps capacity.
  void release();
};
using PolicyCallPtr = std::unique_ptr<PolicyCall>;

// Calls run one after the other on one worker thread. The engine may give
// up on the call in progress when it overruns (abandon()): the worker then
// stops after that call returns, and the calls it had not started go back
// to the engine. The hand-over is one atomic word, so each call is run at
// most once and the engine knows exactly which ones ran.
class EvalJob {
 public:
  explicit EvalJob(std::vector<PolicyCallPtr> calls) : calls_(std::move(calls)) {}
  EvalJob(const EvalJob&) = delete;
  EvalJob& operator=(const EvalJob&) = delete;

  // [worker thread] Runs the calls until all ran (returns true: the engine
  // takes the results) or the engine abandoned the job (returns false: the
  // engine already took what it needed; the worker just lets go).
  bool run();

  // Engine thread. The call now running and since when (monotonic ns), or
  // -1 when none is (not started, or finished).
  int running(std::int64_t* since_ns) const;
  // Gives up on the call now running: returns its index, or -1 when the
  // job finished or moved on meanwhile (nothing abandoned). After a
  // success, calls before the index are done, the one at the index belongs
  // to the worker until it returns, and those after it never start.
  int abandon();

  std::vector<PolicyCallPtr>& calls() { return calls_; }

 private:
  static constexpr std::uint64_t kAbandoned = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kDone = std::uint64_t{1} << 62;
  static constexpr std::uint64_t kCountMask = kDone - 1;

  std::vector<PolicyCallPtr> calls_;
  // kAbandoned | kDone | number of calls claimed by the worker.
  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::int64_t> started_ns_{0};  // of the claimed call
};
using EvalJobSharedPtr = std::shared_ptr<EvalJob>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_POLICY_CALL_H
