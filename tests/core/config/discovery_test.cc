// Discovery's pure parts: `discovery:` in the config, target lists (JSON
// and YAML, Prometheus's file_sd / http_sd shape), the instance templates,
// the mapping of targets to instances, and the grace of vanished ones.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config/config_loader.h"
#include "core/discovery/discovered_set.h"
#include "core/discovery/instance_template.h"
#include "core/discovery/target_groups.h"
#include "core/discovery/target_mapping.h"
#include "core/engine/plan_inputs.h"
#include "tests/core/config/config_test_util.h"

namespace blockhealth {
namespace {

using test::config_problems;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kDiscoveryBlock =
    "blocks:\n"
    "  - id: b\n"
    "    policies: [{use: gpu_temperature}]\n"
    "    discovery:\n";

std::string discovery(std::string_view items) {
  return std::string(kDiscoveryBlock) + std::string(items);
}

TEST(DiscoveryConfig, FileAndHttpSourcesWithTheirDefaults) {
  auto config = load_config_string(discovery("      - file: targets/b.json\n"
                                             "      - http: http://127.0.0.1:9/sd\n"
                                             "        refresh: 10s\n"
                                             "        grace: 0s\n"
                                             "        instance:\n"
                                             "          id: '${labels.pod}'\n"
                                             "          health_url: 'http://${host}:8000/health'\n"
                                             "          metrics_url: ~\n"),
                                   "/etc/bh/test.yaml");
  ASSERT_TRUE(config) << config.error().message;
  const auto& d = config->blocks.at(0).discovery;
  ASSERT_EQ(d.size(), 2U);
  EXPECT_EQ(d[0].kind, DiscoveryConfig::Kind::kFile);
  EXPECT_EQ(d[0].file, "/etc/bh/targets/b.json");
  EXPECT_EQ(d[0].refresh, std::chrono::minutes(1));
  EXPECT_EQ(d[0].grace, std::chrono::minutes(1));
  EXPECT_EQ(d[0].id_template, "${target}");
  EXPECT_EQ(d[0].metrics_url_template, "http://${target}/metrics");
  EXPECT_FALSE(d[0].health_url_template);
  EXPECT_EQ(d[1].kind, DiscoveryConfig::Kind::kHttp);
  EXPECT_EQ(d[1].url.text, "http://127.0.0.1:9/sd");
  EXPECT_EQ(d[1].refresh, std::chrono::seconds(10));
  EXPECT_EQ(d[1].grace, std::chrono::milliseconds(0));
  EXPECT_EQ(d[1].id_template, "${labels.pod}");
  EXPECT_EQ(d[1].health_url_template, "http://${host}:8000/health");
  EXPECT_FALSE(d[1].metrics_url_template);
  EXPECT_EQ(d[1].describe(), "http http://127.0.0.1:9/sd");
}

TEST(DiscoveryConfig, EachMistakeIsNamedWhereItIs) {
  EXPECT_THAT(config_problems(discovery("      - {file: t.json, http: 'http://a/'}\n")),
              ElementsAre(HasSubstr("test.yaml:5:9: discovery #1 in block 'b': give exactly one "
                                    "of 'file:'")));
  EXPECT_THAT(config_problems(discovery("      - file: targets.txt\n")),
              ElementsAre(HasSubstr("test.yaml:5:15: discovery #1 in block 'b': file: expected a "
                                    "file named *.json, *.yaml or *.yml")));
  EXPECT_THAT(config_problems(discovery("      - http: ftp://x/\n")),
              ElementsAre(HasSubstr("test.yaml:5:15: discovery #1 in block 'b': http:")));
  EXPECT_THAT(config_problems(discovery("      - file: t.json\n"
                                        "        instance: {id: '${hots}'}\n")),
              ElementsAre("test.yaml:6:24: discovery #1 in block 'b': instance: id: unknown "
                          "placeholder ${hots} at character 1 (known: ${target}, ${host}, "
                          "${port}, ${labels.NAME})"));
  EXPECT_THAT(config_problems(discovery("      - file: t.json\n"
                                        "        instance: {health_url: 'http://${target'}\n")),
              ElementsAre(HasSubstr("instance: health_url: unclosed '${' at character 8")));
  EXPECT_THAT(config_problems(discovery("      - file: t.json\n"
                                        "        refersh: 5s\n")),
              ElementsAre(HasSubstr("did you mean 'refresh'")));
  EXPECT_THAT(config_problems(discovery("      - http: http://a/\n"
                                        "        refresh: 2s\n"
                                        "        timeout: 5s\n")),
              ElementsAre(HasSubstr("timeout must not be longer than refresh")));
}

TEST(DiscoveryConfig, ABlockOfProbedDiscoveredInstancesNeedsNoPolicy) {
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    discovery:\n      - file: t.json\n"
                              "        instance: {health_url: 'http://${target}/health'}\n"),
              IsEmpty());
  EXPECT_THAT(config_problems("blocks:\n  - id: b\n    discovery:\n      - file: t.json\n"),
              ElementsAre(HasSubstr("checks nothing")));
}

