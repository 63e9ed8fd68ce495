// Health update: after a block's results are in, each instance's combined
// verdict is recomputed where something changed, transitions are recorded
// and told to the listener, and actions are notified unless a hold (a
// maintenance window, a silence, flapping) keeps them back.
#ifndef BLOCKHEALTH_CORE_ENGINE_HEALTH_UPDATE_H
#define BLOCKHEALTH_CORE_ENGINE_HEALTH_UPDATE_H

#include <cstdint>
#include <string>

#include "core/engine/block_state.h"
#include "core/engine/engine_context.h"

namespace blockhealth {

// Recomputes the verdict of every instance of `block` that needs it at
// `now_ms`: its trackers changed, it was heard of since, it crosses its
// staleness limit, or it is stale (its reason ages). Transitions go to
// ctx.listener (and, unless held, on_notify). Sets block.shown_changed /
// significant_changed. REQUIRES: the board's mutex held; engine thread.
void update_block_health(BlockState& block, EngineContext& ctx, std::int64_t now_ms);

// Takes one flapping sample of each instance of a block that detects
// flapping (the samples an instance whose status stood still was not
// visited for are filled in first), and tells the actions where an
// instance settled when it stops flapping. REQUIRES: as above.
void sample_flapping(BlockState& block, EngineContext& ctx, std::int64_t now_ms);

// Why actions of `in` are held now, or ""; `kind` (may be nullptr) gets
// the same as a HoldKind.
std::string hold_reason(const BlockState& block, const InstanceSlot& in, const HoldRegistry& holds,
                        HoldKind* kind = nullptr);

// Whether an instance needs a visit at every interval for its health
// alone: it is stale (its reason ages) or its flap detector is moving.
bool health_needs_each_interval(const BlockState& block, const InstanceSlot& in,
                                std::int64_t now_ms);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_HEALTH_UPDATE_H
