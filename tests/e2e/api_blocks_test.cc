// Blocks defined over HTTP (PUT and DELETE /v1/blocks/<id>) against the real
// daemon: created, replaced and deleted; refused bodies answered by JSON
// pointer and changing nothing; kept by a reload and brought back by a
// restart; a block of the config file winning over one of the same id.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kEchoBlock =
    R"({"instances":[{"id":"n1"}],"policies":[{"use":"test_echo","with":{"prefix":"api "}}]})";

// The config file: test_echo (and test_c_minimal) loadable, one block of
// the file, and `more` after it (more list items of blocks:).
std::string file_config(const std::string& more = "", bool with_minimal = true) {
  std::string out = with_minimal ? on_request_yaml({"test_echo", "test_c_minimal"})
                                 : on_request_yaml({"test_echo"});
  return out + R"(
blocks:
  - id: from-file
    instances:
      - id: f1
    policies:
      - use: test_echo
)" + more;
}

HttpReply put_block(const std::string& address, const std::string& id, const std::string& body) {
  HttpRequest req;
  req.method = "PUT";
  req.target = "/v1/blocks/" + id;
  req.body = body;
  req.headers["Content-Type"] = "application/json";
  return http_request(address, req);
}

HttpReply delete_block(const std::string& address, const std::string& id) {
  HttpRequest req;
  req.method = "DELETE";
  req.target = "/v1/blocks/" + id;
  return http_request(address, req);
}

// The instance ids of a block view.
std::vector<std::string> instance_ids(const json::value& view) {
  std::vector<std::string> ids;
  if (!view.is_object()) return ids;
  for (const json::value& in : view.at("instances").as_array())
    ids.push_back(str(in, "instance_id"));
  return ids;
}

// The problems of a refused PUT as "pointer|message" pairs.
std::vector<std::pair<std::string, std::string>> problems_of(const HttpReply& reply) {
  std::vector<std::pair<std::string, std::string>> out;
  const json::value body = reply.json();
  if (!body.is_object() || !body.as_object().contains("problems")) return out;
  for (const json::value& p : body.at("problems").as_array()) {
    out.emplace_back(str(p, "pointer"), str(p, "message"));
  }
  return out;
}

class ApiBlocks : public ::testing::Test {
 protected:
  void start(const std::string& config) {
    daemon_.reset();  // a previous one is gone (SIGKILL) before the next opens the state
    daemon_ = std::make_unique<DaemonProcess>(dir_.path(), config);
    ASSERT_TRUE(daemon_->started());
  }
  void SetUp() override { start(file_config()); }
  const std::string& address() const { return daemon_->address(); }

  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(ApiBlocks, ABlockIsCreatedEvaluatedReplacedAndDeleted) {
  const HttpReply created = put_block(address(), "api-b", kEchoBlock);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json(), json::parse(R"({"success":true,"block_id":"api-b","created":true,
                                           "source":"api"})"));
  json::value view = block_view(address(), "api-b");
  EXPECT_EQ(str(view, "source"), "api") << view;
  EXPECT_EQ(instance_ids(view), std::vector<std::string>{"n1"});
  EXPECT_EQ(str(block_view(address(), "from-file"), "source"), "file");

  // It runs like a block of the file: pushed data is judged by its policy.
  ASSERT_EQ(push_status(address(), "api-b", "n1", 2).status, 200);
  view = evaluate_and_wait(address(), "api-b", [](const json::value& v) {
    return str(instance_of(v, "n1"), "status") == "unhealthy";
  });
  EXPECT_EQ(str(instance_of(view, "n1"), "reason"), "test_echo: api test_status=2") << view;
  const HttpReply aios = http_get(address(), "/block/health/api-b");
  ASSERT_EQ(aios.status, 200) << aios.body;
  EXPECT_FALSE(aios.json().at("healthy").as_bool()) << aios.body;
  EXPECT_EQ(register_instance(address(), "api-b", "pushed").status, 200);

