// Log files followed through the SourceManager into the instance's log
// ring, with inotify (and no backstop polling to hide a missed event) and
// with polling.
#include <gtest/gtest.h>

#include <fstream>

#include "core/util/text.h"
#include "tests/core/sources/source_harness.h"
#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Lines = std::vector<std::string>;

void append(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << bytes;
}

SourceOptions options_for(LogWatchMode mode) {
  SourceOptions o = test::fast_source_options();
  o.log_watch = mode;
  o.log_poll_interval = milliseconds(20);
  // With inotify, the backstop check is far away: lines must come by events.
  o.log_backstop_interval = milliseconds(60'000);
  o.partial_line_timeout = milliseconds(60'000);
  o.max_line_bytes = 64;
  return o;
}

class LogSourceTest : public ::testing::TestWithParam<LogWatchMode> {
 protected:
  explicit LogSourceTest(SourceOptions options)
      : harness_(std::make_unique<test::SourceHarness>(options)) {}
  LogSourceTest() : LogSourceTest(options_for(GetParam())) {}

  void follow(const fs::path& path) {
    Config config;
    BlockConfig block = test::test_block("b", milliseconds(1'000), milliseconds(1'000));
    InstanceConfig instance;
    instance.id = "i";
    instance.log_file = path;
    block.instances.push_back(instance);
    config.blocks.push_back(block);
    harness_->apply(config);
    if (GetParam() == LogWatchMode::kInotify) {
      ASSERT_EQ(harness_->manager().log_watch_mode(), "inotify");
    } else {
      ASSERT_EQ(harness_->manager().log_watch_mode(), "poll");
    }
  }

  Lines lines() const {
    Lines out;
    const auto snap = harness_->snapshot("b", "i");
    if (snap) {
      for (const LogLine& l : snap->logs) out.push_back(l.text);
    }
    return out;
  }

  bool wait_lines(const Lines& expected) {
    const bool ok = test::wait_until([&] { return lines() == expected; });
    if (!ok) {
      std::string got;
      for (const auto& l : lines()) got += "[" + l + "] ";
      ADD_FAILURE() << "log ring: " << got;
    }
    return ok;
  }

  test::TempDir dir_;
  fs::path path_ = dir_.path() / "model.log";
  std::unique_ptr<test::SourceHarness> harness_;
};

TEST_P(LogSourceTest, StartsAtTheEndOldLinesAreNotNews) {
  append(path_, "CUDA error: old, already handled\n");
  follow(path_);
  append(path_, "fresh line\n");
  wait_lines({"fresh line"});
  const auto status = harness_->status("b", "i", "logs");
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok);
  EXPECT_EQ(status->target, path_.string());
  EXPECT_GT(harness_->snapshot("b", "i")->logs[0].time_ms, 0);
}

TEST_P(LogSourceTest, FileThatAppearsLaterIsReadFromItsBeginning) {
  follow(path_);
  const auto waiting = harness_->status("b", "i", "logs");
  ASSERT_TRUE(waiting.has_value());
  EXPECT_FALSE(waiting->ok);
  EXPECT_EQ(waiting->message, "no such file (waiting for it to appear)");
  append(path_, "one\ntwo\n");
  wait_lines({"one", "two"});
  ASSERT_TRUE(test::wait_until([&] { return harness_->status("b", "i", "logs")->ok; }));
}

TEST_P(LogSourceTest, RenameAndRecreateRotation) {
  append(path_, "");
  follow(path_);
  append(path_, "a\n");
  wait_lines({"a"});
  fs::rename(path_, dir_.path() / "model.log.1");
  append(dir_.path() / "model.log.1", "b\n");
  append(path_, "c\n");
  wait_lines({"a", "b", "c"});
  append(path_, "d\n");
  wait_lines({"a", "b", "c", "d"});
}

TEST_P(LogSourceTest, CopyTruncateRotation) {
  append(path_, "");
  follow(path_);
  append(path_, "a long enough line before the copy\n");
  wait_lines({"a long enough line before the copy"});
  fs::copy_file(path_, dir_.path() / "model.log.1");
  fs::resize_file(path_, 0);
  append(path_, "after\n");
  wait_lines({"a long enough line before the copy", "after"});
}

TEST_P(LogSourceTest, TruncationThenMoreLines) {
  append(path_, "");
  follow(path_);
  append(path_, "0123456789 0123456789\n");
  wait_lines({"0123456789 0123456789"});
  fs::resize_file(path_, 0);
  append(path_, "x\n");
  wait_lines({"0123456789 0123456789", "x"});
  append(path_, "y\n");
  wait_lines({"0123456789 0123456789", "x", "y"});
}

TEST_P(LogSourceTest, LineSplitAcrossTwoWrites) {
  append(path_, "");
  follow(path_);
  append(path_, "marker\nhello wo");
  wait_lines({"marker"});  // the first write (with its partial line) has been read
  append(path_, "rld\n");
  wait_lines({"marker", "hello world"});
}

TEST_P(LogSourceTest, VeryLongLineIsCutAndFollowingContinues) {
  append(path_, "");
  follow(path_);
  append(path_, std::string(1'000'000, 'z') + "\nnext\n");
  ASSERT_TRUE(test::wait_until([&] { return lines().size() == 2; }));
  const Lines got = lines();
  EXPECT_LE(got[0].size(), 64u);
  EXPECT_TRUE(got[0].starts_with("zzzz"));
  EXPECT_TRUE(got[0].ends_with("…"));
  EXPECT_EQ(got[1], "next");
}

TEST_P(LogSourceTest, BinaryGarbageIsSanitized) {
  append(path_, "");
  follow(path_);
  append(path_, std::string("\x00\x01\xff\xfe binary \xc0\xaf\n", 15));
  ASSERT_TRUE(test::wait_until([&] { return lines().size() == 1; }));
  const std::string line = lines()[0];
  EXPECT_TRUE(is_valid_utf8(line));
  EXPECT_NE(line.find(" binary "), std::string::npos);
  EXPECT_NE(line.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST_P(LogSourceTest, RingIsBounded) {
  append(path_, "");
  Config config;
  BlockConfig block = test::test_block("b", milliseconds(1'000), milliseconds(1'000));
  block.settings.log_lines = 3;
  InstanceConfig instance;
  instance.id = "i";
  instance.log_file = path_;
  block.instances.push_back(instance);
  config.blocks.push_back(block);
  harness_->apply(config);
  append(path_, "1\n2\n3\n4\n5\n");
  wait_lines({"3", "4", "5"});
}

TEST_P(LogSourceTest, RemovedFromConfigStopsFollowingAndForgetsStatus) {
  append(path_, "");
  follow(path_);
  append(path_, "seen\n");
  wait_lines({"seen"});
  Config config;
  BlockConfig block = test::test_block("b", milliseconds(1'000), milliseconds(1'000));
  InstanceConfig instance;
  instance.id = "i";
  block.instances.push_back(instance);
  config.blocks.push_back(block);
  harness_->apply(config);
  EXPECT_FALSE(harness_->status("b", "i", "logs").has_value());
  EXPECT_EQ(harness_->manager().stats().log_files, 0u);
}

INSTANTIATE_TEST_SUITE_P(Watch, LogSourceTest,
                         ::testing::Values(LogWatchMode::kInotify, LogWatchMode::kPoll),
                         [](const auto& info) {
                           return info.param == LogWatchMode::kInotify ? "Inotify" : "Poll";
                         });

class PartialLineTimeoutTest : public LogSourceTest {
 protected:
  PartialLineTimeoutTest() : LogSourceTest(short_partial_timeout(GetParam())) {}
  static SourceOptions short_partial_timeout(LogWatchMode mode) {
    SourceOptions o = options_for(mode);
    o.partial_line_timeout = milliseconds(100);
    return o;
  }
};

TEST_P(PartialLineTimeoutTest, IncompleteLineIsTakenAfterAWhile) {
  append(path_, "");
  follow(path_);
  append(path_, "a line the writer never finished");
  wait_lines({"a line the writer never finished"});
}

INSTANTIATE_TEST_SUITE_P(Watch, PartialLineTimeoutTest,
                         ::testing::Values(LogWatchMode::kInotify, LogWatchMode::kPoll),
                         [](const auto& info) {
                           return info.param == LogWatchMode::kInotify ? "Inotify" : "Poll";
                         });

}  // namespace
}  // namespace blockhealth
