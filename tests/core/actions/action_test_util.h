// Helpers for the tests of core/actions: configs loaded by the real loader,
// transitions, fast dispatcher options.
#ifndef BLOCKHEALTH_TESTS_CORE_ACTIONS_ACTION_TEST_UTIL_H
#define BLOCKHEALTH_TESTS_CORE_ACTIONS_ACTION_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/actions/dispatcher_options.h"
#include "core/config/config.h"
#include "core/config/config_loader.h"
#include "core/model/transition.h"

namespace blockhealth::test {

// Loads `yaml` with the real config loader; fails the test (and returns an
// empty Config) when it does not load.
inline Config load_test_config(const std::string& yaml) {
  auto config = load_config_string(yaml, "actions-test.yaml");
  if (!config) {
    ADD_FAILURE() << "config did not load:\n" << config.error().message << "\n" << yaml;
    return Config{};
  }
  return *config;
}

inline Transition make_transition(std::uint64_t seq, const std::string& instance, Status from,
                                  Status to, const std::string& reason = "because",
                                  const std::string& block = "b") {
  Transition t;
  t.seq = seq;
  t.time_ms = 1'767'225'600'000 + static_cast<std::int64_t>(seq) * 1000;  // 2026-01-01T00:00:xx
  t.block_id = block;
  t.instance_id = instance;
  t.from = from;
  t.to = to;
  t.policy = "gpu-temp";
  t.reason = reason;
  return t;
}

// Retries fast: 20ms, 40ms, capped at 80ms; 10 attempts.
inline DispatcherOptions fast_options() {
  DispatcherOptions o;
  o.backoff_base = std::chrono::milliseconds(20);
  o.backoff_cap = std::chrono::milliseconds(80);
  o.max_attempts = 10;
  return o;
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_ACTIONS_ACTION_TEST_UTIL_H
