// The remote write decoder (core/wire/remote_write.h) on WriteRequests
// encoded by protoc's generated code (core/wire/prompb/remote.proto) and
// compressed by libsnappy: what it reads, what it skips, and each kind of
// bad body with its exact message.
#include "core/wire/remote_write.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <bit>
#include <cmath>
#include <limits>

#include "remote.pb.h"

namespace blockhealth::wire {
namespace {

prometheus::WriteRequest dcgm_request() {
  prometheus::WriteRequest req;
  for (int gpu = 0; gpu < 2; ++gpu) {
    prometheus::TimeSeries* ts = req.add_timeseries();
    auto label = [&](const char* n, const std::string& v) {
      prometheus::Label* l = ts->add_labels();
      l->set_name(n);
      l->set_value(v);
    };
    label("__name__", "DCGM_FI_DEV_GPU_TEMP");
    label("block", "gpus");
    label("gpu", std::to_string(gpu));
    label("pod", "node-1");
    prometheus::Sample* s = ts->add_samples();
    s->set_value(80.0 + gpu);
    s->set_timestamp(1'700'000'000'000 + gpu);
  }
  return req;
}

std::string snappy_of(const std::string& bytes) {
  std::string out;
  snappy::Compress(bytes.data(), bytes.size(), &out);
  return out;
}

RemoteWriteStatus decode_bytes(const std::string& protobuf, RemoteWriteRequest& out) {
  return decode_remote_write(snappy_of(protobuf), 1 << 20, out);
}

TEST(RemoteWriteDecoder, ReadsEverySeriesLabelAndSample) {
  RemoteWriteRequest out;
  const RemoteWriteStatus status = decode_bytes(dcgm_request().SerializeAsString(), out);
  ASSERT_TRUE(status.ok()) << status.message;
  ASSERT_EQ(out.series.size(), 2u);
  EXPECT_EQ(out.sample_total(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const RemoteWriteSeries& s = out.series[i];
    EXPECT_EQ(s.name, "DCGM_FI_DEV_GPU_TEMP");
    ASSERT_EQ(s.label_count, 4u);
    const auto labels = out.labels_of(s);
    EXPECT_EQ(labels[0].name, "__name__");
    EXPECT_EQ(labels[2].name, "gpu");
    EXPECT_EQ(labels[2].value, std::to_string(i));
    EXPECT_EQ(labels[3].value, "node-1");
    ASSERT_EQ(s.sample_count, 1u);
    EXPECT_EQ(out.samples_of(s)[0].value, 80.0 + static_cast<double>(i));
    EXPECT_EQ(out.samples_of(s)[0].timestamp_ms, 1'700'000'000'000 + static_cast<int>(i));
  }
}

TEST(RemoteWriteDecoder, NegativeTimestampsAndSpecialValuesSurvive) {
  prometheus::WriteRequest req = dcgm_request();
  req.mutable_timeseries(0)->mutable_samples(0)->set_timestamp(-5);
  req.mutable_timeseries(0)->mutable_samples(0)->set_value(
      std::numeric_limits<double>::quiet_NaN());
  req.mutable_timeseries(1)->mutable_samples(0)->set_value(
      -std::numeric_limits<double>::infinity());
  RemoteWriteRequest out;
  ASSERT_TRUE(decode_bytes(req.SerializeAsString(), out).ok());
  EXPECT_EQ(out.samples[0].timestamp_ms, -5);
  EXPECT_TRUE(std::isnan(out.samples[0].value));
  EXPECT_FALSE(is_stale_marker(out.samples[0].value));
  EXPECT_EQ(out.samples[1].value, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(is_stale_marker(std::bit_cast<double>(std::uint64_t{0x7ff0000000000002})));
}

TEST(RemoteWriteDecoder, AnEmptyRequestHasNoSeries) {
  RemoteWriteRequest out;
  const RemoteWriteStatus status = decode_bytes("", out);
  ASSERT_TRUE(status.ok()) << status.message;
  EXPECT_TRUE(out.series.empty());
}

TEST(RemoteWriteDecoder, UnknownFieldsOfEveryWireTypeAreSkipped) {
  std::string bytes = dcgm_request().SerializeAsString();
  // WriteRequest field 3 (metadata, length-delimited), field 9 varint,
  // field 10 fixed64, field 11 fixed32.
  bytes += std::string("\x1a\x03xyz", 5);
  bytes += std::string("\x48\x96\x01", 3);
  bytes += std::string("\x51", 1) + std::string(8, '\x01');
  bytes += std::string("\x5d", 1) + std::string(4, '\x02');
  // A series with an exemplar (field 3) and a histogram (field 4).
  prometheus::TimeSeries extra;
  extra.add_labels()->set_name("__name__");
  extra.mutable_labels(0)->set_value("up");
  std::string ts = extra.SerializeAsString() + std::string("\x1a\x02\x08\x01\x22\x00", 6);
  bytes += '\x0a';
  bytes += static_cast<char>(ts.size());
  bytes += ts;
  RemoteWriteRequest out;
  const RemoteWriteStatus status = decode_bytes(bytes, out);
  ASSERT_TRUE(status.ok()) << status.message;
  ASSERT_EQ(out.series.size(), 3u);
  EXPECT_EQ(out.series[2].name, "up");
  EXPECT_EQ(out.series[2].sample_count, 0u);
}

TEST(RemoteWriteDecoder, ABodyThatIsNotSnappyIsRefused) {
  RemoteWriteRequest out;
  RemoteWriteStatus status = decode_remote_write("", 1 << 20, out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kNotSnappy);
  EXPECT_EQ(status.message.rfind("remote_write: body is not snappy-compressed (snappy: corrupt", 0),
            0u)
      << status.message;
  // A valid length preamble (5) and then garbage.
  status = decode_remote_write(std::string("\x05\xff\xff\xff\xff\xff\xff", 7), 1 << 20, out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kNotSnappy);
  EXPECT_EQ(status.message, "remote_write: body is not snappy-compressed (snappy: corrupt input)");
  // The raw protobuf, uncompressed.
  status = decode_remote_write(dcgm_request().SerializeAsString(), 1 << 20, out);
  EXPECT_NE(status.failure, RemoteWriteFailure::kNone);
}

TEST(RemoteWriteDecoder, ABodyThatDecompressesPastTheLimitIsTooLarge) {
  RemoteWriteRequest out;
  const std::string bytes = dcgm_request().SerializeAsString();
  const RemoteWriteStatus status = decode_remote_write(snappy_of(bytes), 10, out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kTooLarge);
  EXPECT_EQ(status.message, "remote_write: body decompresses to " + std::to_string(bytes.size()) +
                                " bytes, above the limit of 10 (remote_write.max_decoded_bytes); "
                                "lower max_samples_per_send in Prometheus's queue_config");
}

TEST(RemoteWriteDecoder, ATruncatedVarintIsNamedWithItsByte) {
  RemoteWriteRequest out;
  // A tag, then a length varint cut short.
  RemoteWriteStatus status = decode_bytes(std::string("\x0a\x80", 2), out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kMalformed);
  EXPECT_EQ(status.message, "remote_write: timeseries 0: truncated varint at byte 1");
  // Inside a sample's timestamp.
  std::string bytes = dcgm_request().SerializeAsString();
  prometheus::TimeSeries ts;
  ts.add_labels()->set_name("__name__");
  ts.mutable_labels(0)->set_value("up");
  std::string inner = ts.SerializeAsString();
  const std::string sample("\x10\xff", 2);  // timestamp, then a cut varint
  inner += '\x12';
  inner += static_cast<char>(sample.size());
  inner += sample;
  bytes += '\x0a';
  bytes += static_cast<char>(inner.size());
  bytes += inner;
  status = decode_bytes(bytes, out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kMalformed);
  EXPECT_EQ(status.message, "remote_write: timeseries 2: sample 0: truncated varint at byte " +
                                std::to_string(bytes.size() - 1));
}

TEST(RemoteWriteDecoder, AWrongWireTypeIsNamedWithTheField) {
  RemoteWriteRequest out;
  // timeseries as a varint.
  RemoteWriteStatus status = decode_bytes(std::string("\x08\x01", 2), out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kMalformed);
  EXPECT_EQ(status.message,
            "remote_write: timeseries 0: field 1 (timeseries) has wire type 0, expected 2 at "
            "byte 1");
  // A sample's value as a varint.
  const std::string sample("\x08\x01", 2);
  std::string inner = std::string("\x12", 1) + static_cast<char>(sample.size()) + sample;
  std::string bytes = std::string("\x0a", 1) + static_cast<char>(inner.size()) + inner;
  status = decode_bytes(bytes, out);
  EXPECT_EQ(status.message,
            "remote_write: timeseries 0: sample 0: field 1 (value) has wire type 0, expected 1 at "
            "byte 5");
  // A group (wire type 3) is not skippable.
  status = decode_bytes(std::string("\x1b", 1), out);
  EXPECT_EQ(status.message,
            "remote_write: WriteRequest: wire type 3 (groups or invalid) is not supported at byte "
            "1");
}

TEST(RemoteWriteDecoder, AHugeLengthIsRefusedNotTrusted) {
  RemoteWriteRequest out;
  // timeseries of length 2^62.
  const RemoteWriteStatus status =
      decode_bytes(std::string("\x0a\x80\x80\x80\x80\x80\x80\x80\x80\x40", 10), out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kMalformed);
  EXPECT_EQ(status.message,
            "remote_write: timeseries 0: length 4611686018427387904 runs past the end of its "
            "message (0 bytes left) at byte 1");
  const RemoteWriteStatus longer =
      decode_bytes(std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12), out);
  EXPECT_EQ(longer.message, "remote_write: timeseries 0: varint longer than 10 bytes at byte 1");
}

TEST(RemoteWriteDecoder, SeriesWithoutANameOrWithBadLabelNamesAreRefused) {
  RemoteWriteRequest out;
  prometheus::WriteRequest req = dcgm_request();
  req.mutable_timeseries(1)->mutable_labels(0)->set_name("job");  // no __name__ left
  RemoteWriteStatus status = decode_bytes(req.SerializeAsString(), out);
  EXPECT_EQ(status.failure, RemoteWriteFailure::kMalformed);
  EXPECT_EQ(status.message, "remote_write: timeseries 1: no __name__ label");

  req = dcgm_request();
  req.mutable_timeseries(0)->mutable_labels(2)->set_name("");
  status = decode_bytes(req.SerializeAsString(), out);
  EXPECT_EQ(status.message, "remote_write: timeseries 0: label 2 has an empty name");

  req = dcgm_request();
  req.mutable_timeseries(0)->mutable_labels(3)->set_name("block");
  status = decode_bytes(req.SerializeAsString(), out);
  EXPECT_EQ(status.message, "remote_write: timeseries 0: label 'block' appears twice");
}

}  // namespace
}  // namespace blockhealth::wire
