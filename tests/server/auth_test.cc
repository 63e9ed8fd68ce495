#include "server/auth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>

#include "tests/support/test_paths.h"

namespace blockhealth::server {
namespace {

using test::TempDir;
using ::testing::HasSubstr;

std::filesystem::path token_file(const TempDir& dir, const std::string& content, mode_t mode) {
  const auto path = dir.write("token", content);
  EXPECT_EQ(::chmod(path.c_str(), mode), 0);
  return path;
}

TEST(ReadTokenFile, TrimsSurroundingWhitespace) {
  TempDir dir;
  auto token = read_token_file(token_file(dir, "  s3cret-token \r\n\n", 0600));
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "s3cret-token");
}

TEST(ReadTokenFile, GroupReadableIsAccepted) {
  TempDir dir;
  auto token = read_token_file(token_file(dir, "tok", 0640));
  ASSERT_TRUE(token) << token.error().message;
  EXPECT_EQ(*token, "tok");
}

TEST(ReadTokenFile, MissingFileIsAnErrorNamingIt) {
  TempDir dir;
  const auto path = dir.path() / "absent";
  auto token = read_token_file(path);
  ASSERT_FALSE(token);
  EXPECT_EQ(token.error().message,
            "auth_token_file " + path.string() + ": cannot read it (No such file or directory)");
}

TEST(ReadTokenFile, EmptyOrBlankFileIsRefused) {
  TempDir dir;
  for (const std::string content : {"", " \n\t\r\n"}) {
    const auto path = token_file(dir, content, 0600);
    auto token = read_token_file(path);
    ASSERT_FALSE(token);
    EXPECT_EQ(token.error().message, "auth_token_file " + path.string() + ": is empty");
  }
}

TEST(ReadTokenFile, AFileOthersCanAccessIsRefused) {
  TempDir dir;
  for (mode_t mode : {0604, 0602, 0601, 0644}) {
    const auto path = token_file(dir, "tok", mode);
    auto token = read_token_file(path);
    ASSERT_FALSE(token) << std::oct << mode;
    EXPECT_EQ(token.error().message, "auth_token_file " + path.string() +
                                         ": is accessible by others; chmod o-rwx it (e.g. 0600)");
  }
}

Request write_request(std::optional<std::string> authorization) {
  Request req{http::verb::post, "/v1/reload", 11};
  if (authorization) req.set(http::field::authorization, *authorization);
  return req;
}

std::string auth_message_of(const Response& res) {
  return std::string(boost::json::parse(res.body()).at("message").as_string());
}

TEST(WriteAuth, WithoutATokenWritesAreOpen) {
  WriteAuth auth;
  EXPECT_FALSE(auth.check(write_request(std::nullopt)).has_value());
  auth.set_token(std::nullopt);
  EXPECT_FALSE(auth.check(write_request("Bearer anything")).has_value());
}

TEST(WriteAuth, AMissingHeaderIs401WithAChallenge) {
  WriteAuth auth;
  auth.set_token("s3cret");
  auto denied = auth.check(write_request(std::nullopt));
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->result(), http::status::unauthorized);
  EXPECT_EQ((*denied)[http::field::www_authenticate], R"(Bearer realm="blockhealthd")");
  EXPECT_EQ(auth_message_of(*denied), "this endpoint needs Authorization: Bearer <token>");
  auto basic = auth.check(write_request("Basic dXNlcjpwdw=="));
  ASSERT_TRUE(basic.has_value());
  EXPECT_EQ(auth_message_of(*basic), "this endpoint needs Authorization: Bearer <token>");
}

TEST(WriteAuth, AWrongTokenIs401) {
  WriteAuth auth;
  auth.set_token("s3cret");
  for (const std::string header :
       {"Bearer wrong", "Bearer s3cre", "Bearer s3cret2", "Bearer  s3cret", "Bearer S3CRET"}) {
    auto denied = auth.check(write_request(header));
    ASSERT_TRUE(denied.has_value()) << header;
    EXPECT_EQ(denied->result(), http::status::unauthorized);
    EXPECT_EQ(auth_message_of(*denied), "the bearer token is not valid") << header;
  }
}

TEST(WriteAuth, TheRightTokenPasses) {
  WriteAuth auth;
  auth.set_token("s3cret");
  EXPECT_FALSE(auth.check(write_request("Bearer s3cret")).has_value());
}

// RFC 7235 section 2.1: the authentication scheme is case-insensitive.
TEST(WriteAuth, TheSchemeIsCaseInsensitive) {
  WriteAuth auth;
  auth.set_token("s3cret");
  EXPECT_FALSE(auth.check(write_request("bearer s3cret")).has_value());
  EXPECT_FALSE(auth.check(write_request("BEARER s3cret")).has_value());
}

TEST(WriteAuth, TheTokenCanBeSwappedAndRemoved) {
  WriteAuth auth;
  auth.set_token("old");
  auth.set_token("new");
  EXPECT_TRUE(auth.check(write_request("Bearer old")).has_value());
  EXPECT_FALSE(auth.check(write_request("Bearer new")).has_value());
  auth.set_token(std::nullopt);
  EXPECT_FALSE(auth.check(write_request(std::nullopt)).has_value());
}

}  // namespace
}  // namespace blockhealth::server
