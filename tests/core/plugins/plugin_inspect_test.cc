// `blockhealthd plugins inspect FILE.so`: the text for a good plugin and the
// refusal for a bad one.
#include "core/plugins/plugin_inspect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/core/plugins/plugin_test_util.h"

namespace blockhealth {
namespace {

using test::test_plugin;
using ::testing::HasSubstr;

TEST(PluginInspectTest, GoodPluginShowsWhatTheHostSees) {
  const std::filesystem::path file = test_plugin("test_echo");
  const PluginInspection inspection = inspect_plugin(file);
  ASSERT_TRUE(inspection.ok) << inspection.text;
  const PolicyPluginConstSharedPtr plugin = test::must_load(file);
  ASSERT_NE(plugin, nullptr);
  const std::string& text = inspection.text;
  EXPECT_THAT(text, HasSubstr("file:         " + file.string() + "\n"));
  EXPECT_THAT(text, HasSubstr("name:         test_echo\n"));
  EXPECT_THAT(text, HasSubstr("version:      1.0.0\n"));
  EXPECT_THAT(
      text, HasSubstr("description:  Test policy: the verdict the test_status sample asks for\n"));
  EXPECT_THAT(text, HasSubstr("abi:          1.1 (host 1.1)\n"));
  EXPECT_THAT(text, HasSubstr("struct_size:  " + std::to_string(sizeof(bh_policy_v1)) + "\n"));
  EXPECT_THAT(text, HasSubstr("flags:        0x0\n"));
  EXPECT_THAT(text, HasSubstr("manage:       yes\n"));
  EXPECT_THAT(text, HasSubstr("sha1:         " + plugin->content_hash() + "\n"));
  EXPECT_THAT(text, HasSubstr("params_schema:\n"
                              "  {\n"
                              "    \"type\": \"object\",\n"
                              "    \"properties\": {\n"
                              "      \"prefix\": {\n"
                              "        \"type\": \"string\"\n"
                              "      },\n"
                              "      \"hold\": {\n"));
  EXPECT_THAT(text, HasSubstr("            \"minimum\": 1\n"
                              "          }\n"
                              "        ]\n"
                              "      }\n"
                              "    },\n"
                              "    \"additionalProperties\": false\n"
                              "  }\n"));
}

TEST(PluginInspectTest, PluginWithoutSchemaOrManage) {
  const PluginInspection inspection = inspect_plugin(test_plugin("test_fail"));
  ASSERT_TRUE(inspection.ok) << inspection.text;
  EXPECT_THAT(inspection.text, HasSubstr("manage:       no\n"));
  EXPECT_THAT(inspection.text, HasSubstr("params_schema: none (any object)\n"));
}

TEST(PluginInspectTest, RefusedPluginShowsTheExactReason) {
  const std::filesystem::path file = test_plugin("minor_newer");
  const PluginInspection inspection = inspect_plugin(file);
  EXPECT_FALSE(inspection.ok);
  EXPECT_EQ(inspection.text, file.string() +
                                 ": built for policy ABI 1.2, newer than this host's ABI 1.1; "
                                 "upgrade blockhealthd or rebuild the policy against ABI 1.1\n");
}

TEST(PluginInspectTest, PrettyJson) {
  EXPECT_EQ(pretty_json(R"({"a":[1,{}],"b":[]})"),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}");
  EXPECT_EQ(pretty_json("{broken"), "{broken");
}

}  // namespace
}  // namespace blockhealth
