#include "core/config/key_suggestion.h"

#include <gtest/gtest.h>

#include <array>

namespace blockhealth {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("interval", "interval"), 0u);
  EXPECT_EQ(edit_distance("intervl", "interval"), 1u);    // deletion
  EXPECT_EQ(edit_distance("intervall", "interval"), 1u);  // insertion
  EXPECT_EQ(edit_distance("intarval", "interval"), 1u);   // substitution
  EXPECT_EQ(edit_distance("inetrval", "interval"), 1u);   // swap
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("timeout", "interval"), 7u);
}

TEST(SuggestKey, SuggestsTheClosestKeyWithinTwoEdits) {
  constexpr std::array<std::string_view, 4> kKeys = {"interval", "timeout", "id", "to"};
  EXPECT_EQ(suggest_key("intervl", kKeys), "interval");
  EXPECT_EQ(suggest_key("intrvl", kKeys), "interval");
  EXPECT_EQ(suggest_key("timout", kKeys), "timeout");
  EXPECT_EQ(suggest_key("ids", kKeys), "id");
  EXPECT_EQ(suggest_key("colour", kKeys), std::nullopt);
  EXPECT_EQ(suggest_key("itvl", kKeys), std::nullopt);  // 4 edits from interval
  // Short keys get one edit at most: "ab" is 2 from both "id" and "to".
  EXPECT_EQ(suggest_key("ab", kKeys), std::nullopt);
  // The closest wins: "tid" is 1 from "id" and 2 from "to".
  EXPECT_EQ(suggest_key("tid", kKeys), "id");
  // A tie goes to the first known key: "io" is 1 from both "id" and "to".
  EXPECT_EQ(suggest_key("io", kKeys), "id");
}

}  // namespace
}  // namespace blockhealth
