// Runs a CaseFile through the real plugin host: the policy is loaded,
// its `with:` checked against its schema and created exactly as the daemon
// does; each test evaluates every instance once per interval from 0s to
// the last expectation, feeds the results through the daemon's hysteresis
// (PolicyTracker) and compares the statuses at the expected times.
#ifndef BLOCKHEALTH_CORE_POLICY_CASES_CASE_RUNNER_H
#define BLOCKHEALTH_CORE_POLICY_CASES_CASE_RUNNER_H

#include <filesystem>
#include <string>
#include <vector>

#include "core/policy_cases/case_file.h"
#include "core/util/result.h"

namespace blockhealth {

struct CaseReport {
  int passed = 0;
  int failed = 0;
  std::string text;  // per test "PASS name" / "FAIL name" and each mismatch
};

// Error: the policy cannot be found, loaded, validated or created (the
// host's message, with the file position of `with:` where it has one).
Result<CaseReport> run_cases(const CaseFile& cases, const std::string& file,
                             const std::vector<std::filesystem::path>& builtin_plugin_dirs);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_POLICY_CASES_CASE_RUNNER_H
