// LineAssembler: turns the bytes appended to a log file into lines, holding
// an incomplete last line until its newline arrives (or it waits too long),
// and cutting over-long lines.
#ifndef BLOCKHEALTH_CORE_SOURCES_LINE_ASSEMBLER_H
#define BLOCKHEALTH_CORE_SOURCES_LINE_ASSEMBLER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace blockhealth {

// Lines come out as valid UTF-8 (sanitize_utf8: invalid bytes and NULs
// become U+FFFD), without their "\n" or "\r\n". Not thread-safe.
class LineAssembler {
 public:
  // REQUIRES: max_line_bytes >= 16.
  explicit LineAssembler(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Appends `bytes` read at `now_ms` (any monotonic milliseconds), pushing
  // each completed line onto `out`. A line reaching max_line_bytes without
  // a newline is pushed cut (ending with "…") and the rest of it, up to its
  // newline, is dropped.
  void feed(std::string_view bytes, std::int64_t now_ms, std::vector<std::string>& out);

  // Pushes the held partial line if it has waited at least `timeout_ms`
  // since its first byte arrived. Returns whether it did.
  bool flush_if_older(std::int64_t now_ms, std::int64_t timeout_ms, std::vector<std::string>& out);

  // Pushes the held partial line, if any (the file it came from is gone).
  void flush(std::vector<std::string>& out);

  bool has_partial() const { return !partial_.empty(); }
  // When the held partial line started (meaningful when has_partial()).
  std::int64_t partial_since_ms() const { return partial_since_ms_; }

 private:
  void emit(std::string_view line, std::vector<std::string>& out) const;

  const std::size_t max_line_bytes_;
  std::string partial_;
  std::int64_t partial_since_ms_ = 0;
  bool dropping_ = false;  // inside an over-long line, after its cut part was pushed
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_LINE_ASSEMBLER_H
