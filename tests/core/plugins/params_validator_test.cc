// validate_policy_params: YAML `with:` -> JSON, checked against the schema,
// errors pointing at file:line:col and the field.
#include "core/plugins/params_validator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::test_plugin;
using ::testing::UnorderedElementsAre;

// The `with:` node of the first policy of the first block of `yaml`.
YAML::Node with_of(YAML::Node& root) {
  return root["blocks"][0]["policies"][0]["with"];
}

std::vector<std::string> messages(const std::vector<Error>& errors) {
  std::vector<std::string> out;
  out.reserve(errors.size());
  for (const Error& e : errors) out.push_back(e.message);
  return out;
}

// A PolicyPlugin that only describes a schema: exercises the validator with
// schemas no real test plugin has (and the path for plugins that were not
// loaded by load_policy_plugin).
class SchemaOnlyPlugin final : public PolicyPlugin {
 public:
  explicit SchemaOnlyPlugin(std::string schema) : schema_(std::move(schema)) {}
  const std::string& name() const override { return name_; }
  const std::string& version() const override { return name_; }
  const std::string& description() const override { return name_; }
  const std::string& params_schema() const override { return schema_; }
  std::uint32_t abi_major() const override { return 1; }
  std::uint32_t abi_minor() const override { return 0; }
  const std::filesystem::path& path() const override { return path_; }
  const std::string& content_hash() const override { return name_; }
  bool has_manage() const override { return false; }
  bool reentrant() const override { return false; }
  const bh_policy_v1& table() const override { return table_; }

 private:
  std::string name_ = "log_pattern";
  std::string schema_;
  std::filesystem::path path_;
  bh_policy_v1 table_{};
};

class ParamsValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    echo_ = test::must_load(test_plugin("test_echo"));
    minimal_ = test::must_load(test_plugin("test_c_minimal"));
    fail_ = test::must_load(test_plugin("test_fail"));
    ASSERT_NE(echo_, nullptr);
    ASSERT_NE(minimal_, nullptr);
    ASSERT_NE(fail_, nullptr);
  }
  PolicyPluginConstSharedPtr echo_, minimal_, fail_;
};

TEST_F(ParamsValidatorTest, ValidParamsBecomeCompactJson) {
  YAML::Node root = YAML::Load(R"(blocks:
  - id: gemma
    policies:
      - use: test_echo
        with:
          prefix: "gpu: "
)");
  Result<std::string> json = validate_policy_params(*echo_, with_of(root), "conf.yaml");
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ(*json, R"({"prefix":"gpu: "})");
}

TEST_F(ParamsValidatorTest, AbsentOrEmptyWithIsAnEmptyObject) {
  YAML::Node root = YAML::Load("blocks:\n  - policies:\n      - use: test_echo\n");
  Result<std::string> absent = validate_policy_params(*echo_, with_of(root), "conf.yaml");
  ASSERT_TRUE(absent.has_value()) << absent.error().message;
  EXPECT_EQ(*absent, "{}");
  YAML::Node empty_root =
      YAML::Load("blocks:\n  - policies:\n      - use: test_echo\n        with:\n");
  Result<std::string> empty = validate_policy_params(*echo_, with_of(empty_root), "conf.yaml");
  ASSERT_TRUE(empty.has_value()) << empty.error().message;
  EXPECT_EQ(*empty, "{}");
}

TEST_F(ParamsValidatorTest, WrongTypeNamesFileLineColumnFieldAndBothTypes) {
  YAML::Node root = YAML::Load(R"(blocks:
  - id: gemma
    policies:
      - use: test_echo
        with:
          prefix: 42
)");
  std::vector<Error> all;
  Result<std::string> json = validate_policy_params(*echo_, with_of(root), "conf.yaml", &all);
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().message,
            "conf.yaml:6:19: policy test_echo: with.prefix: expected string, got number 42");
  EXPECT_THAT(messages(all), UnorderedElementsAre(json.error().message));
}

TEST_F(ParamsValidatorTest, QuotedNumberIsAStringAndFailsANumberField) {
  SchemaOnlyPlugin plugin(R"({"type":"object","properties":{"warn_celsius":{"type":"number"}}})");
  YAML::Node root = YAML::Load(R"(blocks:
  - policies:
      - use: gpu_temperature
        with: { warn_celsius: "83" }
)");
  Result<std::string> json = validate_policy_params(plugin, with_of(root), "c.yaml");
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(json.error().message,
            "c.yaml:4:31: policy log_pattern: with.warn_celsius: expected number, got string "
            "\"83\"");
}

TEST_F(ParamsValidatorTest, UnknownFieldPointsAtTheKey) {
  YAML::Node root = YAML::Load(R"(blocks:
  - id: gemma
    policies:
      - use: test_echo
        with:
          prefix: ok
          prefx: typo
)");
  Result<std::string> json = validate_policy_params(*echo_, with_of(root), "conf.yaml");
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(
      json.error().message,
      "conf.yaml:7:11: policy test_echo: with: unknown field 'prefx'; did you mean 'prefix'?");
}

