// Every kind of bad HTTP request gets its status code and a message that
// names the problem, and changes nothing: bad JSON, unknown routes, wrong
// methods, oversized bodies and headers, slow or idle clients, malformed
// HTTP, unsupported media types, pushes to unknown instances, bad
// Prometheus text.
#include <gtest/gtest.h>

#include <memory>

#include "core/util/text.h"
#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_connection.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

// One daemon for the whole suite: these tests only read, or are refused.
class HttpErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    suite_dir = new TempDir;
    const std::string config = test_plugin_dirs_yaml({"test_echo"}) + R"(
server:
  body_limit: 1KiB
  request_timeout: 300ms
defaults:
  interval: 1h
  timeout: 2s
  stale_after: 1h
blocks:
  - id: block
    instances:
      - id: configured
    policies:
      - use: test_echo
)";
    suite_daemon = new DaemonProcess(suite_dir->path(), config);
    if (suite_daemon->started()) {
      (void)register_instance(suite_daemon->address(), "block", "pushed");
    }
  }
  static void TearDownTestSuite() {
    delete suite_daemon;
    delete suite_dir;
    suite_daemon = nullptr;
    suite_dir = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(suite_daemon != nullptr && suite_daemon->started()); }

  static const std::string& address() { return suite_daemon->address(); }
  static std::string message(const HttpReply& reply) { return str(reply.json(), "message"); }
  // An error reply: the status, JSON content and {"success": false}.
  static void expect_error(const HttpReply& reply, int status) {
    EXPECT_EQ(reply.status, status) << reply.error << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    EXPECT_FALSE(reply.json().at("success").as_bool()) << reply.body;
  }

  static TempDir* suite_dir;
  static DaemonProcess* suite_daemon;
};
TempDir* HttpErrors::suite_dir = nullptr;
DaemonProcess* HttpErrors::suite_daemon = nullptr;

TEST_F(HttpErrors, BadJsonPushIs400NamingTheByteOffset) {
  const HttpReply reply = push_metrics(address(), "block", "pushed", R"({"test_status": 1,,})");
  expect_error(reply, 400);
  EXPECT_EQ(message(reply).rfind("invalid JSON at byte 18: ", 0), 0u) << reply.body;
  // Not JSON at all, and a truncated document.
  const HttpReply truncated = push_metrics(address(), "block", "pushed", R"({"test_status": )");
  expect_error(truncated, 400);
  EXPECT_EQ(message(truncated).rfind("invalid JSON at byte ", 0), 0u) << truncated.body;
  const HttpReply logs = push_logs(address(), "block", "pushed", "[\"a\",", "application/json");
  expect_error(logs, 400);
  EXPECT_EQ(message(logs).rfind("invalid JSON at byte ", 0), 0u) << logs.body;
}

TEST_F(HttpErrors, BadJsonMgmtBodyIs400NamingTheByteOffset) {
  const HttpReply reply =
      http_post(address(), "/block/block/health-checker/mgmt", R"({"mgmt_action": "get_state",,})");
  expect_error(reply, 400);
  // docs/http-api.md: malformed JSON -> 400, "the message gives the byte offset".
  EXPECT_NE(message(reply).find("byte 28"), std::string::npos) << reply.body;
}

TEST_F(HttpErrors, UnknownRouteIs404NamingIt) {
  HttpReply reply = http_get(address(), "/no/such/thing");
  expect_error(reply, 404);
  EXPECT_EQ(message(reply), "no such endpoint: GET /no/such/thing");
  reply = http_get(address(), "/v1/blocks/block/instances/node/nothing");
  expect_error(reply, 404);
  // A path that exists for another method names the one allowed.
  reply = http_get(address(), "/v1/blocks/block/instances");
  expect_error(reply, 405);
  EXPECT_EQ(message(reply), "GET is not allowed on /v1/blocks/block/instances; use POST");
  reply = http_get(address(), "/v1/blocks/no-such-block");
  expect_error(reply, 404);
  EXPECT_EQ(message(reply), "block 'no-such-block' is not configured");
}

// Percent-decoded bytes that are not UTF-8 are echoed as U+FFFD, so the
// error answer stays valid JSON text.
TEST_F(HttpErrors, InvalidUtf8InAPathIsNotEchoedRaw) {
  for (const char* target : {"/block/health/%ff%fe", "/v1/blocks/%ff%fe", "/v1/nope%ff"}) {
    const HttpReply reply = http_get(address(), target);
    expect_error(reply, 404);
    EXPECT_TRUE(is_valid_utf8(reply.body)) << target;
    EXPECT_NE(message(reply).find("\xEF\xBF\xBD"), std::string::npos) << reply.body;
  }
}

