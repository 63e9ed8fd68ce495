// Target lists in Prometheus's file_sd / http_sd shape: a list of groups
// {"targets": ["host:port", ...], "labels": {"name": "value", ...}}, as
// JSON or (for files) YAML. Parsed whole or refused with the first problem
// located: a JSON pointer into the document, or a YAML line:column.
#ifndef BLOCKHEALTH_CORE_DISCOVERY_TARGET_GROUPS_H
#define BLOCKHEALTH_CORE_DISCOVERY_TARGET_GROUPS_H

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/discovery/instance_template.h"
#include "core/util/result.h"

namespace blockhealth {

enum class TargetFormat { kJson, kYaml };

// The targets of every group in order, each with its group's labels.
// Refuses (error message without the document's name; the caller adds it):
// text that is not JSON / YAML, a document that is not a list of maps, a
// group key other than targets and labels, a target that is not a
// non-empty string, a label name that is not [A-Za-z_][A-Za-z0-9_]* or a
// value that is not a string, and more than `max_targets` targets.
Result<std::vector<DiscoveredTarget>> parse_target_groups(std::string_view text,
                                                          TargetFormat format,
                                                          std::size_t max_targets);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_DISCOVERY_TARGET_GROUPS_H
