// How a failed HTTP GET of a pull source is classified: the BH_PROBE_*
// outcome policies see, and the short human text operators read.
#ifndef BLOCKHEALTH_CORE_SOURCES_FETCH_ERROR_H
#define BLOCKHEALTH_CORE_SOURCES_FETCH_ERROR_H

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/config/byte_size.h"  // format_byte_size, used in messages

namespace blockhealth {

// Where in the exchange the error happened.
enum class FetchPhase { kResolve, kConnect, kHandshake, kWrite, kRead };

struct FetchFailure {
  std::int32_t outcome = 0;  // BH_PROBE_*, never NONE or RESPONSE
  std::string error;         // "connection refused", "timeout after 2s", ...
};

// Classifies `ec` met in `phase`. `timed_out` says the exchange's deadline
// (`timeout`) cut it short, whatever error that surfaced as; `body_limit`
// is the limit a body_limit error names. Texts:
//   timeout after 2s | name did not resolve | connection refused |
//   connection reset | connection closed before a complete response |
//   response body over 64KiB limit | malformed HTTP response: <what> |
//   TLS: <OpenSSL's reason> (BH_PROBE_TLS; a failed handshake is worded by
//   ClientStream::handshake_failure instead) |
//   <the system's message> (BH_PROBE_OTHER_ERROR).
// Pure; thread-safe.
FetchFailure classify_fetch_error(const boost::system::error_code& ec, FetchPhase phase,
                                  bool timed_out, std::chrono::milliseconds timeout,
                                  std::uint64_t body_limit);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_FETCH_ERROR_H
