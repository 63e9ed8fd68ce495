// One policy's judgement of one instance, copied out of the ABI buffers.
#ifndef BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H
#define BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H

#include <optional>
#include <string>

#include "core/model/status.h"

namespace blockhealth {

struct Evidence {
  std::string metric;
  double observed = 0;
  double limit = 0;
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

struct PolicyVerdict {
  Status status = Status::kUnknown;
  std::string reason = "not evaluated";
  std::optional<Evidence> evidence;
  friend bool operator==(const PolicyVerdict&, const PolicyVerdict&) = default;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_POLICY_VERDICT_H
