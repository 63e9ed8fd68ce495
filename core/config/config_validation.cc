#include "core/config/config_validation.h"

#include <map>
#include <string>

namespace blockhealth {
namespace {

std::string at_text(SourceMark m) {
  return std::to_string(m.line) + ":" + std::to_string(m.column);
}

// Calls report(item, first) for each item whose id an earlier item has.
template <typename Item, typename Report>
void find_duplicates(const std::vector<Item>& items, Report report) {
  std::map<std::string, const Item*, std::less<>> first;
  for (const Item& item : items) {
    const auto [it, inserted] = first.emplace(item.id, &item);
    if (!inserted) report(item, *it->second);
  }
}

}  // namespace

void validate_block(const BlockConfig& block, ProblemList& problems,
                    const std::function<std::string(SourceMark)>& position) {
  const std::string where = "block '" + block.id + "'";
  find_duplicates(block.instances, [&](const InstanceConfig& dup, const InstanceConfig& first) {
    problems.add(dup.mark, where + ": duplicate instance id '" + dup.id + "' (first at " +
                               position(first.mark) + ")");
  });
  find_duplicates(block.policies, [&](const PolicyConfig& dup, const PolicyConfig& first) {
    std::string msg =
        where + ": duplicate policy id '" + dup.id + "' (first at " + position(first.mark) + ")";
    if (dup.id == dup.use) msg += "; give each policy that uses '" + dup.use + "' its own 'id:'";
    problems.add(dup.mark, std::move(msg));
  });
  for (const PolicyConfig& policy : block.policies) {
    for (const std::string& id : policy.instances) {
      if (block.find_instance(id) != nullptr) continue;
      std::string known;
      for (const InstanceConfig& in : block.instances) known += (known.empty() ? "" : ", ") + in.id;
      problems.add(policy.mark,
                   where + ": policy '" + policy.id + "': instances: no instance '" + id +
                       "' in this block (its instances: " + (known.empty() ? "none" : known) + ")");
    }
  }
}

void validate_config(const Config& config, ProblemList& problems) {
  find_duplicates(config.blocks, [&](const BlockConfig& dup, const BlockConfig& first) {
    problems.add(dup.mark,
                 "duplicate block id '" + dup.id + "' (first at " + at_text(first.mark) + ")");
  });
  for (const auto& block : config.blocks) validate_block(block, problems, at_text);
}

}  // namespace blockhealth