TEST(TargetGroups, JsonAndYamlReadTheSame) {
  const std::string json =
      R"([{"targets":["10.0.0.1:9400","10.0.0.2:9400"],"labels":{"pod":"p1","__meta_x":"m"}},)"
      R"({"targets":["[::1]:80"]}])";
  const std::string yaml =
      "- targets: ['10.0.0.1:9400', '10.0.0.2:9400']\n"
      "  labels: {pod: p1, __meta_x: m}\n"
      "- targets: ['[::1]:80']\n";
  for (const auto& [text, format] :
       {std::pair{json, TargetFormat::kJson}, std::pair{yaml, TargetFormat::kYaml}}) {
    auto targets = parse_target_groups(text, format, 100);
    ASSERT_TRUE(targets) << targets.error().message;
    ASSERT_EQ(targets->size(), 3U);
    EXPECT_EQ((*targets)[1].target, "10.0.0.2:9400");
    EXPECT_EQ((*targets)[1].labels.at("pod"), "p1");
    EXPECT_EQ((*targets)[1].labels.at("__meta_x"), "m");
    EXPECT_TRUE((*targets)[2].labels.empty());
  }
}

TEST(TargetGroups, BadListsAreRefusedWithWhere) {
  const auto error = [](std::string_view text, TargetFormat f, std::size_t most = 100) {
    auto r = parse_target_groups(text, f, most);
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_THAT(error("{", TargetFormat::kJson), HasSubstr("not JSON: invalid JSON at byte 1"));
  EXPECT_EQ(error("{}", TargetFormat::kJson), "expected a JSON list of target groups");
  EXPECT_EQ(error(R"([{"targets":[1]}])", TargetFormat::kJson),
            "/0/targets/0: expected a non-empty string");
  EXPECT_EQ(error(R"([{"targets":[],"lables":{}}])", TargetFormat::kJson),
            "/0/lables: unknown key (a group has targets and labels)");
  EXPECT_EQ(error(R"([{"targets":["a"],"labels":{"9x":"v"}}])", TargetFormat::kJson),
            "/0/labels/9x: a label name is letters, digits and '_', not starting with a digit");
  EXPECT_EQ(error(R"([{"targets":["a"],"labels":{"x":1}}])", TargetFormat::kJson),
            "/0/labels/x: expected a string");
  EXPECT_EQ(error(R"([{"labels":{}}])", TargetFormat::kJson),
            "/0/targets: expected a list of \"host:port\" strings");
  EXPECT_EQ(error(R"([{"targets":["a","b","c"]}])", TargetFormat::kJson, 2),
            "more than 2 targets (a block's server.max_instances_per_block)");
  EXPECT_THAT(error("- targets: [a\n", TargetFormat::kYaml), HasSubstr("not YAML"));
  EXPECT_EQ(error("- targets: [a]\n  labels: [x]\n", TargetFormat::kYaml),
            "2:11: labels: expected a map of label names to strings");
  EXPECT_EQ(error("- targets: [a]\n- 3\n", TargetFormat::kYaml),
            "2:3: expected a map with targets and labels");
}

TEST(InstanceTemplate, ExpandsPlaceholders) {
  auto t = InstanceTemplate::parse("http://${host}:8000/h?p=${port}&pod=${labels.pod}&$$");
  ASSERT_TRUE(t) << t.error().message;
  auto text = t->expand({"10.0.0.5:9400", {{"pod", "p-1"}}});
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "http://10.0.0.5:8000/h?p=9400&pod=p-1&$");
  auto v6 = InstanceTemplate::parse("${host}|${port}")->expand({"[::1]:81", {}});
  EXPECT_EQ(*v6, "::1|81");
  auto missing = t->expand({"a:1", {}});
  ASSERT_FALSE(missing);
  EXPECT_THAT(missing.error().message, HasSubstr("label 'pod'"));
  EXPECT_FALSE(InstanceTemplate::parse("a$b"));
  EXPECT_FALSE(InstanceTemplate::parse("${labels.}"));
}

