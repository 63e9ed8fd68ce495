// FloodGuardSink: an spdlog sink in front of the real one that keeps a
// misbehaving peer, plugin or instance from filling the disk with logs.
//
// Rules, per window of `window` (10 s):
//   - one message text (its level and payload) is written at most
//     `per_message` times; later copies are counted, and when the window
//     ends the next message first writes
//     "<text> [repeated N more times in the last 10s]";
//   - all messages together are written at most `total` times; the rest are
//     counted, and "[N log messages dropped in the last 10s: over 2000 per
//     10s]" is written when the window ends.
// Errors and above count against the limits like the rest. Thread-safe
// (spdlog's base_sink mutex).
#ifndef BLOCKHEALTH_SERVER_FLOOD_GUARD_SINK_H
#define BLOCKHEALTH_SERVER_FLOOD_GUARD_SINK_H

#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace blockhealth::server {

struct FloodLimits {
  std::chrono::milliseconds window{10'000};
  std::size_t per_message = 5;
  std::size_t total = 2000;
};

class FloodGuardSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  FloodGuardSink(std::shared_ptr<spdlog::sinks::sink> out, FloodLimits limits = {});

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;
  // The formatter is the wrapped sink's.
  void set_pattern_(const std::string& pattern) override;
  void set_formatter_(std::unique_ptr<spdlog::formatter> formatter) override;

 private:
  struct Seen {
    std::size_t written = 0;
    std::size_t suppressed = 0;
    spdlog::level::level_enum level = spdlog::level::info;
  };
  // Ends the window when it is over: writes the summaries, starts anew.
  void roll(spdlog::log_clock::time_point now);
  void write(spdlog::level::level_enum level, const std::string& text,
             spdlog::log_clock::time_point at);

  std::shared_ptr<spdlog::sinks::sink> out_;
  FloodLimits limits_;
  spdlog::log_clock::time_point window_start_{};
  std::size_t written_ = 0;
  std::size_t dropped_ = 0;
  std::unordered_map<std::string, Seen> seen_;  // this window's texts
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_FLOOD_GUARD_SINK_H
