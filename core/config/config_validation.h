// The rules of a config that span several items, checked after reading.
// Internal to core/config (used by the loader).
#ifndef BLOCKHEALTH_CORE_CONFIG_CONFIG_VALIDATION_H
#define BLOCKHEALTH_CORE_CONFIG_CONFIG_VALIDATION_H

#include <functional>
#include <string>

#include "core/config/config.h"
#include "core/config/config_problem.h"

namespace blockhealth {

// Reports, at the offending item and naming the first one's position:
// duplicate block ids; duplicate instance ids and policy ids within a block.
void validate_config(const Config& config, ProblemList& problems);

// The rules within one block (duplicate instance and policy ids, a
// policy's instances: naming instances of the block); `position` writes
// the "first at ..." of a duplicate.
void validate_block(const BlockConfig& block, ProblemList& problems,
                    const std::function<std::string(SourceMark)>& position);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_CONFIG_VALIDATION_H
