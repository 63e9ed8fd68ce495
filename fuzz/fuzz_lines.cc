// Log line assembly (followed files) on arbitrary bytes fed in arbitrary
// pieces: every line within the limit, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/sources/line_assembler.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr std::size_t kMax = 64;
  blockhealth::LineAssembler lines(kMax);
  std::vector<std::string> out;
  const std::size_t piece = 1 + data[0] % 16;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::int64_t now = 0;
  while (!rest.empty()) {
    const std::size_t n = std::min(piece, rest.size());
    lines.feed(rest.substr(0, n), now += 10, out);
    rest.remove_prefix(n);
  }
  lines.flush_if_older(now + 1000, 100, out);
  for (const std::string& line : out) {
    if (line.size() > kMax + 8) std::abort();  // the limit, plus the cut mark
  }
  return 0;
}
