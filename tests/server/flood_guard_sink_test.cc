// The flood guard in front of the log: repeats of one text and floods of
// many texts are counted and summarised, not written.
#include "server/flood_guard_sink.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace blockhealth::server {
namespace {

using namespace std::chrono_literals;

class FloodGuard : public ::testing::Test {
 protected:
  void make(FloodLimits limits) {
    auto out = std::make_shared<spdlog::sinks::ostream_sink_st>(text_);
    out->set_pattern("%l %v");
    sink_ = std::make_shared<FloodGuardSink>(out, limits);
  }
  void log(const std::string& text, spdlog::log_clock::duration after,
           spdlog::level::level_enum level = spdlog::level::warn) {
    spdlog::details::log_msg msg(start_ + after, spdlog::source_loc{}, "t", level, text);
    sink_->log(msg);
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(text_.str());
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  std::ostringstream text_;
  std::shared_ptr<FloodGuardSink> sink_;
  const spdlog::log_clock::time_point start_ = spdlog::log_clock::now();
};

TEST_F(FloodGuard, RepeatsOfOneTextAreCountedAndSummarisedWhenTheWindowEnds) {
  make({10s, 3, 2000});
  for (int i = 0; i < 20; ++i) log("accept failed: Too many open files", 1ms * i);
  log("other", 2s);
  EXPECT_EQ(lines(), (std::vector<std::string>{"warning accept failed: Too many open files",
                                               "warning accept failed: Too many open files",
                                               "warning accept failed: Too many open files",
                                               "warning other"}));
  log("after the window", 11s);
  const auto all = lines();
  ASSERT_EQ(all.size(), 6U);
  EXPECT_EQ(all[4],
            "warning accept failed: Too many open files [repeated 17 more times in the last 10s]");
  EXPECT_EQ(all[5], "warning after the window");
  // A new window writes the text again.
  log("accept failed: Too many open files", 12s);
  EXPECT_EQ(lines().back(), "warning accept failed: Too many open files");
}

TEST_F(FloodGuard, ManyDistinctTextsAreCappedInTotal) {
  make({10s, 5, 4});
  for (int i = 0; i < 10; ++i) log("probe of instance " + std::to_string(i) + " failed", 1ms * i);
  EXPECT_EQ(lines().size(), 4U);
  log("next window", 10s, spdlog::level::info);
  const auto all = lines();
  ASSERT_EQ(all.size(), 6U);
  EXPECT_EQ(all[4], "warning [6 log messages dropped in the last 10s: over 4 per 10s]");
  EXPECT_EQ(all[5], "info next window");
}

TEST_F(FloodGuard, QuietLogsPassUnchanged) {
  make({});
  log("one", 0s, spdlog::level::info);
  log("two", 1s, spdlog::level::err);
  log("one", 2s, spdlog::level::info);
  EXPECT_EQ(lines(), (std::vector<std::string>{"info one", "error two", "info one"}));
}

}  // namespace
}  // namespace blockhealth::server
