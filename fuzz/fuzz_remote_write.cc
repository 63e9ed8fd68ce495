// Prometheus remote write bodies (POST /api/v1/write): the input as a
// snappy body (decode_remote_write) and as an already decompressed
// WriteRequest (parse_write_request), so that the fuzzer reaches the
// protobuf reader without having to find valid snappy first. A decoded
// request's ranges must lie within its arrays.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/wire/remote_write.h"

namespace {

void check_remote_write_ranges(const blockhealth::wire::RemoteWriteRequest& r) {
  for (const auto& s : r.series) {
    if (std::size_t{s.first_label} + s.label_count > r.labels.size()) std::abort();
    if (std::size_t{s.first_sample} + s.sample_count > r.samples.size()) std::abort();
    if (s.name.empty()) std::abort();
    for (const auto& l : r.labels_of(s)) {
      if (l.name.empty()) std::abort();
      if (l.name.data() < r.bytes.data() ||
          l.name.data() + l.name.size() > r.bytes.data() + r.bytes.size()) {
        std::abort();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  blockhealth::wire::RemoteWriteRequest request;
  if (blockhealth::wire::decode_remote_write(body, 1 << 20, request).ok()) {
    check_remote_write_ranges(request);
  }
  request.clear();
  request.bytes.assign(body);
  if (blockhealth::wire::parse_write_request(request).ok()) check_remote_write_ranges(request);
  return 0;
}
