// Pushed JSON bodies (metrics, log lines) and pushed log text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/observations/push_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)blockhealth::parse_json_metrics(body);
  (void)blockhealth::parse_json_log_lines(body);
  (void)blockhealth::split_log_text(body);
  return 0;
}
