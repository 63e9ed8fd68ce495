#include "core/policy_cases/case_runner.h"

#include <blockhealth/policy_abi.h>

#include <algorithm>
#include <memory>

#include "core/engine/policy_tracker.h"
#include "core/plugins/params_validator.h"
#include "core/plugins/policy_instance.h"
#include "core/plugins/policy_plugin.h"
#include "core/util/clock.h"

namespace blockhealth {
namespace {

// The wall time step 0 is evaluated at (2027-01-15T08:00:00Z): fixed, so a
// case's reasons and results do not depend on when it runs.
constexpr std::int64_t kCaseEpochMs = 1'800'000'000'000;
constexpr std::int64_t kCallBudgetNs = 30'000'000'000;

std::string at_text(std::int64_t ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

Result<PolicyPluginConstSharedPtr> find_plugin(const std::string& policy,
                                               const std::vector<std::filesystem::path>& dirs) {
  if (policy.find('/') != std::string::npos) return load_policy_plugin(policy);
  for (const auto& dir : dirs) {
    const auto path = dir / (policy + ".so");
    if (std::filesystem::exists(path)) return load_policy_plugin(path);
  }
  std::string searched;
  for (const auto& dir : dirs) searched += (searched.empty() ? "" : ", ") + dir.string();
  return fail("no built-in policy '" + policy + "' (looked in " + searched +
              "); give the path of a .so for another one");
}

// The observations of `id` at step `t_ms` (samples of that step, log lines
// and the probe so far).
InstanceObservations observe(const CaseTest& test, const std::string& id, std::size_t step,
                             std::int64_t t_ms) {
  InstanceObservations in;
  in.block_id = "test";
  in.instance_id = id;
  if (auto it = test.series.find(id); it != test.series.end()) {
    for (const CaseSeries& s : it->second) {
      if (step >= s.values.size() || !s.values[step]) continue;
      in.samples.push_back({s.name, s.labels, *s.values[step], kCaseEpochMs + t_ms});
      in.last_seen_ms = kCaseEpochMs + t_ms;
    }
  }
  if (auto it = test.logs.find(id); it != test.logs.end()) {
    for (const CaseLog& l : it->second) {
      if (l.at_ms <= t_ms) in.logs.push_back({l.line, kCaseEpochMs + l.at_ms});
    }
  }
  if (auto it = test.probes.find(id); it != test.probes.end()) {
    for (const CaseProbe& p : it->second) {
      if (p.at_ms > t_ms) continue;
      ProbeResult r;
      r.outcome = p.http_status == 0 ? BH_PROBE_REFUSED : BH_PROBE_RESPONSE;
      r.http_status = p.http_status;
      r.time_ms = kCaseEpochMs + p.at_ms;
      r.url = "http://" + id + "/health";
      r.error = p.http_status == 0 ? "connection refused" : "";
      r.body = p.body;
      in.probe = std::move(r);
    }
  }
  return in;
}

}  // namespace

Result<CaseReport> run_cases(const CaseFile& cases, const std::string& file,
                             const std::vector<std::filesystem::path>& builtin_plugin_dirs) {
  auto plugin = find_plugin(cases.policy, builtin_plugin_dirs);
  if (!plugin) return plugin.error();
  auto params = validate_policy_params(**plugin, cases.with, file);
  if (!params) return params.error();
  CaseReport report;
  for (const CaseTest& test : cases.tests) {
    // A fresh instance per test: state a policy keeps (rates) starts over.
    auto policy = PolicyInstance::create(*plugin, *params, "test/" + (*plugin)->name(),
                                         SystemClock::instance());
    if (!policy) return fail("policy " + (*plugin)->name() + ": " + policy.error().message);
    std::vector<PolicyTracker> trackers(test.instances.size(), PolicyTracker(cases.thresholds));
    std::vector<std::string> mismatches;
    const std::int64_t last = test.expect.empty() ? 0 : test.expect.back().at_ms;
    const std::int64_t interval = cases.interval.count();
    std::size_t next = 0;
    for (std::size_t step = 0; static_cast<std::int64_t>(step) * interval <= last; ++step) {
      const std::int64_t t = static_cast<std::int64_t>(step) * interval;
      std::vector<InstanceObservationsConstSharedPtr> inputs;
      for (const std::string& id : test.instances) {
        inputs.push_back(std::make_shared<const InstanceObservations>(observe(test, id, step, t)));
      }
      CallLimits limits;
      limits.now_ms = kCaseEpochMs + t;
      limits.deadline_ns = SystemClock::instance().monotonic_ns() + kCallBudgetNs;
      const EvaluateOutcome outcome = (*policy)->evaluate(inputs, limits);
      for (std::size_t i = 0; i < trackers.size(); ++i) {
        (void)trackers[i].observe(outcome.verdicts[i], kCaseEpochMs + t);
      }
      // Expectations between this step and the next see this step's state.
      while (next < test.expect.size() && test.expect[next].at_ms < t + interval) {
        const CaseExpectation& x = test.expect[next++];
        const auto pos = std::find(test.instances.begin(), test.instances.end(), x.instance) -
                         test.instances.begin();
        const PolicyVerdict& got = trackers[static_cast<std::size_t>(pos)].effective();
        const bool status_ok = got.status == x.status;
        const bool reason_ok = x.reason.empty() || got.reason.find(x.reason) != std::string::npos;
        if (status_ok && reason_ok) continue;
        std::string line = "  " + file + ":" + std::to_string(x.line) + ": at " + at_text(x.at_ms) +
                           " " + x.instance + ": expected " + std::string(to_string(x.status));
        if (!x.reason.empty()) line += " with a reason containing '" + x.reason + "'";
        line += ", got " + std::string(to_string(got.status)) + ": " + got.reason;
        mismatches.push_back(std::move(line));
      }
    }
    if (mismatches.empty()) {
      ++report.passed;
      report.text += "PASS " + test.name + "\n";
    } else {
      ++report.failed;
      report.text += "FAIL " + test.name + "\n";
      for (const std::string& m : mismatches) report.text += m + "\n";
    }
  }
  report.text +=
      std::to_string(report.passed) + " passed, " + std::to_string(report.failed) + " failed\n";
  return report;
}

}  // namespace blockhealth
