#include "server/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>

namespace blockhealth::server {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

Request request(http::verb method, std::string target) {
  Request req{method, target, 11};
  return req;
}

struct Captured {
  std::optional<Response> response;
  int calls = 0;
};

Responder capture(Captured& c) {
  return [&c](Response res) {
    ++c.calls;
    c.response = std::move(res);
  };
}

std::string router_message_of(const Response& res) {
  return std::string(json::parse(res.body()).at("message").as_string());
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(http::verb::get, "/", reply("root"));
    router_.add(http::verb::get, "/items", reply("list"));
    router_.add(http::verb::post, "/items", reply("create"));
    router_.add(http::verb::get, "/items/{}", reply("item"));
    router_.add(http::verb::delete_, "/items/{}", reply("delete"));
    router_.add(http::verb::get, "/items/{}/parts/{}", reply("part"));
    router_.add(http::verb::post, "/only-post", reply("only-post"));
  }

  // A handler that answers 200 with its name and records what it was given.
  Handler reply(std::string name) {
    return [this, name](const Request& req, const RouteParams& p, Responder respond) {
      last_handler_ = name;
      last_params_ = p;
      Response res{http::status::ok, req.version()};
      res.body() = "handled by " + name;
      res.prepare_payload();
      respond(std::move(res));
    };
  }

  Response dispatch(http::verb method, const std::string& target) {
    Captured c;
    router_.dispatch(request(method, target), capture(c));
    EXPECT_EQ(c.calls, 1) << target;
    return c.response ? *c.response : Response{};
  }

  Router router_;
  std::string last_handler_;
  RouteParams last_params_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  EXPECT_EQ(dispatch(http::verb::get, "/").body(), "handled by root");
  EXPECT_EQ(dispatch(http::verb::get, "/items").body(), "handled by list");
  EXPECT_EQ(dispatch(http::verb::post, "/items").body(), "handled by create");
  EXPECT_TRUE(last_params_.path.empty());
}

TEST_F(RouterTest, CapturesPathSegmentsPercentDecoded) {
  EXPECT_EQ(dispatch(http::verb::get, "/items/a%20b/parts/x%2Fy").body(), "handled by part");
  EXPECT_EQ(last_params_.path, (std::vector<std::string>{"a b", "x/y"}));
  dispatch(http::verb::get, "/items/gemma3-27b-block");
  EXPECT_EQ(last_handler_, "item");
  EXPECT_EQ(last_params_.path, (std::vector<std::string>{"gemma3-27b-block"}));
}

TEST_F(RouterTest, ParsesTheQueryDecodedWithTheLastRepeatWinning) {
  dispatch(http::verb::get, "/items?limit=5&name=a%20b&x=1&x=2&flag");
  EXPECT_EQ(last_params_.get("limit"), "5");
  EXPECT_EQ(last_params_.get("name"), "a b");
  EXPECT_EQ(last_params_.get("x"), "2");
  EXPECT_EQ(last_params_.get("flag"), "");
  EXPECT_EQ(last_params_.get("absent"), std::nullopt);
}

TEST_F(RouterTest, UnknownPathIs404WithAJsonMessage) {
  const Response res = dispatch(http::verb::get, "/nothing/here");
  EXPECT_EQ(res.result(), http::status::not_found);
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(json::parse(res.body()).at("success"), false);
  EXPECT_EQ(router_message_of(res), "no such endpoint: GET /nothing/here");
}

TEST_F(RouterTest, AnEmptyParameterSegmentDoesNotMatch) {
  EXPECT_EQ(dispatch(http::verb::get, "/items/").result(), http::status::not_found);
  EXPECT_EQ(dispatch(http::verb::get, "/items//parts/x").result(), http::status::not_found);
}

TEST_F(RouterTest, WrongMethodIs405WithAllowIncludingHeadForGetRoutes) {
  Response res = dispatch(http::verb::put, "/items");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "GET, HEAD, POST");
  EXPECT_EQ(router_message_of(res), "PUT is not allowed on /items; use GET, HEAD, POST");

  res = dispatch(http::verb::post, "/items/x");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "DELETE, GET, HEAD");

  res = dispatch(http::verb::get, "/only-post");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
  res = dispatch(http::verb::head, "/only-post");
  EXPECT_EQ(res.result(), http::status::method_not_allowed);
  EXPECT_EQ(res[http::field::allow], "POST");
}

TEST_F(RouterTest, HeadIsServedByTheGetHandlerWithoutTheBody) {
  const Response get = dispatch(http::verb::get, "/items");
  const Response head = dispatch(http::verb::head, "/items");
  EXPECT_EQ(last_handler_, "list");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], get[http::field::content_length]);
  EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
}

TEST_F(RouterTest, MalformedTargetsAre400) {
  for (const std::string target : {"items", "/bad%zzescape", "http://host/items", "/a b", "*"}) {
    const Response res = dispatch(http::verb::get, target);
    EXPECT_EQ(res.result(), http::status::bad_request) << target;
    EXPECT_THAT(router_message_of(res), ::testing::StartsWith("malformed request target: " + target))
        << target;
  }
}

TEST_F(RouterTest, ALongMalformedTargetIsQuotedShort) {
  const std::string target = "x" + std::string(5'000, 'a');
  const Response res = dispatch(http::verb::get, target);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_LT(router_message_of(res).size(), 400U);
}

TEST_F(RouterTest, TheWriteGuardIsAskedOnlyForWritesThatMatchARoute) {
  int asked = 0;
  router_.set_write_guard([&](const Request& req) -> std::optional<Response> {
    ++asked;
    Response res{http::status::unauthorized, req.version()};
    res.body() = "denied";
    return res;
  });
  EXPECT_EQ(dispatch(http::verb::get, "/items").result(), http::status::ok);
  EXPECT_EQ(dispatch(http::verb::head, "/items").result(), http::status::ok);
  EXPECT_EQ(asked, 0);
  last_handler_.clear();
  EXPECT_EQ(dispatch(http::verb::post, "/items").result(), http::status::unauthorized);
  EXPECT_EQ(dispatch(http::verb::delete_, "/items/x").result(), http::status::unauthorized);
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(last_handler_, "");  // no handler ran
  EXPECT_EQ(dispatch(http::verb::post, "/nowhere").result(), http::status::not_found);
  EXPECT_EQ(dispatch(http::verb::patch, "/items").result(), http::status::method_not_allowed);
  EXPECT_EQ(asked, 2);
}

TEST_F(RouterTest, AGuardThatLetsThroughReachesTheHandler) {
  router_.set_write_guard([](const Request&) -> std::optional<Response> { return std::nullopt; });
  EXPECT_EQ(dispatch(http::verb::post, "/items").body(), "handled by create");
}

TEST_F(RouterTest, ErrorsKeepTheRequestsVersionAndKeepAlive) {
  Request req = request(http::verb::get, "/nothing");
  req.version(10);
  req.keep_alive(false);
  Captured c;
  router_.dispatch(req, capture(c));
  ASSERT_TRUE(c.response);
  EXPECT_EQ(c.response->version(), 10);
  EXPECT_FALSE(c.response->keep_alive());
}

}  // namespace
}  // namespace blockhealth::server
