// CASES.yaml: recorded cases for `blockhealthd test`, the promtool test
// rules of policies (docs/writing-a-policy.md, "Test with recorded cases").
// One policy and its `with:`, then tests, each a timeline of observations
// per instance (series values one per interval, log lines, probe outcomes)
// and the statuses expected at given times after the daemon's hysteresis.
#ifndef BLOCKHEALTH_CORE_POLICY_CASES_CASE_FILE_H
#define BLOCKHEALTH_CORE_POLICY_CASES_CASE_FILE_H

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/model/observation.h"
#include "core/model/status.h"
#include "core/util/result.h"

namespace blockhealth {

// One series of one instance: its name and labels, and a value per step
// (nullopt: no sample at that step).
struct CaseSeries {
  std::string name;
  std::vector<Label> labels;
  std::vector<std::optional<double>> values;
};

struct CaseLog {
  std::int64_t at_ms = 0;
  std::string line;
};

struct CaseProbe {
  std::int64_t at_ms = 0;
  int http_status = 0;  // 0: no answer (refused)
  std::string body;
};

struct CaseExpectation {
  std::int64_t at_ms = 0;
  std::string instance;
  Status status = Status::kUnknown;
  std::string reason;  // a substring the reason must hold; "" = any
  int line = 0;        // in the file, for messages
};

struct CaseTest {
  std::string name;
  std::map<std::string, std::vector<CaseSeries>> series;  // by instance
  std::map<std::string, std::vector<CaseLog>> logs;
  std::map<std::string, std::vector<CaseProbe>> probes;
  std::vector<CaseExpectation> expect;  // sorted by time
  std::vector<std::string> instances;   // every instance named, in order first seen
};

struct CaseFile {
  std::string policy;  // a built-in name, or a path to a .so (absolute)
  YAML::Node with;     // as written (Null when absent)
  std::chrono::milliseconds interval{10'000};
  Thresholds thresholds;  // the daemon's defaults unless given
  std::vector<CaseTest> tests;
};

// Reads `text` (named `file` in messages). Error: every problem,
// "<file>:<line>:<col>: ...", one a line.
Result<CaseFile> read_case_file(const std::string& text, const std::string& file,
                                const std::filesystem::path& base_dir);

// promtool's notation for a series' values, one per step: "1 2 3",
// "1+2x3" (1 3 5 7), "5-1x2" (5 4 3), "_" (no sample), "_x3", "NaN",
// "Inf", "-Inf". Error names the token.
Result<std::vector<std::optional<double>>> expand_values(std::string_view text);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_POLICY_CASES_CASE_FILE_H
