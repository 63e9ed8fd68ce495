#include "core/wire/remote_write.h"

#include <snappy.h>

#include <bit>
#include <cstring>
#include <limits>

namespace blockhealth::wire {
namespace {

// Protobuf wire types.
constexpr std::uint32_t kRwVarint = 0;
constexpr std::uint32_t kRwFixed64 = 1;
constexpr std::uint32_t kRwLengthDelimited = 2;
constexpr std::uint32_t kRwFixed32 = 5;

// Reads one message's fields from [pos, end) of the buffer starting at
// `base` (offsets in messages count from `base`). On the first problem it
// stores a message and every later read fails.
class RwWireReader {
 public:
  RwWireReader(const char* base, const char* pos, const char* end)
      : base_(base), pos_(pos), end_(end) {}

  bool done() const { return pos_ >= end_; }
  const std::string& error() const { return error_; }
  std::size_t offset() const { return static_cast<std::size_t>(pos_ - base_); }

  __attribute__((always_inline)) bool varint(std::uint64_t& v) {
    if (pos_ < end_ && static_cast<unsigned char>(*pos_) < 0x80) {  // the common case
      v = static_cast<unsigned char>(*pos_++);
      return true;
    }
    return varint_slow(v);
  }

  __attribute__((noinline)) bool varint_slow(std::uint64_t& v) {
    const char* start = pos_;
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= end_) {
        return fail_at(start, "truncated varint");
      }
      const auto byte = static_cast<unsigned char>(*pos_++);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return true;
    }
    return fail_at(start, "varint longer than 10 bytes");
  }

  // The next field's number and wire type.
  __attribute__((always_inline)) bool tag(std::uint32_t& field, std::uint32_t& wire_type) {
    const char* start = pos_;
    std::uint64_t t = 0;
    if (!varint(t)) return false;
    field = static_cast<std::uint32_t>(t >> 3);
    wire_type = static_cast<std::uint32_t>(t & 7);
    if (field == 0 || t >> 3 > 0x1fffffff) return fail_at(start, "invalid field number");
    return true;
  }

  // A length-delimited field's bytes.
  __attribute__((always_inline)) bool bytes(const char*& begin, const char*& stop) {
    const char* start = pos_;
    std::uint64_t n = 0;
    if (!varint(n)) return false;
    const auto left = static_cast<std::uint64_t>(end_ - pos_);
    if (n > left) {
      return fail_at(start, "length " + std::to_string(n) + " runs past the end of its message (" +
                                std::to_string(left) + " bytes left)");
    }
    begin = pos_;
    pos_ += n;
    stop = pos_;
    return true;
  }

  bool fixed64(std::uint64_t& v) {
    if (end_ - pos_ < 8) return fail_at(pos_, "truncated 64-bit field");
    std::memcpy(&v, pos_, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    pos_ += 8;
    return true;
  }

  // Skips a field this reader does not know.
  bool skip(std::uint32_t wire_type) {
    std::uint64_t ignored = 0;
    const char* b = nullptr;
    const char* e = nullptr;
    switch (wire_type) {
      case kRwVarint:
        return varint(ignored);
      case kRwFixed64:
        return fixed64(ignored);
      case kRwLengthDelimited:
        return bytes(b, e);
      case kRwFixed32:
        if (end_ - pos_ < 4) return fail_at(pos_, "truncated 32-bit field");
        pos_ += 4;
        return true;
      default:
        return fail_at(pos_, "wire type " + std::to_string(wire_type) +
                                 " (groups or invalid) is not supported");
    }
  }

  // A known field came with another wire type than its declaration's.
  bool wrong_type(std::string_view field, std::uint32_t got, std::uint32_t expected) {
    return fail_at(pos_, "field " + std::string(field) + " has wire type " + std::to_string(got) +
                             ", expected " + std::to_string(expected));
  }

 private:
  bool fail_at(const char* where, std::string what) {
    if (error_.empty()) {
      error_ = std::move(what) + " at byte " + std::to_string(where - base_);
    }
    pos_ = end_;
    return false;
  }

  const char* base_;
  const char* pos_;
  const char* end_;
  std::string error_;
};

RemoteWriteStatus rw_malformed(std::string message) {
  return {RemoteWriteFailure::kMalformed, "remote_write: " + std::move(message)};
}

// Label {string name = 1; string value = 2;}
bool rw_read_label(RwWireReader& r, RemoteWriteLabel& label) {
  while (!r.done()) {
    std::uint32_t field = 0;
    std::uint32_t type = 0;
    if (!r.tag(field, type)) return false;
    if (field == 1 || field == 2) {
      if (type != kRwLengthDelimited) {
        return r.wrong_type(field == 1 ? "1 (name)" : "2 (value)", type, kRwLengthDelimited);
      }
      const char* b = nullptr;
      const char* e = nullptr;
      if (!r.bytes(b, e)) return false;
      (field == 1 ? label.name : label.value) =
          std::string_view(b, static_cast<std::size_t>(e - b));
    } else if (!r.skip(type)) {
      return false;
    }
  }
  return true;
}

// Sample {double value = 1; int64 timestamp = 2;}
bool rw_read_sample(RwWireReader& r, RemoteWriteSample& sample) {
  while (!r.done()) {
    std::uint32_t field = 0;
    std::uint32_t type = 0;
    if (!r.tag(field, type)) return false;
    if (field == 1) {
      if (type != kRwFixed64) return r.wrong_type("1 (value)", type, kRwFixed64);
      std::uint64_t bits = 0;
      if (!r.fixed64(bits)) return false;
      sample.value = std::bit_cast<double>(bits);
    } else if (field == 2) {
      if (type != kRwVarint) return r.wrong_type("2 (timestamp)", type, kRwVarint);
      std::uint64_t v = 0;
      if (!r.varint(v)) return false;
      sample.timestamp_ms = static_cast<std::int64_t>(v);
    } else if (!r.skip(type)) {
      return false;
    }
  }
  return true;
}

}  // namespace

