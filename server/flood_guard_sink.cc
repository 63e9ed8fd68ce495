#include "server/flood_guard_sink.h"

#include <spdlog/details/log_msg.h>

namespace blockhealth::server {
namespace {

// Distinct texts remembered per window; past it the window's counts start
// over early (bounded memory under a flood of distinct messages).
constexpr std::size_t kMaxTexts = 10'000;

std::string seconds_text(std::chrono::milliseconds window) {
  return std::to_string(window.count() / 1000) + "s";
}

}  // namespace

FloodGuardSink::FloodGuardSink(std::shared_ptr<spdlog::sinks::sink> out, FloodLimits limits)
    : out_(std::move(out)), limits_(limits) {}

void FloodGuardSink::write(spdlog::level::level_enum level, const std::string& text,
                           spdlog::log_clock::time_point at) {
  spdlog::details::log_msg msg(at, spdlog::source_loc{}, "blockhealthd", level, text);
  out_->log(msg);
}

void FloodGuardSink::roll(spdlog::log_clock::time_point now) {
  if (now - window_start_ < limits_.window && seen_.size() < kMaxTexts) return;
  const std::string window = seconds_text(limits_.window);
  for (const auto& [text, seen] : seen_) {
    if (seen.suppressed == 0) continue;
    std::string line = text;
    line += " [repeated ";
    line += std::to_string(seen.suppressed);
    line += " more times in the last ";
    line += window;
    line += "]";
    write(seen.level, line, now);
  }
  if (dropped_ > 0) {
    write(spdlog::level::warn,
          "[" + std::to_string(dropped_) + " log messages dropped in the last " + window +
              ": over " + std::to_string(limits_.total) + " per " + window + "]",
          now);
  }
  seen_.clear();
  written_ = 0;
  dropped_ = 0;
  window_start_ = now;
}

void FloodGuardSink::sink_it_(const spdlog::details::log_msg& msg) {
  roll(msg.time);
  Seen& seen = seen_[std::string(msg.payload.data(), msg.payload.size())];
  seen.level = msg.level;
  if (seen.written >= limits_.per_message) {
    ++seen.suppressed;
    return;
  }
  if (written_ >= limits_.total) {
    ++dropped_;
    return;
  }
  ++seen.written;
  ++written_;
  out_->log(msg);
}

void FloodGuardSink::flush_() {
  out_->flush();
}

void FloodGuardSink::set_pattern_(const std::string& pattern) {
  out_->set_pattern(pattern);
}

void FloodGuardSink::set_formatter_(std::unique_ptr<spdlog::formatter> formatter) {
  out_->set_formatter(std::move(formatter));
}

}  // namespace blockhealth::server
