#include "core/observations/instance_record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "core/util/text.h"

namespace blockhealth {
namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

MetricSample sample(std::string name, double value, std::vector<Label> labels = {},
                    std::int64_t timestamp_ms = 0) {
  MetricSample s;
  s.name = std::move(name);
  s.value = value;
  s.labels = std::move(labels);
  s.timestamp_ms = timestamp_ms;
  return s;
}

// The same series: name and label set, label order ignored.
bool same_series(const MetricSample& a, const MetricSample& b) {
  if (a.name != b.name || a.labels.size() != b.labels.size()) return false;
  auto sorted = [](std::vector<Label> l) {
    std::sort(l.begin(), l.end(), [](const Label& x, const Label& y) { return x.name < y.name; });
    return l;
  };
  return sorted(a.labels) == sorted(b.labels);
}

const MetricSample* find(const InstanceObservations& obs, const std::string& name,
                         const std::vector<Label>& labels = {}) {
  for (const MetricSample& s : obs.samples) {
    if (same_series(s, sample(name, 0, labels))) return &s;
  }
  return nullptr;
}

class InstanceRecordTest : public ::testing::Test {
 protected:
  InstanceRecord record_{{"blk", "inst"}, ObservationLimits{}};
};

TEST(SeriesIdentity, IgnoresLabelOrderButNotNamesOrValues) {
  const auto ab = sample("m", 0, {{"a", "1"}, {"b", "2"}});
  const auto ba = sample("m", 0, {{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(ObservationFrame::series_hash(ab), ObservationFrame::series_hash(ba));
  ObservationFrame frame("blk", "inst");
  frame.append_sample(ab, ObservationFrame::series_hash(ab), 1);
  EXPECT_EQ(frame.find_series(ba, ObservationFrame::series_hash(ba)), 0);
  for (const MetricSample& other :
       {sample("m", 0, {{"a", "1"}, {"b", "3"}}), sample("n", 0, {{"a", "1"}, {"b", "2"}}),
        sample("m", 0, {{"a", "1"}}), sample("m", 0, {{"a", "1"}, {"b", "2"}, {"c", ""}})}) {
    EXPECT_EQ(frame.find_series(other, ObservationFrame::series_hash(other)), -1) << other.name;
  }
}

TEST(SeriesIdentity, AValueCannotImitateASecondLabelNorACollisionMerge) {
  const auto one = sample("m", 0, {{"a", std::string("1\x1f") + "b\x1e" + "1:2"}});
  const auto two = sample("m", 0, {{"a", "1"}, {"b", "2"}});
  ObservationFrame frame("blk", "inst");
  frame.append_sample(one, ObservationFrame::series_hash(one), 1);
  EXPECT_EQ(frame.find_series(two, ObservationFrame::series_hash(two)), -1);
  // Even under the same hash, a different series is not found: the labels
  // are compared.
  EXPECT_EQ(frame.find_series(two, ObservationFrame::series_hash(one)), -1);
}

TEST_F(InstanceRecordTest, StartsEmptyAndNeverSeen) {
  const auto snap = record_.snapshot();
  EXPECT_EQ(snap->block_id, "blk");
  EXPECT_EQ(snap->instance_id, "inst");
  EXPECT_TRUE(snap->samples.empty());
  EXPECT_TRUE(snap->logs.empty());
  EXPECT_FALSE(snap->probe.has_value());
  EXPECT_EQ(snap->last_seen_ms, 0);
  EXPECT_EQ(snap->last_request_ms, 0);
  EXPECT_EQ(record_.last_seen_cell()->load(), 0);
}

TEST_F(InstanceRecordTest, MergeReplacesTheSampleOfTheSameSeriesWhateverTheLabelOrder) {
  const std::vector<MetricSample> first = {sample("temp", 70, {{"gpu", "0"}, {"uuid", "A"}}),
                                           sample("temp", 71, {{"gpu", "1"}, {"uuid", "B"}})};
  ASSERT_TRUE(record_.merge_samples(first, kNow));
  const std::vector<MetricSample> second = {sample("temp", 90, {{"uuid", "A"}, {"gpu", "0"}})};
  ASSERT_TRUE(record_.merge_samples(second, kNow + 1));
  const auto snap = record_.snapshot();
  ASSERT_EQ(snap->samples.size(), 2U);
  EXPECT_EQ(find(*snap, "temp", {{"gpu", "0"}, {"uuid", "A"}})->value, 90);
  EXPECT_EQ(find(*snap, "temp", {{"gpu", "1"}, {"uuid", "B"}})->value, 71);
}

TEST_F(InstanceRecordTest, MergeStampsSamplesWithoutATimestampAndKeepsGivenOnes) {
  const std::vector<MetricSample> in = {sample("a", 1), sample("b", 2, {}, 1234)};
  ASSERT_TRUE(record_.merge_samples(in, kNow));
  const auto snap = record_.snapshot();
  EXPECT_EQ(find(*snap, "a")->timestamp_ms, kNow);
  EXPECT_EQ(find(*snap, "b")->timestamp_ms, 1234);
  EXPECT_EQ(snap->last_seen_ms, kNow);
}

TEST_F(InstanceRecordTest, MergeOverTheSeriesLimitIsRefusedWholeAndChangesNothing) {
  ObservationLimits limits;
  limits.max_series = 3;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> two = {sample("a", 1), sample("b", 2)};
  ASSERT_TRUE(record.merge_samples(two, kNow));
  const auto before = record.snapshot();
  const std::uint64_t generation = record.generation();
  // One update of a known series plus two new ones: 4 series, one too many.
  const std::vector<MetricSample> batch = {sample("a", 10), sample("c", 3), sample("d", 4)};
  auto r = record.merge_samples(batch, kNow + 5);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "instance blk/inst would have 4 series; at most 3 are kept");
  const auto after = record.snapshot();
  EXPECT_EQ(record.generation(), generation);  // not even marked changed
  EXPECT_EQ(find(*after, "a")->value, 1);
  EXPECT_EQ(after->samples.size(), 2U);
  EXPECT_EQ(record.last_seen_cell()->load(), kNow);  // a refused push is not a sign of life
}

TEST_F(InstanceRecordTest, MergeAtTheSeriesLimitStillUpdatesKnownSeries) {
  ObservationLimits limits;
  limits.max_series = 2;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> two = {sample("a", 1), sample("b", 2)};
  ASSERT_TRUE(record.merge_samples(two, kNow));
  const std::vector<MetricSample> update = {sample("a", 5), sample("b", 6)};
  ASSERT_TRUE(record.merge_samples(update, kNow));
  EXPECT_EQ(find(*record.snapshot(), "b")->value, 6);
}

TEST_F(InstanceRecordTest, MergeCountsARepeatedNewSeriesOnceAndKeepsItsLastSample) {
  ObservationLimits limits;
  limits.max_series = 1;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> batch = {sample("a", 1), sample("a", 2)};
  ASSERT_TRUE(record.merge_samples(batch, kNow));
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->samples.size(), 1U);
  EXPECT_EQ(snap->samples[0].value, 2);
}

TEST_F(InstanceRecordTest, MergeRefusesASampleWithTooManyLabels) {
  ObservationLimits limits;
  limits.max_labels_per_sample = 2;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> batch = {sample("ok", 1),
                                           sample("wide", 1, {{"a", "1"}, {"b", "2"}, {"c", "3"}})};
  auto r = record.merge_samples(batch, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "metric wide has 3 labels; at most 2 are accepted");
  EXPECT_TRUE(record.snapshot()->samples.empty());
  auto replaced = record.replace_samples(batch, kNow);
  ASSERT_FALSE(replaced);
  EXPECT_EQ(replaced.error().message, "metric wide has 3 labels; at most 2 are accepted");
}

TEST_F(InstanceRecordTest, LongOrInvalidNamesAndValuesAreSanitizedAndCut) {
  ObservationLimits limits;
  limits.max_string_bytes = 8;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> batch = {
      sample("a_very_long_metric_name", 1, {{"label", "bad\xFFvalue_that_is_long"}})};
  ASSERT_TRUE(record.merge_samples(batch, kNow));
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->samples.size(), 1U);
  const MetricSample& s = snap->samples[0];
  EXPECT_LE(s.name.size(), 8U);
  EXPECT_EQ(s.name, "a_ver\xE2\x80\xA6");
  ASSERT_EQ(s.labels.size(), 1U);
  EXPECT_LE(s.labels[0].value.size(), 8U);
  EXPECT_TRUE(is_valid_utf8(s.labels[0].value));
}

TEST_F(InstanceRecordTest, ReplaceIsAFullPictureAndTheLastSampleOfASeriesWins) {
  const std::vector<MetricSample> old = {sample("a", 1), sample("b", 2)};
  ASSERT_TRUE(record_.merge_samples(old, kNow));
  const std::vector<MetricSample> scrape = {sample("c", 3), sample("c", 4), sample("a", 5)};
  ASSERT_TRUE(record_.replace_samples(scrape, kNow + 10));
  const auto snap = record_.snapshot();
  ASSERT_EQ(snap->samples.size(), 2U);
  EXPECT_EQ(find(*snap, "b"), nullptr);
  EXPECT_EQ(find(*snap, "c")->value, 4);
  EXPECT_EQ(find(*snap, "a")->value, 5);
  EXPECT_EQ(snap->last_seen_ms, kNow + 10);
  // The series index follows the replacement: a later merge updates in place.
  const std::vector<MetricSample> update = {sample("c", 9)};
  ASSERT_TRUE(record_.merge_samples(update, kNow + 20));
  EXPECT_EQ(record_.snapshot()->samples.size(), 2U);
  EXPECT_EQ(find(*record_.snapshot(), "c")->value, 9);
}

TEST_F(InstanceRecordTest, ReplaceOverTheSeriesLimitKeepsTheOldSamples) {
  ObservationLimits limits;
  limits.max_series = 2;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<MetricSample> old = {sample("a", 1)};
  ASSERT_TRUE(record.replace_samples(old, kNow));
  const std::vector<MetricSample> big = {sample("x", 1), sample("y", 2), sample("z", 3)};
  auto r = record.replace_samples(big, kNow + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "instance blk/inst sent 3 series; at most 2 are kept");
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->samples.size(), 1U);
  EXPECT_EQ(snap->samples[0].name, "a");
  EXPECT_EQ(snap->last_seen_ms, kNow);
}

