// The process's open-files limit: raised to the hard limit at start, so
// that connections, pull sockets, log files and the state store fit; and
// what share of it connections may take.
#ifndef BLOCKHEALTH_SERVER_FD_LIMIT_H
#define BLOCKHEALTH_SERVER_FD_LIMIT_H

#include <cstddef>

namespace blockhealth::server {

// Raises RLIMIT_NOFILE's soft limit to its hard limit (logged when it
// moves, warned when it cannot). Returns the soft limit in force after.
std::size_t raise_open_files_limit();

// `wanted` connections, or at most half of `open_files` (the other half
// for pull sockets, log files, plugins and the state store), and at least 16.
std::size_t connections_that_fit(std::size_t wanted, std::size_t open_files);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_FD_LIMIT_H
