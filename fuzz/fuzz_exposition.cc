// The Prometheus text parser (scrapes and pushes) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/prometheus/exposition_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)blockhealth::prometheus::parse_exposition(text);
  return 0;
}
