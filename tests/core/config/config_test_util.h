// Helpers for the config tests: load YAML text and get its problems as the
// formatted "file:line:col: message" lines.
#ifndef BLOCKHEALTH_TESTS_CORE_CONFIG_CONFIG_TEST_UTIL_H
#define BLOCKHEALTH_TESTS_CORE_CONFIG_CONFIG_TEST_UTIL_H

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/config/config_loader.h"

namespace blockhealth::test {

// Loads `yaml` labelled "test.yaml" and returns every problem, formatted.
// Also checks that the Error message is exactly those lines joined by '\n'
// and that the load failed if and only if there are problems.
inline std::vector<std::string> config_problems(std::string_view yaml) {
  std::vector<ConfigProblem> list;
  const auto result = load_config_string(yaml, "test.yaml", &list);
  std::vector<std::string> lines;
  std::string joined;
  for (const auto& p : list) {
    lines.push_back(format_problem(p));
    joined += (joined.empty() ? "" : "\n") + lines.back();
  }
  EXPECT_EQ(result.has_value(), lines.empty());
  if (!result) EXPECT_EQ(result.error().message, joined);
  return lines;
}

// A block that is valid on its own, for tests that add one wrong thing.
// Lines 1-4.
inline constexpr std::string_view kValidBlock =
    "blocks:\n"
    "  - id: b\n"
    "    policies:\n"
    "      - use: p\n";

// kValidBlock followed by `extra` (more keys of that block, or more blocks).
inline std::string with_block(std::string_view extra) {
  return std::string(kValidBlock) + std::string(extra);
}

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_CONFIG_CONFIG_TEST_UTIL_H
