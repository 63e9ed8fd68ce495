// Blocks sent as JSON (PUT /v1/blocks/<id>): read by the config file's
// rules, each problem located by JSON pointer into the body.
#include "core/config/api_block_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/config/config_loader.h"

namespace blockhealth {
namespace {

using ::testing::HasSubstr;

Config file_config(const std::string& yaml = "defaults:\n  interval: 7s\nblocks: []\n") {
  auto config = load_config_string(yaml, "/etc/blockhealth/blockhealth.yaml");
  EXPECT_TRUE(config) << config.error().message;
  return config ? std::move(*config) : Config{};
}

// The problems of reading `body` as block "b".
std::vector<BodyProblem> problems_of(const std::string& body) {
  std::vector<BodyProblem> problems;
  auto read = read_api_block(body, "b", file_config(), &problems);
  EXPECT_FALSE(read) << "accepted: " << body;
  if (read) return {};
  EXPECT_EQ(read.error().message, format_body_problems(problems));
  return problems;
}

// The one problem of `body`: its pointer, and its message checked to hold `says`.
std::string pointer_of(const std::string& body, const std::string& says) {
  const auto problems = problems_of(body);
  EXPECT_EQ(problems.size(), 1U) << format_body_problems(problems);
  if (problems.empty()) return "(none)";
  EXPECT_THAT(problems[0].message, HasSubstr(says));
  return problems[0].pointer;
}

TEST(ApiBlockReader, ABlockIsReadWithTheFilesDefaultsAndStoredWithItsId) {
  const Config file = file_config();
  auto read = read_api_block(
      R"({"instances":[{"id":"i1","health_url":"http://127.0.0.1:9/health","labels":{"zone":"a"}},
                       {"id":"exec","role":"executor"}],
          "min_healthy":"50%","timeout":"1s","unhealthy_after":2})",
      "b", file);
  ASSERT_TRUE(read) << read.error().message;
  const BlockConfig& b = read->config;
  EXPECT_EQ(b.id, "b");
  EXPECT_EQ(b.source, BlockSource::kApi);
  EXPECT_EQ(b.position_label, "api:b");
  EXPECT_EQ(b.settings.interval, std::chrono::milliseconds(7000));  // from defaults:
  EXPECT_EQ(b.settings.timeout, std::chrono::milliseconds(1000));
  EXPECT_EQ(b.settings.thresholds.unhealthy_after, 2);
  ASSERT_EQ(b.instances.size(), 2U);
  EXPECT_EQ(b.instances[0].health_url->port, 9);
  EXPECT_EQ(b.instances[0].labels.at("zone"), "a");
  EXPECT_TRUE(b.instances[1].executor);
  ASSERT_TRUE(b.min_healthy);
  EXPECT_EQ(b.min_healthy->value, 50);
  EXPECT_THAT(read->body, HasSubstr(R"("id":"b")"));
  // The stored body reads back to the same block.
  auto again = read_api_block(read->body, "b", file);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->body, read->body);
}

// Found by fuzz_api_block: a number Boost.JSON reads inexactly (here
// 60-digit label values; the second one's reading cycles between two
// doubles) made the stored body read back as another text. Random bit
// patterns: about 3 in 100 failed before reading was followed to a fixed
// point by nearest neighbours.
TEST(ApiBlockReader, TheStoredBodyReadsBackTheSameWhateverItsNumbers) {
  const Config file = file_config();
  std::vector<std::string> numbers = {
      "811111111111111111111111111111111111111111111111111111111110",
      "181100000000000000000000000000000000000014611678791024275909",
      "0.1",
      "1e300",
      "2.2250738585072014e-308",
      "123456789.123456789",
      "-7.77e-77"};
  std::mt19937_64 random(7);
  while (numbers.size() < 600) {
    const std::uint64_t bits = random();
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    std::array<char, 40> text{};
    std::snprintf(text.data(), text.size(), "%.17g", d);
    numbers.emplace_back(text.data());
  }
  for (const std::string& number : numbers) {
    const std::string body = R"({"instances":[{"id":"i1","labels":{"z":)" + number +
                             R"(}}],"policies":[{"use":"gpu_temperature"}],"unhealthy_after":2})";
    auto read = read_api_block(body, "b", file);
    ASSERT_TRUE(read.has_value()) << number << ": " << read.error().message;
    auto again = read_api_block(read->body, "b", file);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->body, read->body) << number;
  }
}

TEST(ApiBlockReader, PoliciesKeepTheirWithForThePlan) {
  auto read = read_api_block(
      R"({"policies":[{"use":"gpu_temperature","id":"hot","with":{"max_celsius":85.5,"names":["a"]}}]})",
      "b", file_config());
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->config.policies.size(), 1U);
  const PolicyConfig& p = read->config.policies[0];
  EXPECT_EQ(p.id, "hot");
  EXPECT_EQ(p.with["max_celsius"].as<double>(), 85.5);
  EXPECT_EQ(p.with["names"][0].as<std::string>(), "a");
}

TEST(ApiBlockReader, ABodyThatIsNotJsonSaysWhere) {
  const auto problems = problems_of(R"({"instances": [)");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].pointer, "");
  EXPECT_THAT(problems[0].message, HasSubstr("the body is not JSON: invalid JSON at byte"));
}