TEST_F(InstanceRecordTest, ClearSamplesKeepsLogsAndLastSeen) {
  const std::vector<MetricSample> s = {sample("a", 1)};
  ASSERT_TRUE(record_.merge_samples(s, kNow));
  const std::vector<std::string> lines = {"hello"};
  record_.append_logs(lines, kNow + 1);
  record_.clear_samples();
  const auto snap = record_.snapshot();
  EXPECT_TRUE(snap->samples.empty());
  ASSERT_EQ(snap->logs.size(), 1U);
  EXPECT_EQ(snap->last_seen_ms, kNow + 1);
  // Series are forgotten too: the limit counts from zero again.
  const std::vector<MetricSample> again = {sample("a", 2)};
  ASSERT_TRUE(record_.merge_samples(again, kNow + 2));
  EXPECT_EQ(record_.snapshot()->samples.size(), 1U);
}

TEST_F(InstanceRecordTest, LogsAreARingThatDropsTheOldestLinesFirst) {
  ObservationLimits limits;
  limits.max_log_lines = 3;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<std::string> first = {"1", "2"};
  record.append_logs(first, kNow);
  const std::vector<std::string> second = {"3", "4"};
  record.append_logs(second, kNow + 5);
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->logs.size(), 3U);
  EXPECT_EQ(snap->logs[0].text, "2");
  EXPECT_EQ(snap->logs[0].time_ms, kNow);
  EXPECT_EQ(snap->logs[2].text, "4");
  EXPECT_EQ(snap->logs[2].time_ms, kNow + 5);
  EXPECT_EQ(snap->last_seen_ms, kNow + 5);
}