TEST_F(HttpErrors, WrongMethodIs405WithAnAllowHeader) {
  HttpRequest request;
  request.method = "DELETE";
  request.target = "/healthz";
  HttpReply reply = http_request(address(), request);
  expect_error(reply, 405);
  EXPECT_EQ(reply.header("Allow"), "GET, HEAD");
  EXPECT_EQ(message(reply), "DELETE is not allowed on /healthz; use GET, HEAD");

  reply = http_get(address(), "/v1/reload");
  expect_error(reply, 405);
  EXPECT_EQ(reply.header("Allow"), "POST");

  reply = http_get(address(), "/v1/blocks/block/instances/pushed");
  expect_error(reply, 405);
  EXPECT_EQ(reply.header("Allow"), "DELETE, PUT");

  reply = http_post(address(), "/v1/blocks", "{}");
  expect_error(reply, 405);
  EXPECT_EQ(reply.header("Allow"), "GET, HEAD");
}

TEST_F(HttpErrors, HeadIsAGetWithoutBody) {
  HttpRequest request;
  request.method = "HEAD";
  request.target = "/v1/blocks/block";
  const HttpReply reply = http_request(address(), request);
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_TRUE(reply.body.empty());
  EXPECT_GT(std::stoi(reply.header("Content-Length")), 0);
}

TEST_F(HttpErrors, BodyOverTheLimitIs413) {
  const std::string big = R"({"test_status": 0, "padding": ")" + std::string(2048, 'x') + "\"}";
  const HttpReply reply = push_metrics(address(), "block", "pushed", big);
  expect_error(reply, 413);
  EXPECT_EQ(message(reply), "request body exceeds the limit of 1024 bytes");
  // The daemon still serves.
  EXPECT_EQ(http_get(address(), "/healthz").status, 200);
}

TEST_F(HttpErrors, HeaderOverTheLimitIs431) {
  HttpRequest request;
  request.target = "/healthz";
  request.headers["X-Padding"] = std::string(std::size_t{20} * 1024, 'x');
  const HttpReply reply = http_request(address(), request);
  expect_error(reply, 431);
  EXPECT_NE(message(reply).find("request header exceeds"), std::string::npos) << reply.body;
}

TEST_F(HttpErrors, HalfARequestIsCutOffAfterTheRequestTimeout) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  // The server closes it (request_timeout 300ms); the deadline only bounds a
  // hung test.
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  EXPECT_EQ(result.bytes.find("200 OK"), std::string::npos) << result.bytes;
}

TEST_F(HttpErrors, IdleConnectionIsClosed) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  EXPECT_TRUE(result.bytes.empty()) << result.bytes;
}

TEST_F(HttpErrors, KeptAliveConnectionIsClosedWhenIdle) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  EXPECT_EQ(result.bytes.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << result.bytes;
}

