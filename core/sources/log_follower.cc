#include "core/sources/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace blockhealth {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

std::string errno_text(int err) {
  return std::strerror(err);
}

}  // namespace

LogFollower::LogFollower(std::filesystem::path path, const SourceOptions& options)
    : path_(std::move(path)),
      options_(options),
      assembler_(std::max<std::size_t>(options.max_line_bytes, 16)),
      buffer_(kReadChunk) {}

LogFollower::~LogFollower() {
  close_fd();
}

void LogFollower::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool LogFollower::open_path(OpenAt at, LogCheck& result) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    result.ok = false;
    result.note = errno == ENOENT ? "no such file (waiting for it to appear)"
                                  : "cannot open: " + errno_text(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    result.ok = false;
    result.note = "cannot stat: " + errno_text(errno);
    ::close(fd);
    return false;
  }
  close_fd();
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  offset_ = at == OpenAt::kEnd ? st.st_size : 0;
  return true;
}

LogCheck LogFollower::prime() {
  LogCheck result;
  primed_ = true;
  open_path(OpenAt::kEnd, result);
  return result;
}

void LogFollower::read_available(std::int64_t now_ms, std::size_t& budget, LogCheck& result) {
  while (budget > 0) {
    const ssize_t n = ::pread(fd_, buffer_.data(), std::min(buffer_.size(), budget), offset_);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.ok = false;
      result.note = "cannot read: " + errno_text(errno);
      return;
    }
    if (n == 0) return;
    offset_ += n;
    budget -= static_cast<std::size_t>(n);
    assembler_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), now_ms,
                    result.lines);
  }
}

LogCheck LogFollower::check(std::int64_t now_ms) {
  if (!primed_) return prime();
  LogCheck result;
  std::size_t budget = std::max<std::size_t>(options_.max_read_per_check, 1);
  if (fd_ >= 0) {
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size < offset_) {  // copytruncate
      assembler_.flush(result.lines);
      offset_ = 0;
      result.note = "truncated";
    }
    read_available(now_ms, budget, result);
  }
  if (budget == 0) {
    result.more = true;
  } else {
    // At the end of the open file (or none open): is there a new file at the path?
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) {
      if (fd_ < 0) {
        result.ok = false;
        result.note = errno == ENOENT ? "no such file (waiting for it to appear)"
                                      : "cannot stat: " + errno_text(errno);
      }
      // Else renamed or deleted: keep reading the open file until one appears.
    } else if (fd_ < 0 || st.st_dev != dev_ || st.st_ino != ino_) {
      const bool rotated = fd_ >= 0;
      assembler_.flush(result.lines);  // the old file's last line will not be completed here
      if (open_path(OpenAt::kStart, result)) {
        if (rotated) result.note = "rotated";
        read_available(now_ms, budget, result);
        result.more = budget == 0;
      }
    }
  }
  assembler_.flush_if_older(now_ms, options_.partial_line_timeout.count(), result.lines);
  return result;
}

}  // namespace blockhealth
