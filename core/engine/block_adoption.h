// Block adoption: what a block keeps across a reload.
#ifndef BLOCKHEALTH_CORE_ENGINE_BLOCK_ADOPTION_H
#define BLOCKHEALTH_CORE_ENGINE_BLOCK_ADOPTION_H

#include <string>
#include <vector>

#include "core/engine/block_state.h"

namespace blockhealth {

// Makes `next` (built from the new plan for the same block id) take over
// from `previous`: instances' trackers, history and what actions were told
// (configured instances that stay, and every pushed one), the paused flag,
// and the quarantine and counters of policies whose instance was reused.
// Instances gone from the config are not taken; `dropped` (may be null)
// gets those of them that discovery had found, with their last status.
// REQUIRES: neither block started in the loop yet, or `previous` retired;
// engine thread; the board's mutex held (views read `next` once attached).
struct DroppedInstance {
  std::string id;
  Status status = Status::kUnknown;
  std::string discovered_by;
};
void adopt_block(BlockState& next, BlockState& previous, ObservationStore& store,
                 std::vector<DroppedInstance>* dropped = nullptr);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_BLOCK_ADOPTION_H
