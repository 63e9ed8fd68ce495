// Prometheus remote write 1.0 bodies (POST /api/v1/write): a snappy block
// (not the framed format) around a protobuf prometheus.WriteRequest. Decoded
// here straight from the wire format, zero-copy: labels are views into the
// decompressed bytes, which the RemoteWriteRequest owns. Only the fields of
// core/wire/prompb/remote.proto are read; every other field (metadata,
// exemplars, histograms, fields of later versions) is skipped by its wire
// type. No HTTP in here (server/routes_remote_write.cc answers the request).
#ifndef BLOCKHEALTH_CORE_WIRE_REMOTE_WRITE_H
#define BLOCKHEALTH_CORE_WIRE_REMOTE_WRITE_H

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace blockhealth::wire {

struct RemoteWriteLabel {
  std::string_view name;
  std::string_view value;
};

struct RemoteWriteSample {
  double value = 0;
  std::int64_t timestamp_ms = 0;
};

// One TimeSeries: its labels and samples as ranges of the request's arrays.
// `name` is the value of its __name__ label (never empty once decoded).
struct RemoteWriteSeries {
  std::uint32_t first_label = 0;
  std::uint32_t label_count = 0;
  std::uint32_t first_sample = 0;
  std::uint32_t sample_count = 0;
  std::string_view name;
};

// A decoded WriteRequest. The views point into `bytes`: moving the object
// keeps them valid (a std::string's heap buffer does not move), copying
// does not. Reusing one object across requests keeps its buffers' capacity.
struct RemoteWriteRequest {
  std::string bytes;  // the decompressed protobuf
  std::vector<RemoteWriteLabel> labels;
  std::vector<RemoteWriteSample> samples;
  std::vector<RemoteWriteSeries> series;

  std::span<const RemoteWriteLabel> labels_of(const RemoteWriteSeries& s) const {
    return {labels.data() + s.first_label, s.label_count};
  }
  std::span<const RemoteWriteSample> samples_of(const RemoteWriteSeries& s) const {
    return {samples.data() + s.first_sample, s.sample_count};
  }
  std::size_t sample_total() const { return samples.size(); }
  void clear();
};

// What went wrong, for the HTTP status: kNotSnappy and kMalformed are the
// sender's fault for good (400: Prometheus does not retry), kTooLarge is
// 413.
enum class RemoteWriteFailure { kNone, kNotSnappy, kTooLarge, kMalformed };

struct RemoteWriteStatus {
  RemoteWriteFailure failure = RemoteWriteFailure::kNone;
  std::string message;  // what and where; "" when ok
  bool ok() const { return failure == RemoteWriteFailure::kNone; }
};

// Decompresses `body` (snappy block format) into out.bytes and decodes it.
// Refuses a body whose decompressed size (snappy states it up front) is
// above `max_decoded_bytes` before decompressing anything. On failure `out`
// is left cleared or partly filled: read it only after success.
RemoteWriteStatus decode_remote_write(std::string_view body, std::uint64_t max_decoded_bytes,
                                      RemoteWriteRequest& out);

// Decodes out.bytes (an uncompressed WriteRequest) into out's arrays.
// Errors name the series, label or sample, and the byte offset: "timeseries
// 12: no __name__ label", "timeseries 3: label 1: truncated varint at byte
// 210". Checks: well-formed wire format, the wire type of every known field,
// lengths within the enclosing message, every series with a non-empty
// __name__, no empty or repeated label names.
RemoteWriteStatus parse_write_request(RemoteWriteRequest& out);

// Prometheus's staleness marker (a NaN with this bit pattern): "the series
// is gone" rather than a value.
bool is_stale_marker(double value);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_REMOTE_WRITE_H
