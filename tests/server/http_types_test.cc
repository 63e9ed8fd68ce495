#include "server/http_types.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace blockhealth::server {
namespace {

namespace json = boost::json;

Request get_request() {
  return Request{http::verb::get, "/x", 11};
}

TEST(HttpTypes, JsonResponseSetsTypeLengthAndNoStore) {
  const Response res = json_response(get_request(), http::status::ok, R"({"a":1})");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::content_length], "7");
  EXPECT_EQ(res[http::field::cache_control], "no-store");
  EXPECT_EQ(res[http::field::server], "blockhealthd");
  EXPECT_EQ(res.body(), R"({"a":1})");
}

TEST(HttpTypes, TextResponseUsesTheGivenType) {
  const Response res =
      text_response(get_request(), http::status::ok, "x 1\n", "text/plain; version=0.0.4");
  EXPECT_EQ(res[http::field::content_type], "text/plain; version=0.0.4");
  EXPECT_EQ(res.body(), "x 1\n");
}

TEST(HttpTypes, ResponsesFollowTheRequestsVersionAndKeepAlive) {
  Request req = get_request();
  req.version(10);
  req.keep_alive(false);
  const Response res = json_response(req, http::status::ok, "{}");
  EXPECT_EQ(res.version(), 10);
  EXPECT_FALSE(res.keep_alive());
  Request kept = get_request();
  kept.keep_alive(true);
  EXPECT_TRUE(json_response(kept, http::status::ok, "{}").keep_alive());
}

TEST(HttpTypes, ErrorResponseIsSuccessFalseWithAnEscapedMessage) {
  const Response res =
      error_response(get_request(), http::status::bad_request, "bad \"thing\"\nat line 2");
  EXPECT_EQ(res.result(), http::status::bad_request);
  const json::value body = json::parse(res.body());
  EXPECT_EQ(body.at("success"), false);
  EXPECT_EQ(body.at("message"), "bad \"thing\"\nat line 2");
}

TEST(HttpTypes, ErrorTextsEchoingInvalidUtf8AreMadeValid) {
  // A path like /block/health/%ff%fe decodes to bytes that are not UTF-8;
  // the answer must still be valid JSON text (both keys).
  const Response res = error_response(get_request(), http::status::not_found,
                                      "block '\xff\xfe' is not configured", "No \xc3 data");
  const std::string& text = res.body();
  EXPECT_EQ(text.find('\xff'), std::string::npos) << text;
  const json::value body = json::parse(text);
  EXPECT_EQ(body.at("message"), "block '\xEF\xBF\xBD\xEF\xBF\xBD' is not configured");
  EXPECT_EQ(body.at("error"), "No \xEF\xBF\xBD data");
}

TEST(HttpTypes, ErrorCodesMapToStatuses) {
  const struct {
    ErrorCode code;
    http::status status;
  } cases[] = {
      {ErrorCode::kInvalid, http::status::bad_request},
      {ErrorCode::kNotFound, http::status::not_found},
      {ErrorCode::kConflict, http::status::conflict},
      {ErrorCode::kBusy, http::status::service_unavailable},
      {ErrorCode::kTimeout, http::status::gateway_timeout},
      {ErrorCode::kUnavailable, http::status::service_unavailable},
  };
  for (const auto& c : cases) {
    const Response res = error_response(get_request(), Error{"what went wrong", c.code});
    EXPECT_EQ(res.result(), c.status) << static_cast<int>(c.code);
    EXPECT_EQ(json::parse(res.body()).at("message"), "what went wrong");
    const bool busy = c.code == ErrorCode::kBusy;
    EXPECT_EQ(res.count(http::field::retry_after), busy ? 1U : 0U) << static_cast<int>(c.code);
    if (busy) EXPECT_EQ(res[http::field::retry_after], "1");
  }
}

}  // namespace
}  // namespace blockhealth::server
