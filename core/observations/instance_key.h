// InstanceKey: names one instance of one block.
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_KEY_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_KEY_H

#include <compare>
#include <string>

namespace blockhealth {

struct InstanceKey {
  std::string block;
  std::string instance;
  friend auto operator<=>(const InstanceKey&, const InstanceKey&) = default;
  std::string to_string() const { return block + "/" + instance; }
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_INSTANCE_KEY_H
