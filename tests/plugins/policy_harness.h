// Test helpers for the built-in policies: load a policy's real .so through
// the daemon's plugin host, validate `with:` YAML against its schema,
// create instances and evaluate observations, exactly as the engine does.
#ifndef BLOCKHEALTH_TESTS_PLUGINS_POLICY_HARNESS_H
#define BLOCKHEALTH_TESTS_PLUGINS_POLICY_HARNESS_H

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/observation.h"
#include "core/model/policy_verdict.h"
#include "core/plugins/policy_instance.h"
#include "core/plugins/policy_plugin.h"
#include "core/util/result.h"

namespace blockhealth::test {

// A fixed wall time the tests evaluate "as of" (2027-01-15T08:00:00Z).
inline constexpr std::int64_t kNowMs = 1'800'000'000'000;

class PolicyHarness {
 public:
  // Loads plugin_dir()/<policy_name>.so with load_policy_plugin; a refused
  // plugin fails the current test (plugin() is then null).
  explicit PolicyHarness(const std::string& policy_name);

  const PolicyPluginConstSharedPtr& plugin() const { return plugin_; }

  // validate_policy_params on `with_yaml`, the YAML of the `with:` map ("" =
  // no parameters). On failure the Error holds every violation, one a line.
  Result<std::string> validate(const std::string& with_yaml) const;

  // validate(), then PolicyInstance::create with the resulting JSON.
  Result<PolicyInstanceSharedPtr> create(const std::string& with_yaml) const;

  // create(), failing the current test on error.
  PolicyInstanceSharedPtr make(const std::string& with_yaml = "") const;

 private:
  PolicyPluginConstSharedPtr plugin_;
};

// One batched evaluate of `inputs` as of `now_ms`; fails the current test
// when the call does not succeed. Returns one verdict per input.
std::vector<PolicyVerdict> evaluate(PolicyInstance& policy,
                                    const std::vector<InstanceObservations>& inputs,
                                    std::int64_t now_ms = kNowMs);

// evaluate() of a single instance.
PolicyVerdict evaluate_one(PolicyInstance& policy, const InstanceObservations& input,
                           std::int64_t now_ms = kNowMs);

// Builders for observations.
MetricSample sample(std::string name, std::vector<Label> labels, double value);
InstanceObservations instance(std::string id, std::vector<MetricSample> samples = {});

// The samples of a Prometheus text fixture (tests/fixtures/<name>), parsed
// with the daemon's exposition parser; fails the current test on error.
std::vector<MetricSample> fixture_samples(const std::string& name);

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_PLUGINS_POLICY_HARNESS_H