  // Replaced: the new definition runs; an instance registered over HTTP
  // stays, as over a reload.
  const HttpReply replaced =
      put_block(address(), "api-b",
                R"({"id":"api-b","instances":[{"id":"n2"}],"policies":[{"use":"test_echo"}]})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_FALSE(replaced.json().at("created").as_bool());
  view = block_view(address(), "api-b");
  EXPECT_EQ(instance_ids(view), (std::vector<std::string>{"n2", "pushed"})) << view;

  const HttpReply deleted = delete_block(address(), "api-b");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-b").status, 404);
  const HttpReply again = delete_block(address(), "api-b");
  EXPECT_EQ(again.status, 404) << again.body;
  EXPECT_EQ(str(again.json(), "message"), "no block 'api-b' defined over HTTP");
  EXPECT_EQ(http_get(address(), "/v1/blocks/from-file").status, 200);
}

// Issue 13 (bounded stored state): at most server.max_api_blocks blocks are
// kept; one more is a 409 that stores nothing, replacing one still works,
// and deleting one makes room.
TEST_F(ApiBlocks, BlocksPastTheLimitAreRefused) {
  start("server:\n  max_api_blocks: 2\n" + file_config());
  ASSERT_EQ(put_block(address(), "api-1", kEchoBlock).status, 201);
  ASSERT_EQ(put_block(address(), "api-2", kEchoBlock).status, 201);
  const HttpReply third = put_block(address(), "api-3", kEchoBlock);
  EXPECT_EQ(third.status, 409) << third.body;
  EXPECT_NE(str(third.json(), "message").find("server.max_api_blocks"), std::string::npos)
      << third.body;
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-3").status, 404);
  EXPECT_EQ(put_block(address(), "api-2", kEchoBlock).status, 200);  // a replacement
  ASSERT_EQ(delete_block(address(), "api-1").status, 200);
  EXPECT_EQ(put_block(address(), "api-3", kEchoBlock).status, 201);
}

TEST_F(ApiBlocks, RefusedBodiesArePointedAtAndChangeNothing) {
  ASSERT_EQ(put_block(address(), "api-b", kEchoBlock).status, 201);
  struct Case {
    std::string body;
    int status;
    std::string pointer;
    std::string says;
  };
  const std::vector<Case> cases = {
      {R"({"instances": [)", 400, "", "the body is not JSON: invalid JSON at byte"},
      {R"(["not", "a", "block"])", 422, "", "expected a JSON object"},
      {R"({"id":"other","policies":[{"use":"test_echo"}]})", 422, "/id", "differs"},
      {R"({"interval":"fast","policies":[{"use":"test_echo"}]})", 422, "/interval",
       "expected a duration"},
      {R"({"instances":[{"id":"n1"},{"id":"n1"}],"policies":[{"use":"test_echo"}]})", 422,
       "/instances/1", "duplicate instance id 'n1' (first at /instances/0)"},
      {R"({"policies":[{"use":"test_echo","intervall":"1s"}]})", 422, "/policies/0/intervall",
       "did you mean 'interval'"},
      // Problems found while planning: the plugin, its schema.
      {R"({"policies":[{"use":"no_such_policy"}]})", 422, "/policies/0",
       "no plugin provides policy 'no_such_policy'"},
      {R"({"policies":[{"use":"test_echo","with":{"prefix":7}}]})", 422, "/policies/0/with/prefix",
       "prefix"},
  };
  for (const Case& c : cases) {
    for (const std::string id : {"api-b", "api-new"}) {
      const HttpReply reply = put_block(address(), id, c.body);
      EXPECT_EQ(reply.status, c.status) << c.body << " -> " << reply.body;
      const auto problems = problems_of(reply);
      ASSERT_EQ(problems.size(), 1U) << c.body << " -> " << reply.body;
      EXPECT_EQ(problems[0].first, c.pointer) << c.body << " -> " << reply.body;
      EXPECT_NE(problems[0].second.find(c.says), std::string::npos) << reply.body;
      EXPECT_NE(str(reply.json(), "error").find("refused, nothing changed"), std::string::npos);
    }
  }
  // The block that ran still runs as it was; the new one was not made.
  EXPECT_EQ(instance_ids(block_view(address(), "api-b")), std::vector<std::string>{"n1"});
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-new").status, 404);
  // A bad id in the path.
  EXPECT_EQ(put_block(address(), "bad%20id", kEchoBlock).status, 400);
}

TEST_F(ApiBlocks, ABlockOfTheFileIsNotChangedOverHttp) {
  const HttpReply put = put_block(address(), "from-file", kEchoBlock);
  EXPECT_EQ(put.status, 409) << put.body;
  EXPECT_NE(str(put.json(), "message").find("is defined in " + daemon_->config_path().string()),
            std::string::npos)
      << put.body;
  EXPECT_EQ(delete_block(address(), "from-file").status, 409);
  EXPECT_EQ(instance_ids(block_view(address(), "from-file")), std::vector<std::string>{"f1"});
}

TEST_F(ApiBlocks, BlocksComeBackAfterARestart) {
  ASSERT_EQ(put_block(address(), "api-b", kEchoBlock).status, 201);
  ASSERT_EQ(put_block(address(), "api-gone", kEchoBlock).status, 201);
  ASSERT_EQ(delete_block(address(), "api-gone").status, 200);
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(), 0);