TEST_F(InstanceRecordTest, ABatchLargerThanTheRingKeepsItsNewestLines) {
  ObservationLimits limits;
  limits.max_log_lines = 2;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<std::string> lines = {"a", "b", "c", "d", "e"};
  record.append_logs(lines, kNow);
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->logs.size(), 2U);
  EXPECT_EQ(snap->logs[0].text, "d");
  EXPECT_EQ(snap->logs[1].text, "e");
}

TEST_F(InstanceRecordTest, ARingOfZeroKeepsNoLinesButCountsAsHeardFrom) {
  ObservationLimits limits;
  limits.max_log_lines = 0;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<std::string> lines = {"a", "b"};
  record.append_logs(lines, kNow);
  const auto snap = record.snapshot();
  EXPECT_TRUE(snap->logs.empty());
  EXPECT_EQ(snap->last_seen_ms, kNow);
}

TEST_F(InstanceRecordTest, LogLinesAreMadeValidUtf8AndCut) {
  ObservationLimits limits;
  limits.max_log_line_bytes = 10;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<std::string> lines = {"bad\xC3(byte", std::string(100, 'x'),
                                          std::string("nul\0here", 8)};
  record.append_logs(lines, kNow);
  const auto snap = record.snapshot();
  ASSERT_EQ(snap->logs.size(), 3U);
  for (const LogLine& l : snap->logs) {
    EXPECT_TRUE(is_valid_utf8(l.text)) << l.text;
    EXPECT_LE(l.text.size(), 10U);
  }
  EXPECT_EQ(snap->logs[1].text, std::string(7, 'x') + "\xE2\x80\xA6");
  EXPECT_EQ(snap->logs[2].text.find('\0'), std::string::npos);
}