TEST_F(HttpErrors, MalformedHttpIs400AndTheConnectionCloses) {
  for (const std::string& bytes : {std::string("THIS IS NOT HTTP\r\n\r\n"),
                                   std::string("GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n"),
                                   std::string("GET /healthz HTTP/9.7\r\n\r\n")}) {
    RawConnection connection(address());
    ASSERT_TRUE(connection.connected()) << connection.error();
    ASSERT_TRUE(connection.send(bytes));
    const RawConnection::ReadResult result = connection.read_until_closed();
    EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << bytes;
    EXPECT_EQ(result.bytes.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << bytes << result.bytes;
    EXPECT_NE(result.bytes.find("malformed HTTP request: "), std::string::npos) << result.bytes;
  }
}

TEST_F(HttpErrors, MalformedRequestTargetIs400) {
  const HttpReply reply = http_get(address(), "/v1/blocks/%zz");
  expect_error(reply, 400);
  EXPECT_EQ(message(reply).rfind("malformed request target: /v1/blocks/%zz", 0), 0u) << reply.body;
}

TEST_F(HttpErrors, UnsupportedContentTypeIs415) {
  HttpReply reply =
      push_metrics(address(), "block", "pushed", "<test_status>0</test_status>", "application/xml");
  expect_error(reply, 415);
  EXPECT_EQ(message(reply),
            "Content-Type 'application/xml' is not accepted; send application/json or text/plain "
            "(Prometheus exposition format)");
  reply = push_logs(address(), "block", "pushed", "line", "image/png");
  expect_error(reply, 415);
  EXPECT_NE(message(reply).find("Content-Type 'image/png' is not accepted"), std::string::npos)
      << reply.body;
}

TEST_F(HttpErrors, PushToAnUnregisteredInstanceIs404WithThePutHint) {
  HttpReply reply = push_status(address(), "block", "stranger", 0);
  expect_error(reply, 404);
  EXPECT_EQ(message(reply),
            "block 'block' has no instance 'stranger'; register it first with PUT "
            "/v1/blocks/block/instances/stranger");
  reply = push_logs(address(), "block", "stranger", "hello");
  expect_error(reply, 404);
  EXPECT_NE(message(reply).find("PUT /v1/blocks/block/instances/stranger"), std::string::npos);
  reply = push_status(address(), "no-block", "x", 0);
  expect_error(reply, 404);
  EXPECT_NE(message(reply).find("no-block"), std::string::npos) << reply.body;
}

TEST_F(HttpErrors, PrometheusTextWithABadLineIs400NamingTheLine) {
  const HttpReply reply = push_metrics(address(), "block", "pushed",
                                       "# TYPE test_status gauge\ntest_status 0\ntest_status{ 1\n",
                                       "text/plain; version=0.0.4");
  expect_error(reply, 400);
  EXPECT_EQ(message(reply).rfind("Prometheus text: line 3, column ", 0), 0u) << reply.body;
  // Nothing of the refused push was kept: the instance is still unobserved.
  const json::value in = instance_of(block_view(address(), "block"), "pushed");
  EXPECT_TRUE(in.at("last_seen").is_null()) << in;
}

TEST_F(HttpErrors, RemovingAConfiguredInstanceIs409) {
  HttpRequest request;
  request.method = "DELETE";
  request.target = "/v1/blocks/block/instances/configured";
  const HttpReply reply = http_request(address(), request);
  expect_error(reply, 409);
  EXPECT_EQ(message(reply),
            "instance 'configured' of block 'block' comes from the config file; remove it there "
            "and reload");
}

TEST_F(HttpErrors, RefusedPushesAreCountedByKind) {
  (void)push_metrics(address(), "block", "pushed", "{", "application/json");
  (void)push_metrics(address(), "block", "pushed", "x", "application/xml");
  const std::string metrics = http_get(address(), "/metrics").body;
  EXPECT_NE(metrics.find(R"(blockhealth_ingest_rejected_total{block="block",kind="malformed"})"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(blockhealth_ingest_rejected_total{block="block",kind="media_type"})"),
            std::string::npos)
      << metrics;
}

TEST_F(HttpErrors, HalfABodyIsCutOffAfterTheRequestTimeout) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  ASSERT_TRUE(
      connection.send("POST /v1/blocks/block/instances/pushed/logs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly part of it"));
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  EXPECT_EQ(result.bytes.find("200 OK"), std::string::npos) << result.bytes;
  // Nothing of it was kept.
  const json::value in = instance_of(block_view(address(), "block"), "pushed");
  EXPECT_TRUE(in.at("last_seen").is_null()) << in;
}

TEST_F(HttpErrors, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  ASSERT_TRUE(
      connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      "GET /no-such-thing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                      "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  const std::size_t first = result.bytes.find("HTTP/1.1 200 OK");
  const std::size_t second = result.bytes.find("HTTP/1.1 404 Not Found");
  const std::size_t third = result.bytes.find("HTTP/1.1 200 OK", first + 1);
  ASSERT_EQ(first, 0u) << result.bytes;
  ASSERT_NE(second, std::string::npos) << result.bytes;
  ASSERT_NE(third, std::string::npos) << result.bytes;
  EXPECT_LT(second, third);
  EXPECT_NE(result.bytes.find(R"({"status":"ok"})"), std::string::npos);
  EXPECT_NE(result.bytes.find(R"({"status":"ready"})", third), std::string::npos) << result.bytes;
}

TEST_F(HttpErrors, Http10RequestIsAnsweredAndClosed) {
  RawConnection connection(address());
  ASSERT_TRUE(connection.connected()) << connection.error();
  ASSERT_TRUE(connection.send("GET /healthz HTTP/1.0\r\n\r\n"));
  const RawConnection::ReadResult result = connection.read_until_closed();
  EXPECT_EQ(result.end, RawConnection::End::kClosedByPeer) << connection.error();
  EXPECT_EQ(result.bytes.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << result.bytes;
}

}  // namespace
}  // namespace blockhealth::test
