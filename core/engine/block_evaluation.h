// Block evaluation: which instances a policy judges at a tick, the call
// that judges them, and how its results (or a verdict for all, when the
// policy cannot be called) reach the instances' trackers.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_EVALUATION_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_EVALUATION_H

#include <cstdint>
#include <string_view>

#include "core/engine/block_state.h"
#include "core/engine/policy_call.h"

namespace blockhealth {

// Whether policy `p`'s tracker `t` of `in` must be judged at `now_ms`: it
// never was, the record has news since, its verdict held for this interval
// only or until a time that has come, or a switch is pending (each interval
// counts towards the thresholds).
// `inputs` are the policy's BH_INPUT_* bits: news of other kinds is not news
// to it.
bool tracker_due(const InstanceSlot& in, const PolicyTracker& t, std::uint32_t inputs,
                 std::int64_t now_ms);

// Fills `call` (cleared first) with the instances policy `p` of `block`
// judges at `now_ms`: the due ones, every one when `force`, or every one
// whenever any is due when the plugin wants the whole block. Returns false
// (and leaves `call` empty) when none is due.
bool prepare_call(BlockState& block, std::size_t p, std::int64_t now_ms, bool force,
                  PolicyCall& call);

// Feeds a finished call's verdicts to the trackers of its instances (a
// failed call: UNKNOWN "policy <use> failed: <error>" to each). Marks the
// instances whose trackers changed what they show. REQUIRES: the board's
// mutex held; the call is the block's current one for its policy.
void apply_call(BlockState& block, PolicyCall& call, std::int64_t now_ms);

// Feeds one verdict to policy `p`'s tracker of every instance it judges
// (quarantined, busy, refused, timed out). REQUIRES: the board's mutex.
void apply_uniform(BlockState& block, std::size_t p, Status status, std::string_view reason,
                   std::int64_t now_ms);

// Feeds each probed instance's newest /health probe (once) to its
// health_probe tracker. REQUIRES: the board's mutex.
void judge_probes(BlockState& block, std::int64_t now_ms);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_EVALUATION_H
