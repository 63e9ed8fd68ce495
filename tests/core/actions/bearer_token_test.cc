#include "core/actions/bearer_token.h"

#include <gtest/gtest.h>

#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

TEST(BearerToken, ReadsTheTokenWithoutSurroundingWhitespace) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.write("token", "  s3cr3t-token\n"));
  ASSERT_TRUE(token.has_value()) << token.error().message;
  EXPECT_EQ(*token, "s3cr3t-token");
}

TEST(BearerToken, AMissingFileIsAnErrorNamingIt) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.path() / "nope");
  ASSERT_FALSE(token.has_value());
  EXPECT_NE(token.error().message.find("token_file '" + (dir.path() / "nope").string() +
                                       "': cannot open it: No such file or directory"),
            std::string::npos)
      << token.error().message;
}

TEST(BearerToken, AnEmptyFileIsAnError) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.write("token", " \n\t\n"));
  ASSERT_FALSE(token.has_value());
  EXPECT_NE(token.error().message.find("is empty; expected a token"), std::string::npos)
      << token.error().message;
}

TEST(BearerToken, ALineBreakInsideIsAnError) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.write("token", "abc\r\nX-Evil: 1\n"));
  ASSERT_FALSE(token.has_value());
  EXPECT_NE(token.error().message.find("control character"), std::string::npos)
      << token.error().message;
}

TEST(BearerToken, AFolderIsAnError) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.path());
  ASSERT_FALSE(token.has_value());
  EXPECT_NE(token.error().message.find("is a folder"), std::string::npos) << token.error().message;
}

TEST(BearerToken, AHugeFileIsAnError) {
  test::TempDir dir;
  auto token = read_bearer_token(dir.write("token", std::string(std::size_t{65} * 1024, 'a')));
  ASSERT_FALSE(token.has_value());
  EXPECT_NE(token.error().message.find("over 64 KiB"), std::string::npos) << token.error().message;
}

}  // namespace
}  // namespace blockhealth
