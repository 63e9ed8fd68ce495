#include "tests/plugins/policy_harness.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <memory>
#include <utility>

#include "core/plugins/params_validator.h"
#include "core/prometheus/exposition_parser.h"
#include "core/util/clock.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

constexpr std::int64_t kCallBudgetNs = 30'000'000'000;  // generous: no timing assertions

}  // namespace

PolicyHarness::PolicyHarness(const std::string& policy_name) {
  const auto path = plugin_dir() / (policy_name + ".so");
  auto loaded = load_policy_plugin(path);
  if (!loaded) {
    ADD_FAILURE() << "cannot load " << path << ": " << loaded.error().message;
    return;
  }
  plugin_ = *loaded;
}

Result<std::string> PolicyHarness::validate(const std::string& with_yaml) const {
  if (!plugin_) return fail("no plugin loaded");
  const YAML::Node with = with_yaml.empty() ? YAML::Node() : YAML::Load(with_yaml);
  std::vector<Error> all;
  auto json = validate_policy_params(*plugin_, with, "test.yaml", &all);
  if (json) return json;
  std::string messages;
  for (const Error& e : all) messages += e.message + "\n";
  if (messages.empty()) messages = json.error().message;
  return fail(messages);
}

Result<PolicyInstanceSharedPtr> PolicyHarness::create(const std::string& with_yaml) const {
  auto json = validate(with_yaml);
  if (!json) return json.error();
  return PolicyInstance::create(plugin_, *json, "test-block/" + plugin_->name(),
                                SystemClock::instance());
}

PolicyInstanceSharedPtr PolicyHarness::make(const std::string& with_yaml) const {
  auto created = create(with_yaml);
  if (!created) {
    ADD_FAILURE() << "create failed: " << created.error().message;
    return nullptr;
  }
  return *created;
}

std::vector<PolicyVerdict> evaluate(PolicyInstance& policy,
                                    const std::vector<InstanceObservations>& inputs,
                                    std::int64_t now_ms) {
  std::vector<InstanceObservationsConstSharedPtr> shared;
  shared.reserve(inputs.size());
  for (const InstanceObservations& in : inputs) {
    shared.push_back(std::make_shared<const InstanceObservations>(in));
  }
  CallLimits limits;
  limits.now_ms = now_ms;
  limits.deadline_ns = SystemClock::instance().monotonic_ns() + kCallBudgetNs;
  EvaluateOutcome outcome = policy.evaluate(shared, limits);
  EXPECT_TRUE(outcome.ok) << outcome.error;
  EXPECT_EQ(outcome.verdicts.size(), inputs.size());
  outcome.verdicts.resize(inputs.size());
  return std::move(outcome.verdicts);
}

PolicyVerdict evaluate_one(PolicyInstance& policy, const InstanceObservations& input,
                           std::int64_t now_ms) {
  return evaluate(policy, {input}, now_ms).front();
}

MetricSample sample(std::string name, std::vector<Label> labels, double value) {
  MetricSample s;
  s.name = std::move(name);
  s.labels = std::move(labels);
  s.value = value;
  s.timestamp_ms = kNowMs;
  return s;
}

InstanceObservations instance(std::string id, std::vector<MetricSample> samples) {
  InstanceObservations in;
  in.block_id = "test-block";
  in.instance_id = std::move(id);
  in.samples = std::move(samples);
  in.last_seen_ms = kNowMs;
  return in;
}

std::vector<MetricSample> fixture_samples(const std::string& name) {
  auto parsed = prometheus::parse_exposition(read_fixture(name));
  if (!parsed) {
    ADD_FAILURE() << name << ": " << parsed.error().message;
    return {};
  }
  return std::move(parsed->samples);
}

}  // namespace blockhealth::test