TEST_F(InstanceRecordTest, SetLimitsShrinksTheLogRing) {
  const std::vector<std::string> lines = {"a", "b", "c"};
  record_.append_logs(lines, kNow);
  ObservationLimits limits;
  limits.max_log_lines = 1;
  record_.set_limits(limits);
  const auto snap = record_.snapshot();
  ASSERT_EQ(snap->logs.size(), 1U);
  EXPECT_EQ(snap->logs[0].text, "c");
}

TEST_F(InstanceRecordTest, ProbeIsKeptWithItsBodyCutAndCountsAsSeenAtItsTime) {
  ObservationLimits limits;
  limits.max_probe_body_bytes = 4;
  InstanceRecord record({"blk", "inst"}, limits);
  ProbeResult probe;
  probe.outcome = 1;
  probe.http_status = 503;
  probe.time_ms = kNow + 7;
  probe.url = "http://127.0.0.1:1/health";
  probe.body = "overloaded";
  record.record_probe(probe);
  const auto snap = record.snapshot();
  ASSERT_TRUE(snap->probe.has_value());
  EXPECT_EQ(snap->probe->http_status, 503);
  EXPECT_EQ(snap->probe->body, "over");
  EXPECT_EQ(snap->probe->url, "http://127.0.0.1:1/health");
  EXPECT_EQ(snap->last_seen_ms, kNow + 7);
}

TEST_F(InstanceRecordTest, LastRequestOnlyMovesForward) {
  record_.record_request(kNow);
  record_.record_request(kNow - 100);
  EXPECT_EQ(record_.snapshot()->last_request_ms, kNow);
  record_.record_request(kNow + 100);
  EXPECT_EQ(record_.snapshot()->last_request_ms, kNow + 100);
  // A request time is not an observation of the instance by itself.
  EXPECT_EQ(record_.snapshot()->last_seen_ms, 0);
}

TEST_F(InstanceRecordTest, TouchIsMonotoneAndVisibleThroughTheSharedCell) {
  const LastSeenCellConstSharedPtr cell = record_.last_seen_cell();
  record_.touch(kNow);
  EXPECT_EQ(cell->load(), kNow);
  record_.touch(kNow - 1000);
  EXPECT_EQ(cell->load(), kNow);
  EXPECT_EQ(record_.snapshot()->last_seen_ms, kNow);
  record_.touch(kNow + 1000);
  EXPECT_EQ(cell->load(), kNow + 1000);
  EXPECT_EQ(record_.snapshot()->last_seen_ms, kNow + 1000);
}

TEST_F(InstanceRecordTest, FrameAndGenerationMoveOnlyWhenSomethingChanges) {
  // Nothing stored yet: an empty frame of this instance each time.
  const auto a = record_.frame();
  EXPECT_STREQ(a->abi()->block_id, "blk");
  EXPECT_STREQ(a->abi()->instance_id, "inst");
  EXPECT_EQ(a->abi()->sample_count, 0U);
  EXPECT_EQ(a->abi()->log_count, 0U);
  EXPECT_EQ(a->abi()->probe, nullptr);
  const std::uint64_t g0 = record_.generation();
  record_.touch(kNow);
  EXPECT_GT(record_.generation(), g0);
  const auto b = record_.frame();
  EXPECT_NE(b, a);  // `a` is still held: the new frame is another object
  EXPECT_EQ(b->abi()->last_seen_ms, kNow);
  EXPECT_EQ(a->abi()->last_seen_ms, 0);  // a held frame never changes
  EXPECT_EQ(record_.frame(), b);
  const std::uint64_t g1 = record_.generation();
  record_.touch(kNow - 1);  // no change
  record_.clear_samples();  // nothing to clear: no change
  EXPECT_EQ(record_.generation(), g1);
  EXPECT_EQ(record_.frame(), b);
  const std::vector<MetricSample> s = {sample("a", 1)};
  ASSERT_TRUE(record_.merge_samples(s, kNow));
  const auto c = record_.frame();
  EXPECT_NE(c, b);
  ASSERT_EQ(c->abi()->sample_count, 1U);
  EXPECT_STREQ(c->abi()->samples[0].name, "a");
  EXPECT_EQ(b->abi()->sample_count, 0U);
  record_.record_request(kNow);
  EXPECT_GT(record_.generation(), g1 + 1);
  EXPECT_EQ(record_.frame()->abi()->last_request_ms, kNow);
}

