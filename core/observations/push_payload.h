// Decoding of push ingestion bodies (POST .../metrics and .../logs).
#ifndef BLOCKHEALTH_CORE_OBSERVATIONS_PUSH_PAYLOAD_H
#define BLOCKHEALTH_CORE_OBSERVATIONS_PUSH_PAYLOAD_H

#include <string>
#include <string_view>
#include <vector>

#include "core/model/observation.h"
#include "core/util/result.h"

namespace blockhealth {

// Metrics as JSON, in either shape:
//   {"name": 1.5, "other_name": 2}                      (no labels, no timestamps)
//   [{"name": "x", "labels": {"gpu": "0"}, "value": 1.5, "timestamp": 1764238565000}]
//   {"samples": [ ...the list shape... ]}
// "value" is a number, or one of the strings "NaN", "+Inf", "-Inf";
// "timestamp" (optional) is Unix milliseconds. Names and label names must
// be valid Prometheus names. Errors say where: "invalid JSON at byte 17:
// ...", "samples[2].value: expected a number, got a string".
Result<std::vector<MetricSample>> parse_json_metrics(std::string_view body);

// Log lines as JSON: ["line", ...] or {"lines": ["line", ...]}.
Result<std::vector<std::string>> parse_json_log_lines(std::string_view body);

// Log lines as text: split on "\n" (a trailing "\r" dropped, an empty last
// line ignored).
std::vector<std::string> split_log_text(std::string_view body);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_OBSERVATIONS_PUSH_PAYLOAD_H