TEST(ApiBlockReader, ABodyThatIsNotAnObjectIsRefused) {
  EXPECT_EQ(pointer_of("[1,2]", "expected a JSON object"), "");
  EXPECT_EQ(pointer_of("\"b\"", "expected a JSON object"), "");
}

TEST(ApiBlockReader, AnIdThatDiffersFromThePathIsRefused) {
  EXPECT_EQ(
      pointer_of(R"({"id":"other","policies":[{"use":"x"}]})", "differs from the id in the path"),
      "/id");
  EXPECT_EQ(pointer_of(R"({"id":7,"policies":[{"use":"x"}]})", "differs"), "/id");
}

TEST(ApiBlockReader, ProblemsArePointedAtTheValue) {
  EXPECT_EQ(pointer_of(R"({"interval":"fast","policies":[{"use":"x"}]})",
                       "interval: expected a duration"),
            "/interval");
  EXPECT_EQ(pointer_of(R"({"instances":[{"id":"ok","health_url":"http://a/h"},
                                        {"id":"bad","health_url":"ftp://a/h"}],
                          "policies":[{"use":"x"}]})",
                       "health_url"),
            "/instances/1/health_url");
  EXPECT_EQ(pointer_of(R"({"policies":[{"use":"x","unhealthy_after":0}]})", "unhealthy_after"),
            "/policies/0/unhealthy_after");
  EXPECT_EQ(pointer_of(R"({"min_healthy":true,"policies":[{"use":"x"}]})", "min_healthy"),
            "/min_healthy");
}

TEST(ApiBlockReader, AnUnknownKeyIsPointedAtWithASuggestion) {
  EXPECT_EQ(pointer_of(R"({"policies":[{"use":"x","intervall":"5s"}]})", "did you mean 'interval'"),
            "/policies/0/intervall");
  // RFC 6901 escaping of "/" and "~" in keys.
  EXPECT_EQ(pointer_of(R"({"policies":[{"use":"x"}],"a/b~c":1})", "a/b~c"), "/a~1b~0c");
}

TEST(ApiBlockReader, ADuplicateInstanceNamesTheFirstByPointer) {
  EXPECT_EQ(pointer_of(R"({"instances":[{"id":"i","health_url":"http://a/h"},
                                        {"id":"i","health_url":"http://b/h"}]})",
                       "duplicate instance id 'i' (first at /instances/0)"),
            "/instances/1");
}

TEST(ApiBlockReader, ABlockThatChecksNothingIsPointedAtTheBody) {
  EXPECT_EQ(pointer_of(R"({})", "checks nothing"), "");
}

TEST(ApiBlockReader, EveryProblemIsReportedInBodyOrder) {
  const auto problems = problems_of(
      R"({"interval":"x","instances":[{"id":"i","health_url":"nope"}],"timeout":"y",
          "policies":[{"use":"x"}]})");
  ASSERT_EQ(problems.size(), 3U) << format_body_problems(problems);
  EXPECT_EQ(problems[0].pointer, "/interval");
  EXPECT_EQ(problems[1].pointer, "/instances/0/health_url");
  EXPECT_EQ(problems[2].pointer, "/timeout");
}

TEST(ApiBlockReader, APlanMessageAboutTheBlockMapsBackToAPointer) {
  auto read =
      read_api_block(R"({"policies":[{"use":"x","with":{"limit":"high"}}]})", "b", file_config());
  ASSERT_TRUE(read) << read.error().message;
  // The line of "limit" in the text read: find it through the pointers.
  int line = 0;
  for (std::size_t i = 0; i < read->pointers.size(); ++i) {
    if (read->pointers[i] == "/policies/0/with/limit") line = static_cast<int>(i) + 1;
  }
  ASSERT_GT(line, 0);
  const auto mapped = api_problem(
      "api:b:" + std::to_string(line) + ":14: policy x: with.limit: expected number", *read);
  ASSERT_TRUE(mapped);
  EXPECT_EQ(mapped->pointer, "/policies/0/with/limit");
  EXPECT_EQ(mapped->message, "policy x: with.limit: expected number");
  EXPECT_FALSE(api_problem("/etc/blockhealth/blockhealth.yaml:3:1: other", *read));
  EXPECT_FALSE(api_problem("api:bb:3:1: another block's", *read));
}

TEST(ApiBlockReader, TheFileWinsOverAnApiBlockOfTheSameId) {
  Config config = file_config("blocks:\n  - id: both\n    policies:\n      - use: x\n");
  std::map<std::string, ApiBlock> api;
  for (const std::string id : {"both", "only-api"}) {
    auto read = read_api_block(R"({"policies":[{"use":"y"}]})", id, config);
    ASSERT_TRUE(read) << read.error().message;
    api.emplace(id, std::move(*read));
  }
  std::vector<std::string> shadowed;
  add_api_blocks(config, api, &shadowed);
  EXPECT_EQ(shadowed, std::vector<std::string>{"both"});
  ASSERT_EQ(config.blocks.size(), 2U);
  EXPECT_EQ(config.blocks[0].source, BlockSource::kFile);
  EXPECT_TRUE(config.blocks[0].shadows_api_block);
  EXPECT_EQ(config.blocks[0].policies.at(0).use, "x");
  EXPECT_EQ(config.blocks[1].id, "only-api");
  EXPECT_EQ(config.blocks[1].source, BlockSource::kApi);
}

}  // namespace
}  // namespace blockhealth
