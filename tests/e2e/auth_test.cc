// Write endpoints and server.auth_token_file: without a token or with a
// wrong one a write is 401; with the right one it works; GETs never need
// one; without auth_token_file writes are open. The token file must not be
// readable by others, and is re-read on reload.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kAuthToken = "s3cret-token-42";

std::string config_with_token(const std::filesystem::path& token_file) {
  std::string out = test_plugin_dirs_yaml({"test_echo"});
  if (!token_file.empty()) out += "server:\n  auth_token_file: '" + token_file.string() + "'\n";
  return out + R"(
defaults:
  interval: 1h
  timeout: 2s
  stale_after: 1h
blocks:
  - id: block
    instances:
      - id: node
    policies:
      - use: test_echo
)";
}

std::filesystem::path write_token(const TempDir& dir, const std::string& token, mode_t mode) {
  std::filesystem::path file = dir.write("token", token + "\n");
  ::chmod(file.c_str(), mode);
  return file;
}

// Every write endpoint, each sent with `token` (none when empty).
std::vector<std::pair<std::string, HttpReply>> write_everything(const std::string& address,
                                                                const std::string& token) {
  std::vector<std::pair<std::string, HttpReply>> out;
  out.emplace_back("PUT instance", http_put(address, "/v1/blocks/block/instances/extra", token));
  out.emplace_back("POST metrics",
                   post_with_token(address, "/v1/blocks/block/instances/node/metrics",
                                   R"({"test_status": 0})", token));
  out.emplace_back("POST logs", post_with_token(address, "/v1/blocks/block/instances/node/logs",
                                                "a line", token, "text/plain"));
  out.emplace_back("POST mgmt", post_with_token(address, "/block/block/health-checker/mgmt",
                                                R"({"mgmt_action": "pause"})", token));
  out.emplace_back("POST reload", post_with_token(address, "/v1/reload", "", token));
  HttpRequest del;
  del.method = "DELETE";
  del.target = "/v1/blocks/block/instances/extra";
  if (!token.empty()) del.headers["Authorization"] = "Bearer " + token;
  out.emplace_back("DELETE instance", http_request(address, del));
  HttpRequest put_block;
  put_block.method = "PUT";
  put_block.target = "/v1/blocks/made";
  put_block.body = R"({"policies": [{"use": "test_echo"}]})";
  if (!token.empty()) put_block.headers["Authorization"] = "Bearer " + token;
  out.emplace_back("PUT block", http_request(address, put_block));
  HttpRequest delete_block = put_block;
  delete_block.method = "DELETE";
  delete_block.body.clear();
  out.emplace_back("DELETE block", http_request(address, delete_block));
  return out;
}

class Auth : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(
        dir_.path(), config_with_token(write_token(dir_, kAuthToken, 0600)));
    ASSERT_TRUE(daemon_->started());
  }
  const std::string& address() const { return daemon_->address(); }
  TempDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(Auth, WritesWithoutATokenAre401) {
  for (const auto& [what, reply] : write_everything(address(), "")) {
    EXPECT_EQ(reply.status, 401) << what << ": " << reply.body;
    EXPECT_EQ(reply.header("WWW-Authenticate"), R"(Bearer realm="blockhealthd")") << what;
    EXPECT_EQ(str(reply.json(), "message"), "this endpoint needs Authorization: Bearer <token>")
        << what;
  }
  // Nothing was written: the instance was not registered, the block not paused.
  const json::value view = block_view(address(), "block");
  EXPECT_TRUE(instance_of(view, "extra").is_null()) << view;
  EXPECT_FALSE(view.at("paused").as_bool());
  EXPECT_TRUE(instance_of(view, "node").at("last_seen").is_null()) << view;
  EXPECT_EQ(http_get(address(), "/v1/blocks/made").status, 404);
}

TEST_F(Auth, WritesWithAWrongTokenAre401) {
  for (const std::string& wrong :
       {std::string("nope"), std::string(kAuthToken) + "x", std::string(kAuthToken).substr(1)}) {
    for (const auto& [what, reply] : write_everything(address(), wrong)) {
      EXPECT_EQ(reply.status, 401) << what << " with " << wrong;
      EXPECT_EQ(str(reply.json(), "message"), "the bearer token is not valid") << what;
    }
  }
  // Not "Bearer": refused too.
  HttpRequest basic;
  basic.method = "POST";
  basic.target = "/v1/reload";
  basic.headers["Authorization"] = std::string("Basic ") + kAuthToken;
  EXPECT_EQ(http_request(address(), basic).status, 401);
}

TEST_F(Auth, WritesWithTheRightTokenSucceed) {
  for (const auto& [what, reply] : write_everything(address(), kAuthToken)) {
    EXPECT_EQ(reply.status, what == "PUT block" ? 201 : 200) << what << ": " << reply.body;
  }
  const json::value view = block_view(address(), "block");
  EXPECT_TRUE(view.at("paused").as_bool()) << view;
  EXPECT_TRUE(instance_of(view, "node").at("last_seen").is_string()) << view;
}

TEST_F(Auth, ReadsNeedNoToken) {
  for (const char* target : {"/healthz", "/readyz", "/metrics", "/v1/blocks", "/v1/blocks/block",
                             "/v1/blocks/block/history", "/v1/plugins", "/block/health/block"}) {
    EXPECT_EQ(http_get(address(), target).status, 200) << target;
  }
}

TEST_F(Auth, TheTokenIsReReadOnReload) {
  write_token(dir_, "new-token", 0600);
  const HttpReply reload = post_with_token(address(), "/v1/reload", "", kAuthToken);
  ASSERT_EQ(reload.status, 200) << reload.body;
  EXPECT_EQ(post_with_token(address(), "/v1/reload", "", kAuthToken).status, 401);
  EXPECT_EQ(post_with_token(address(), "/v1/reload", "", "new-token").status, 200);
}

TEST(AuthOff, WritesAreAllowedWithoutAToken) {
  TempDir dir;
  DaemonProcess daemon(dir.path(), config_with_token({}));
  ASSERT_TRUE(daemon.started());
  for (const auto& [what, reply] : write_everything(daemon.address(), "")) {
    EXPECT_EQ(reply.status, what == "PUT block" ? 201 : 200) << what << ": " << reply.body;
  }
}

TEST(AuthTokenFile, ReadableByOthersRefusesToStart) {
  TempDir dir;
  const auto token = write_token(dir, kAuthToken, 0644);
  const auto config = dir.write("blockhealth.yaml", config_with_token(token));
  const CommandResult result =
      run_blockhealthd({"--config", config.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("auth_token_file " + token.string() +
                               ": is accessible by others; chmod o-rwx it (e.g. 0600)"),
            std::string::npos)
      << result.output;
}

TEST(AuthTokenFile, MissingOrEmptyRefusesToStart) {
  TempDir dir;
  const auto missing = dir.path() / "absent-token";
  auto config = dir.write("missing.yaml", config_with_token(missing));
  CommandResult result = run_blockhealthd({"--config", config.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("auth_token_file " + missing.string() + ": cannot read it"),
            std::string::npos)
      << result.output;

  const auto empty = write_token(dir, "  ", 0600);
  config = dir.write("empty.yaml", config_with_token(empty));
  result = run_blockhealthd({"--config", config.string(), "--listen", "127.0.0.1:0"});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("auth_token_file " + empty.string() + ": is empty"),
            std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace blockhealth::test
