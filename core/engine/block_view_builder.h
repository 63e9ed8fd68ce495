// Building a BlockView from a block's state: what the HTTP API, the
// metrics and the tests read.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_BUILDER_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_BUILDER_H

#include <cstdint>

#include "core/engine/block_state.h"
#include "core/engine/block_view.h"
#include "core/engine/hold_registry.h"
#include "core/util/clock.h"

namespace blockhealth {

// A view of `block` as it is now. REQUIRES: block.board->mutex() held (the
// engine changes what it reads only under it). Allocates; called at most
// once per version of a block, by whichever reader asks first.
BlockViewConstSharedPtr build_block_view(const BlockState& block, const HoldRegistry& holds,
                                         const Clock& clock, std::uint64_t version,
                                         std::uint64_t state_index);

// The policy's state as /v1/plugins and views show it.
PolicyStateView policy_state_view(const PolicySlot& p, std::int64_t now_ms);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_VIEW_BUILDER_H