TEST(TargetMapping, TargetsBecomeInstances) {
  DiscoveryConfig d;
  d.file = "/t/x.json";
  d.health_url_template = "http://${host}:8000/health";
  d.log_file_template = "logs/${labels.pod}.log";
  auto mapping = TargetMapping::make(d, "/etc/bh");
  ASSERT_TRUE(mapping) << mapping.error().message;
  auto list = map_targets({{"10.0.0.5:9400", {{"pod", "p1"}, {"__meta_node", "n"}}}}, *mapping);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1U);
  const InstanceConfig& in = list->front();
  EXPECT_EQ(in.id, "10.0.0.5-9400");
  EXPECT_EQ(in.health_url->text, "http://10.0.0.5:8000/health");
  EXPECT_EQ(in.metrics_url->text, "http://10.0.0.5:9400/metrics");
  EXPECT_EQ(*in.log_file, "/etc/bh/logs/p1.log");
  EXPECT_EQ(in.labels, (std::map<std::string, std::string>{{"pod", "p1"}}));
  EXPECT_EQ(in.discovered_by, "file /t/x.json");
}

TEST(TargetMapping, AListWithOneBadTargetIsRefusedNamingIt) {
  DiscoveryConfig d;
  d.id_template = "${labels.pod}";
  auto mapping = TargetMapping::make(d, "/");
  ASSERT_TRUE(mapping);
  auto twice = map_targets({{"a:1", {{"pod", "p"}}}, {"b:1", {{"pod", "p"}}}}, *mapping);
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("target 2 ('b:1'): id 'p' is also target 1's"));
  auto unlabelled = map_targets({{"a:1", {}}}, *mapping);
  ASSERT_FALSE(unlabelled);
  EXPECT_THAT(unlabelled.error().message, HasSubstr("target 1 ('a:1'): id: label 'pod'"));
  d.id_template = "${target}";
  d.metrics_url_template = "ftp://${target}/";
  auto bad_url = map_targets({{"a:1", {}}}, *TargetMapping::make(d, "/"));
  ASSERT_FALSE(bad_url);
  EXPECT_THAT(bad_url.error().message, HasSubstr("target 1 ('a:1'): metrics_url 'ftp://a:1/'"));
}

InstanceConfig instance(const std::string& id) {
  InstanceConfig in;
  in.id = id;
  in.discovered_by = "file /t.json";
  return in;
}

TEST(DiscoveredSet, VanishedInstancesStayForTheirGrace) {
  DiscoveredSet set(std::chrono::seconds(10));
  EXPECT_TRUE(set.update({instance("a"), instance("b")}, 1'000));
  EXPECT_FALSE(set.update({instance("a"), instance("b")}, 2'000));
  EXPECT_TRUE(set.update({instance("a")}, 3'000));
  EXPECT_EQ(set.listed(), 1U);
  EXPECT_EQ(set.vanished(), 1U);
  EXPECT_EQ(set.instances().size(), 2U);  // b is kept
  EXPECT_EQ(set.next_expiry_ms(), 13'000);
  EXPECT_FALSE(set.expire(12'999));
  std::vector<std::string> dropped;
  EXPECT_TRUE(set.expire(13'000, &dropped));
  EXPECT_THAT(dropped, ElementsAre("b"));
  EXPECT_EQ(set.instances().size(), 1U);
  EXPECT_FALSE(set.next_expiry_ms());
}

TEST(DiscoveredSet, AnInstanceBackInTheListEndsItsGrace) {
  DiscoveredSet set(std::chrono::seconds(10));
  set.update({instance("a"), instance("b")}, 0);
  set.update({instance("a")}, 1'000);
  EXPECT_TRUE(set.update({instance("a"), instance("b")}, 2'000));
  EXPECT_EQ(set.vanished(), 0U);
  EXPECT_FALSE(set.expire(60'000));
}

TEST(DiscoveryPlan, DiscoveredInstancesJoinTheirBlockButNeverReplaceItsOwn) {
  const std::string yaml =
      "blocks:\n"
      "  - id: b\n"
      "    instances: [{id: a, health_url: 'http://127.0.0.1:1/h'}]\n"
      "    discovery: [{file: t.json, instance: {health_url: 'http://${target}/h'}}]\n";
  PlanInputs inputs{"/etc/bh/blockhealth.yaml", yaml, {}, {}};
  auto a = instance("a");
  a.discovered_by = "file /etc/bh/t.json";
  auto c = instance("c");
  c.discovered_by = "file /etc/bh/t.json";
  auto foreign = instance("d");
  foreign.discovered_by = "file /elsewhere.json";
  inputs.discovered["b"] = {a, c, foreign};
  auto built = build_plan(inputs, {}, nullptr, nullptr, SystemClock::instance());
  ASSERT_TRUE(built) << built.error().message;
  const BlockConfig& block = built->plan->config.blocks.at(0);
  ASSERT_EQ(block.instances.size(), 2U);
  EXPECT_EQ(block.instances[0].id, "a");
  EXPECT_TRUE(block.instances[0].discovered_by.empty()) << "the configured one stays";
  EXPECT_EQ(block.instances[1].id, "c");
  EXPECT_EQ(block.instances[1].discovered_by, "file /etc/bh/t.json");
}

}  // namespace
}  // namespace blockhealth