void RemoteWriteRequest::clear() {
  bytes.clear();
  labels.clear();
  samples.clear();
  series.clear();
}

bool is_stale_marker(double value) {
  return std::bit_cast<std::uint64_t>(value) == 0x7ff0000000000002ULL;
}

RemoteWriteStatus parse_write_request(RemoteWriteRequest& out) {
  out.labels.clear();
  out.samples.clear();
  out.series.clear();
  const char* base = out.bytes.data();
  RwWireReader top(base, base, base + out.bytes.size());
  while (!top.done()) {
    std::uint32_t field = 0;
    std::uint32_t type = 0;
    if (!top.tag(field, type)) break;
    if (field != 1) {  // metadata and anything newer
      if (!top.skip(type)) break;
      continue;
    }
    // Built only for a message: a string per series would cost more than
    // decoding it.
    const auto where = [&out] { return "timeseries " + std::to_string(out.series.size()); };
    if (type != kRwLengthDelimited) {
      top.wrong_type("1 (timeseries)", type, kRwLengthDelimited);
      return rw_malformed(where() + ": " + top.error());
    }
    const char* b = nullptr;
    const char* e = nullptr;
    if (!top.bytes(b, e)) return rw_malformed(where() + ": " + top.error());
    RemoteWriteSeries series;
    series.first_label = static_cast<std::uint32_t>(out.labels.size());
    series.first_sample = static_cast<std::uint32_t>(out.samples.size());
    // TimeSeries {repeated Label labels = 1; repeated Sample samples = 2;}
    RwWireReader ts(base, b, e);
    while (!ts.done()) {
      if (!ts.tag(field, type)) break;
      if (field == 1 || field == 2) {
        if (type != kRwLengthDelimited) {
          ts.wrong_type(field == 1 ? "1 (labels)" : "2 (samples)", type, kRwLengthDelimited);
          break;
        }
        const char* mb = nullptr;
        const char* me = nullptr;
        if (!ts.bytes(mb, me)) break;
        RwWireReader m(base, mb, me);
        if (field == 1) {
          RemoteWriteLabel& label = out.labels.emplace_back();
          if (!rw_read_label(m, label)) {
            return rw_malformed(where() + ": label " +
                                std::to_string(out.labels.size() - 1 - series.first_label) + ": " +
                                m.error());
          }
        } else {
          RemoteWriteSample& sample = out.samples.emplace_back();
          if (!rw_read_sample(m, sample)) {
            return rw_malformed(where() + ": sample " +
                                std::to_string(out.samples.size() - 1 - series.first_sample) +
                                ": " + m.error());
          }
        }
      } else if (!ts.skip(type)) {
        break;
      }
    }
    if (!ts.error().empty()) return rw_malformed(where() + ": " + ts.error());
    series.label_count = static_cast<std::uint32_t>(out.labels.size() - series.first_label);
    series.sample_count = static_cast<std::uint32_t>(out.samples.size() - series.first_sample);
    // Names: non-empty, each once, __name__ among them. Prometheus sends
    // them sorted, so a repeat is the previous label; unsorted ones get the
    // full comparison.
    const std::span<const RemoteWriteLabel> labels = out.labels_of(series);
    bool sorted = true;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i].name.empty()) {
        return rw_malformed(where() + ": label " + std::to_string(i) + " has an empty name");
      }
      if (labels[i].name == "__name__") series.name = labels[i].value;
      if (i > 0 && !(labels[i].name > labels[i - 1].name)) sorted = false;
    }
    if (!sorted) {
      for (std::size_t i = 1; i < labels.size(); ++i) {
        for (std::size_t k = 0; k < i; ++k) {
          if (labels[i].name == labels[k].name) {
            return rw_malformed(where() + ": label '" + std::string(labels[i].name.substr(0, 128)) +
                                "' appears twice");
          }
        }
      }
    }
    if (series.name.empty()) return rw_malformed(where() + ": no __name__ label");
    out.series.push_back(series);
  }
  if (!top.error().empty()) {
    return rw_malformed("WriteRequest: " + top.error());
  }
  return {};
}

RemoteWriteStatus decode_remote_write(std::string_view body, std::uint64_t max_decoded_bytes,
                                      RemoteWriteRequest& out) {
  out.clear();
  std::size_t length = 0;
  if (!snappy::GetUncompressedLength(body.data(), body.size(), &length)) {
    return {RemoteWriteFailure::kNotSnappy,
            "remote_write: body is not snappy-compressed (snappy: corrupt input: no valid length "
            "preamble; send the snappy block format with Content-Encoding: snappy)"};
  }
  if (length > max_decoded_bytes) {
    return {RemoteWriteFailure::kTooLarge,
            "remote_write: body decompresses to " + std::to_string(length) +
                " bytes, above the limit of " + std::to_string(max_decoded_bytes) +
                " (remote_write.max_decoded_bytes); lower max_samples_per_send in Prometheus's "
                "queue_config"};
  }
  out.bytes.resize(length);
  if (!snappy::RawUncompress(body.data(), body.size(), out.bytes.data())) {
    out.clear();
    return {RemoteWriteFailure::kNotSnappy,
            "remote_write: body is not snappy-compressed (snappy: corrupt input)"};
  }
  return parse_write_request(out);
}

}  // namespace blockhealth::wire
