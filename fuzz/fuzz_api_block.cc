// A block body of PUT /v1/blocks/<id> on arbitrary bytes: problems by JSON
// pointer, never a crash; a body read once reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/config/api_block_reader.h"
#include "core/config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const blockhealth::Config file = [] {
    auto c = blockhealth::load_config_string("blocks: []\n", "/fuzz/blockhealth.yaml");
    if (!c) std::abort();
    return std::move(*c);
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::vector<blockhealth::BodyProblem> problems;
  auto read = blockhealth::read_api_block(body, "fuzz", file, &problems);
  if (read) {
    auto again = blockhealth::read_api_block(read->body, "fuzz", file);
    if (!again || again->body != read->body) std::abort();  // stored form is stable
  } else if (problems.empty()) {
    std::abort();  // a refusal always says why
  }
  return 0;
}