TEST_F(ParamsValidatorTest, EveryViolationIsReported) {
  SchemaOnlyPlugin plugin(R"({
    "type": "object",
    "required": ["window"],
    "properties": {
      "window": {"type": "string"},
      "critical": {"type": "array", "items": {"type": "string"}},
      "level": {"enum": ["low", "high"]},
      "max": {"type": "integer", "minimum": 1, "maximum": 10}
    },
    "additionalProperties": false
  })");
  YAML::Node root = YAML::Load(R"(blocks:
  - policies:
      - use: log_pattern
        with:
          critical: ["CUDA error", 5]
          level: medium
          max: 20
          critcal: 1
)");
  std::vector<Error> all;
  Result<std::string> json = validate_policy_params(plugin, with_of(root), "b.yaml", &all);
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(messages(all),
              UnorderedElementsAre(
                  "b.yaml:5:11: policy log_pattern: with: missing required field 'window'",
                  "b.yaml:5:36: policy log_pattern: with.critical[1]: expected string, got "
                  "number 5",
                  "b.yaml:6:18: policy log_pattern: with.level: expected one of "
                  "[\"low\",\"high\"], got string \"medium\"",
                  "b.yaml:7:16: policy log_pattern: with.max: expected number less than or equal "
                  "to 10, got number 20",
                  "b.yaml:8:11: policy log_pattern: with: unknown field 'critcal'; did you mean "
                  "'critical'?"));
  EXPECT_EQ(json.error().message, all.front().message);
}

TEST_F(ParamsValidatorTest, ErrorsAreAppendedToTheCallersList) {
  YAML::Node root = YAML::Load("blocks:\n  - policies:\n      - with: {prefix: 1}\n");
  std::vector<Error> all{Error{"earlier problem"}};
  EXPECT_FALSE(validate_policy_params(*echo_, with_of(root), "x.yaml", &all).has_value());
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].message, "earlier problem");
}

TEST_F(ParamsValidatorTest, WithMustBeAMapping) {
  YAML::Node root = YAML::Load("blocks:\n  - policies:\n      - with: [1, 2]\n");
  Result<std::string> json = validate_policy_params(*minimal_, with_of(root), "x.yaml");
  ASSERT_FALSE(json.has_value());
  EXPECT_EQ(
      json.error().message,
      "x.yaml:3:15: policy test_c_minimal: with: expected a mapping of parameters, got array");
}

TEST_F(ParamsValidatorTest, NoSchemaAcceptsAnyMapping) {
  YAML::Node root = YAML::Load("blocks:\n  - policies:\n      - with: {anything: [1, x]}\n");
  Result<std::string> json = validate_policy_params(*fail_, with_of(root), "x.yaml");
  ASSERT_TRUE(json.has_value()) << json.error().message;
  EXPECT_EQ(*json, R"({"anything":[1,"x"]})");
}

TEST_F(ParamsValidatorTest, YamlScalarsTakeCoreSchemaTypes) {
  YAML::Node root = YAML::Load(R"(blocks:
  - policies:
      - use: test_c_minimal
        with:
          quoted: "83"
          single: '83'
          number: 83
          negative: -7
          float: 1.5
          yes_bool: true
          no_bool: False
          null_word: null
          tilde: ~
          empty:
          hex: 0x1F
          octal: 0o17
          quoted_true: "true"
          plain_yes: yes
          tagged: !!str 12
          list: [1, "2", three]
          nested: {a: {b: null}}
)");
  Result<std::string> json = validate_policy_params(*minimal_, with_of(root), "x.yaml");
  ASSERT_TRUE(json.has_value()) << json.error().message;
  const boost::json::value parsed = boost::json::parse(*json);
  const boost::json::value expected = boost::json::parse(R"({
    "quoted": "83", "single": "83", "number": 83, "negative": -7, "float": 1.5,
    "yes_bool": true, "no_bool": false, "null_word": null, "tilde": null, "empty": null,
    "hex": 31, "octal": 15, "quoted_true": "true", "plain_yes": "yes", "tagged": "12",
    "list": [1, "2", "three"], "nested": {"a": {"b": null}}
  })");
  EXPECT_EQ(parsed, expected) << *json;
  EXPECT_TRUE(parsed.at("number").is_int64());
  EXPECT_TRUE(parsed.at("float").is_double());
}

TEST_F(ParamsValidatorTest, ValuesWithoutJsonEquivalentAreErrors) {
  YAML::Node root = YAML::Load(R"(blocks:
  - policies:
      - use: test_c_minimal
        with:
          limit: .inf
          a: 1
          a: 2
)");
  std::vector<Error> all;
  Result<std::string> json = validate_policy_params(*minimal_, with_of(root), "x.yaml", &all);
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(messages(all), UnorderedElementsAre(
                                 "x.yaml:5:18: policy test_c_minimal: with.limit: '.inf' has no "
                                 "JSON equivalent (only finite numbers)",
                                 "x.yaml:7:11: policy test_c_minimal: with.a: duplicate key 'a'"));
}

TEST_F(ParamsValidatorTest, PluginWithUnparseableSchemaIsAnError) {
  SchemaOnlyPlugin plugin("{not json");
  YAML::Node root = YAML::Load("blocks:\n  - policies:\n      - with: {a: 1}\n");
  Result<std::string> json = validate_policy_params(plugin, with_of(root), "x.yaml");
  ASSERT_FALSE(json.has_value());
  EXPECT_THAT(json.error().message,
              ::testing::StartsWith("x.yaml:3:15: policy log_pattern: with: cannot be checked: "
                                    "the policy's params_schema is not valid JSON"));
}

}  // namespace
}  // namespace blockhealth
