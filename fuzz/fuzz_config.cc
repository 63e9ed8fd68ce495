// The YAML config loader on arbitrary text: problems, never a crash, a
// hang or an exception out of it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)blockhealth::load_config_string(text, "/fuzz/blockhealth.yaml");
  return 0;
}
