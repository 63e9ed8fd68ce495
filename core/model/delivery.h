// Delivery: one action's HTTP POST, kept until it succeeds or is given up,
// so that a restart or a crash loses nothing.
#ifndef BLOCKHEALTH_CORE_MODEL_DELIVERY_H
#define BLOCKHEALTH_CORE_MODEL_DELIVERY_H

#include <cstdint>
#include <string>

namespace blockhealth {

struct Delivery {
  std::int64_t id = 0;  // assigned by the store; 0 = not stored yet
  std::string block_id;
  std::string instance_id;
  std::string action;  // which action of the block, e.g. "webhook#0", "failure_policy#1"
  std::string url;     // full URL to POST to
  std::string body;    // JSON
  std::uint64_t transition_seq = 0;
  int attempts = 0;                  // made so far
  std::int64_t next_attempt_ms = 0;  // not before
  std::int64_t created_ms = 0;
  std::string last_error;  // of the last failed attempt
  friend bool operator==(const Delivery&, const Delivery&) = default;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_DELIVERY_H
