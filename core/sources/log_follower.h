// LogFollower: follows one log file like `tail -F`, one synchronous check()
// at a time; LogSource (log_source.h) decides when to check.
//
// - First look: an existing file is followed from its end (old lines are
//   not news); a file that does not exist yet is read from its beginning
//   once it appears (all of it is new).
// - Rename and recreate (logrotate's default): the rest of the renamed file
//   is read through the still-open descriptor, then the new file at the
//   path is followed from its beginning.
// - copytruncate: a file shorter than the position read so far was
//   truncated; it is read again from its beginning. (A file truncated and
//   refilled past the old position between two checks cannot be told from
//   one that grew; its new start is then missed, as with tail -F.)
// - Deleted: lines written to the open descriptor are still read; the path
//   is watched for a new file.
// - Partial last lines, over-long lines and invalid UTF-8: see
//   LineAssembler.
//
// Not thread-safe: one thread (strand) at a time.
#ifndef BLOCKHEALTH_CORE_SOURCES_LOG_FOLLOWER_H
#define BLOCKHEALTH_CORE_SOURCES_LOG_FOLLOWER_H

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/sources/line_assembler.h"
#include "core/sources/source_options.h"

namespace blockhealth {

struct LogCheck {
  std::vector<std::string> lines;  // new complete lines, oldest first
  bool more = false;  // stopped at max_read_per_check with bytes left: check again soon
  bool ok = true;     // the file is open and readable
  // Why not ok ("no such file (waiting for it to appear)", "cannot open:
  // Permission denied"), or what happened ("rotated", "truncated"), or "".
  std::string note;
};

class LogFollower {
 public:
  LogFollower(std::filesystem::path path, const SourceOptions& options);
  ~LogFollower();
  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;

  // The first look: opens the file if it exists and moves to its end. Call
  // once, before check(). Returns the state (its lines are always empty).
  LogCheck prime();

  // Reads what was appended since the last check, follows rotation and
  // truncation, and flushes a partial line held longer than
  // options.partial_line_timeout. `now_ms`: monotonic milliseconds.
  LogCheck check(std::int64_t now_ms);

  const std::filesystem::path& path() const { return path_; }
  std::uint64_t position() const { return static_cast<std::uint64_t>(offset_); }
  bool has_partial_line() const { return assembler_.has_partial(); }

 private:
  enum class OpenAt { kStart, kEnd };
  // Opens path_, replacing the current descriptor. False (note set) when it
  // cannot be opened.
  bool open_path(OpenAt at, LogCheck& result);
  // Reads from the descriptor into the assembler up to `budget` bytes.
  void read_available(std::int64_t now_ms, std::size_t& budget, LogCheck& result);
  void close_fd();

  const std::filesystem::path path_;
  const SourceOptions options_;
  LineAssembler assembler_;
  int fd_ = -1;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t offset_ = 0;
  bool primed_ = false;
  std::vector<char> buffer_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_LOG_FOLLOWER_H