  start(file_config());
  const json::value view = block_view(address(), "api-b");
  EXPECT_EQ(str(view, "source"), "api") << view;
  EXPECT_EQ(instance_ids(view), std::vector<std::string>{"n1"});
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-gone").status, 404);
  // And still judged by its policy with its with:.
  ASSERT_EQ(push_status(address(), "api-b", "n1", 0).status, 200);
  const json::value judged = evaluate_and_wait(address(), "api-b", [](const json::value& v) {
    return str(instance_of(v, "n1"), "status") == "ok";
  });
  EXPECT_EQ(str(policy_result_of(instance_of(judged, "n1"), "test_echo"), "reason"),
            "api test_status=0")
      << judged;
}

TEST_F(ApiBlocks, AReloadLeavesThemAlone) {
  ASSERT_EQ(put_block(address(), "api-b", kEchoBlock).status, 201);
  ASSERT_EQ(push_status(address(), "api-b", "n1", 2).status, 200);
  evaluate_and_wait(address(), "api-b", [](const json::value& v) {
    return str(instance_of(v, "n1"), "status") == "unhealthy";
  });
  daemon_->write_config(file_config(R"(
  - id: added
    instances:
      - id: a1
    policies:
      - use: test_echo
)"));
  const HttpReply reload = http_post(address(), "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_EQ(reload.json().at("blocks").as_int64(), 3);
  EXPECT_EQ(reload.json().at("shadowed_api_blocks"), json::array());
  const json::value view = block_view(address(), "api-b");
  EXPECT_EQ(str(view, "source"), "api");
  EXPECT_EQ(str(instance_of(view, "n1"), "status"), "unhealthy") << view;  // state kept
  EXPECT_EQ(http_get(address(), "/v1/blocks/added").status, 200);
}

TEST_F(ApiBlocks, AReloadThatBreaksAnHttpBlockIsRejectedNamingIt) {
  ASSERT_EQ(put_block(address(), "api-min", R"({"policies":[{"use":"test_c_minimal"}]})").status,
            201);
  daemon_->write_config(file_config("", /*with_minimal=*/false));
  const HttpReply reload = http_post(address(), "/v1/reload", "");
  EXPECT_EQ(reload.status, 422) << reload.body;
  EXPECT_NE(str(reload.json(), "message")
                .find("/v1/blocks/api-min /policies/0: block 'api-min' policy 'test_c_minimal': "
                      "no plugin provides policy 'test_c_minimal'"),
            std::string::npos)
      << reload.body;
  EXPECT_EQ(str(block_view(address(), "api-min"), "source"), "api");
}

TEST_F(ApiBlocks, AFileBlockOfTheSameIdWinsAndTheConflictIsReported) {
  ASSERT_EQ(put_block(address(), "both", kEchoBlock).status, 201);
  daemon_->write_config(file_config(R"(
  - id: both
    instances:
      - id: from-yaml
    policies:
      - use: test_echo
)"));
  HttpReply reload = http_post(address(), "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_EQ(reload.json().at("shadowed_api_blocks"), json::parse(R"(["both"])")) << reload.body;
  json::value view = block_view(address(), "both");
  EXPECT_EQ(str(view, "source"), "file");
  EXPECT_TRUE(view.at("shadows_api_block").as_bool()) << view;
  EXPECT_EQ(instance_ids(view), std::vector<std::string>{"from-yaml"});
  EXPECT_NE(daemon_->log().find("block 'both' is defined in " + daemon_->config_path().string() +
                                " and over HTTP"),
            std::string::npos)
      << daemon_->log();
  EXPECT_EQ(put_block(address(), "both", kEchoBlock).status, 409);

  // The file drops it: the HTTP definition, still stored, runs again.
  daemon_->write_config(file_config());
  reload = http_post(address(), "/v1/reload", "");
  ASSERT_EQ(reload.status, 200) << reload.body;
  view = block_view(address(), "both");
  EXPECT_EQ(str(view, "source"), "api") << view;
  EXPECT_EQ(instance_ids(view), std::vector<std::string>{"n1"});
}

TEST_F(ApiBlocks, AStoredBlockThatNoLongerPassesIsLeftOutAtStart) {
  ASSERT_EQ(put_block(address(), "api-min", R"({"policies":[{"use":"test_c_minimal"}]})").status,
            201);
  ASSERT_EQ(put_block(address(), "api-b", kEchoBlock).status, 201);
  daemon_->signal(SIGTERM);
  ASSERT_EQ(daemon_->wait_exit(), 0);

  start(file_config("", /*with_minimal=*/false));
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-min").status, 404);
  EXPECT_EQ(http_get(address(), "/v1/blocks/api-b").status, 200);
  EXPECT_NE(daemon_->log().find("block 'api-min' (defined over HTTP, stored in "),
            std::string::npos)
      << daemon_->log();
  // Deleting it forgets it for good; putting a fixed one would bring it back.
  EXPECT_EQ(put_block(address(), "api-min", kEchoBlock).status, 201);
  EXPECT_EQ(str(block_view(address(), "api-min"), "source"), "api");
}

}  // namespace
}  // namespace blockhealth::test
