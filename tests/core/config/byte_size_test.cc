#include "core/config/byte_size.h"

#include <gtest/gtest.h>

namespace blockhealth {
namespace {

struct GoodSize {
  const char* text;
  std::uint64_t bytes;
};

TEST(ParseByteSize, ReadsBytesAndBinaryAndDecimalUnits) {
  const GoodSize table[] = {
      {"0", 0},
      {"512", 512},
      {"512B", 512},
      {"64KiB", 64ULL * 1024},
      {"1MiB", 1ULL << 20},
      {"2GiB", 2ULL << 30},
      {"1TiB", 1ULL << 40},
      {"10KB", 10'000},
      {"10MB", 10'000'000},
      {"3GB", 3'000'000'000ULL},
      {"1TB", 1'000'000'000'000ULL},
      {"10 MiB", 10ULL << 20},
  };
  for (const auto& [text, bytes] : table) {
    const auto s = parse_byte_size(text);
    ASSERT_TRUE(s.has_value()) << text << ": " << s.error().message;
    EXPECT_EQ(*s, bytes) << text;
  }
}

struct BadSize {
  const char* text;
  const char* message;
};

TEST(ParseByteSize, RefusesWithAMessageSayingWhatWasExpected) {
  constexpr const char* kUnits =
      " (units are B, KiB, MiB, GiB, TiB (1024) and KB, MB, GB, TB (1000))";
  const BadSize table[] = {
      {"", "expected a size like 512, 64KiB or 10MB, got ''"},
      {"big", "expected a size like 512, 64KiB or 10MB, got 'big'"},
      {"-1", "expected a size like 512, 64KiB or 10MB, got '-1'"},
      {"10mb", nullptr},
      {"10kib", nullptr},
      {"1.5MiB", nullptr},
      {"10  MiB", nullptr},
      {"2TiB", "size '2TiB' is too large (over 1TiB)"},
      {"99999999999999999999", "size '99999999999999999999' is too large (over 1TiB)"},
  };
  for (const auto& [text, message] : table) {
    const auto s = parse_byte_size(text);
    ASSERT_FALSE(s.has_value()) << text;
    const std::string expected = message ? message
                                         : "expected a size like 512, 64KiB or 10MB, got '" +
                                               std::string(text) + "'" + kUnits;
    EXPECT_EQ(s.error().message, expected) << text;
  }
}

TEST(FormatByteSize, UsesTheLargestUnitThatDividesExactly) {
  const GoodSize table[] = {
      {"0B", 0},         {"1B", 1},       {"1KB", 1000},       {"1KiB", 1024}, {"10MB", 10'000'000},
      {"1MiB", 1 << 20}, {"1536B", 1536}, {"3GiB", 3ULL << 30}};
  for (const auto& [text, bytes] : table) {
    EXPECT_EQ(format_byte_size(bytes), text);
    EXPECT_EQ(*parse_byte_size(format_byte_size(bytes)), bytes);
  }
}

}  // namespace
}  // namespace blockhealth
