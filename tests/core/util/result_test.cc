#include "core/util/result.h"

#include <gtest/gtest.h>

#include <string>

namespace blockhealth {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return fail("value " + std::to_string(v) + " is not positive");
  return v;
}

Result<std::string> name_of(bool ok) {
  if (!ok) return fail(ErrorCode::kNotFound, "no name");
  return success(std::string("blockhealth"));
}

Result<void> check(bool ok) {
  if (!ok) return fail(ErrorCode::kConflict, "conflict");
  return {};
}

TEST(Result, HoldsTheValue) {
  auto r = parse_positive(3);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 3);
  EXPECT_EQ(r.value(), 3);
}

TEST(Result, FailDefaultsToInvalid) {
  auto r = parse_positive(-1);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "value -1 is not positive");
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
}

TEST(Result, FailCarriesTheCode) {
  auto r = name_of(false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "no name");
  EXPECT_EQ(check(false).error().code, ErrorCode::kConflict);
  EXPECT_TRUE(check(true).has_value());
}

TEST(Result, SuccessBuildsAStringResult) {
  auto r = name_of(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "blockhealth");
}

TEST(Result, ValueOnAnErrorThrowsErrorExceptionWithTheMessage) {
  auto r = parse_positive(0);
  try {
    (void)r.value();
    FAIL() << "value() did not throw";
  } catch (const ErrorException& e) {
    EXPECT_STREQ(e.what(), "value 0 is not positive");
  }
}

}  // namespace
}  // namespace blockhealth
