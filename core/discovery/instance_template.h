// InstanceTemplate: a text with placeholders that turns a discovered target
// into an instance's id, URL or log file (docs/configuration.md,
// "discovery"). Placeholders:
//   ${target}         the target as listed ("10.0.0.5:9400")
//   ${host}, ${port}  its parts (port "" when the target has none)
//   ${labels.NAME}    the target group's label NAME (Prometheus's
//                     __meta_* and __address__-style names included)
// "$$" is a literal "$". Anything else after "$" is refused at load.
#ifndef BLOCKHEALTH_CORE_DISCOVERY_INSTANCE_TEMPLATE_H
#define BLOCKHEALTH_CORE_DISCOVERY_INSTANCE_TEMPLATE_H

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace blockhealth {

// One discovered target: its address and its group's labels.
struct DiscoveredTarget {
  std::string target;
  std::map<std::string, std::string> labels;
};

class InstanceTemplate {
 public:
  // Error: what is wrong and at which character, e.g. "unknown placeholder
  // ${hots} at character 8 (known: ${target}, ${host}, ${port},
  // ${labels.NAME})".
  static Result<InstanceTemplate> parse(std::string_view text);

  // The text for `target`; error when a label it names is missing
  // ("label 'pod' is not set on this target").
  Result<std::string> expand(const DiscoveredTarget& target) const;

  const std::string& text() const { return text_; }

 private:
  enum class Kind { kLiteral, kTarget, kHost, kPort, kLabel };
  struct Part {
    Kind kind;
    std::string value;  // kLiteral: the text; kLabel: the label name
  };
  std::string text_;
  std::vector<Part> parts_;
};

// host and port of "host:port", "[v6]:port", "host" (port "").
void split_target(std::string_view target, std::string* host, std::string* port);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_DISCOVERY_INSTANCE_TEMPLATE_H
