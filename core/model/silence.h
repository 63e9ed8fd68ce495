// Maintenance windows and silences: operator decisions that change what a
// verdict triggers, each with a required expiry.
#ifndef BLOCKHEALTH_CORE_MODEL_SILENCE_H
#define BLOCKHEALTH_CORE_MODEL_SILENCE_H

#include <cstdint>
#include <string>

namespace blockhealth {

// An instance in maintenance keeps being evaluated (its verdict stays
// visible) but fires no actions and does not count against its block's
// quorum. Keyed by (block_id, instance_id); one per instance.
struct Maintenance {
  std::string block_id;
  std::string instance_id;
  std::string reason;
  std::int64_t until_ms = 0;  // required; past it the maintenance is over
  std::int64_t created_ms = 0;
  friend bool operator==(const Maintenance&, const Maintenance&) = default;
};

// A silence holds back actions (webhooks, failure-policy calls) for a whole
// block (instance_id empty) or one instance, until it expires or is lifted.
struct Silence {
  std::string id;  // assigned when created, e.g. "s-1f3a9c"
  std::string block_id;
  std::string instance_id;  // "" = the whole block
  std::string reason;
  std::int64_t until_ms = 0;  // required
  std::int64_t created_ms = 0;
  friend bool operator==(const Silence&, const Silence&) = default;

  bool matches(const std::string& block, const std::string& instance) const {
    return block == block_id && (instance_id.empty() || instance_id == instance);
  }
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_SILENCE_H