TEST_F(InstanceRecordTest, AFrameNobodyHoldsIsRebuiltInPlace) {
  // The frame exists from the first observation; later ones change it in place.
  const std::vector<MetricSample> s = {sample("a", 1)};
  ASSERT_TRUE(record_.merge_samples(s, kNow));
  const ObservationFrame* first = record_.frame().get();
  const std::vector<MetricSample> t = {sample("b", 2)};
  ASSERT_TRUE(record_.merge_samples(t, kNow + 1));
  const auto again = record_.frame();
  EXPECT_EQ(again.get(), first);  // the same object, its buffers reused
  EXPECT_EQ(again->abi()->sample_count, 2U);
}

TEST_F(InstanceRecordTest, FrameStringsPointIntoTheFrameAndLogsAreOldestFirst) {
  ObservationLimits limits;
  limits.max_log_lines = 3;
  InstanceRecord record({"blk", "inst"}, limits);
  const std::vector<std::string> lines = {"one", "two", "three", "four", "five"};
  record.append_logs(std::span(lines).subspan(0, 2), kNow);
  record.append_logs(std::span(lines).subspan(2), kNow + 1);
  const auto frame = record.frame();
  const bh_instance& in = *frame->abi();
  EXPECT_STREQ(in.block_id, "blk");
  EXPECT_STREQ(in.instance_id, "inst");
  ASSERT_EQ(in.log_count, 3U);
  EXPECT_STREQ(in.log_lines[0].text, "three");
  EXPECT_STREQ(in.log_lines[2].text, "five");
  EXPECT_EQ(record.snapshot()->logs.front().text, "three");
  // A smaller ring keeps the newest lines, still oldest first.
  limits.max_log_lines = 2;
  record.set_limits(limits);
  EXPECT_STREQ(record.frame()->abi()->log_lines[0].text, "four");
}

TEST_F(InstanceRecordTest, SourceStatusesAreSortedReplacedAndCleared) {
  SourceStatus metrics{"metrics", "http://h:9400/metrics", true, "", kNow, kNow};
  SourceStatus health{"health", "http://h:18001/health", false, "connection refused", kNow, 0};
  record_.set_source_status(metrics);
  record_.set_source_status(health);
  auto statuses = record_.source_statuses();
  ASSERT_EQ(statuses.size(), 2U);
  EXPECT_EQ(statuses[0], health);
  EXPECT_EQ(statuses[1], metrics);

  health.ok = true;
  health.message = "";
  health.last_success_ms = kNow + 5;
  record_.set_source_status(health);
  statuses = record_.source_statuses();
  ASSERT_EQ(statuses.size(), 2U);
  EXPECT_EQ(statuses[0], health);

  record_.clear_source_status("metrics");
  statuses = record_.source_statuses();
  ASSERT_EQ(statuses.size(), 1U);
  EXPECT_EQ(statuses[0].source, "health");
  record_.clear_source_status("absent");
  EXPECT_EQ(record_.source_statuses().size(), 1U);
  // A source's status is not an observation of the instance.
  EXPECT_EQ(record_.last_seen_cell()->load(), 0);
}

TEST_F(InstanceRecordTest, ConcurrentWritersAndReadersSeeConsistentSnapshots) {
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      const auto snap = record_.snapshot();
      // Every writer updates the one series "n".
      EXPECT_LE(snap->samples.size(), 1U);
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 300; ++i) {
        const std::vector<MetricSample> s = {sample("n", i)};
        ASSERT_TRUE(record_.merge_samples(s, kNow + i));
        const std::vector<std::string> lines = {"w" + std::to_string(w)};
        record_.append_logs(lines, kNow + i);
      }
    });
  }
  for (auto& t : writers) t.join();
  stop = true;
  reader.join();
  const auto snap = record_.snapshot();
  EXPECT_EQ(snap->samples.size(), 1U);
  EXPECT_EQ(snap->logs.size(), 900U);
  EXPECT_EQ(snap->last_seen_ms, kNow + 299);
}

}  // namespace
}  // namespace blockhealth
