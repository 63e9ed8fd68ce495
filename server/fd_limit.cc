#include "server/fd_limit.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace blockhealth::server {

std::size_t raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlim_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      spdlog::info("open files limit raised from {} to {} (the hard limit)", before,
                   limit.rlim_cur);
    } else {
      spdlog::warn("open files limit stays {}: cannot raise it to {}: {}", before, limit.rlim_max,
                   std::strerror(errno));
      limit.rlim_cur = before;
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20
                                         : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t connections_that_fit(std::size_t wanted, std::size_t open_files) {
  return std::max<std::size_t>(16, std::min(wanted, open_files / 2));
}

}  // namespace blockhealth::server
