#include "core/sources/fetch_error.h"

#include <blockhealth/policy_abi.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

#include "core/config/byte_size.h"
#include "core/config/duration.h"

namespace blockhealth {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;

bool is_resolve_failure(const boost::system::error_code& ec) {
  return ec == net::error::host_not_found || ec == net::error::host_not_found_try_again ||
         ec == net::error::no_data || ec == net::error::no_recovery ||
         ec.category() == net::error::get_addrinfo_category();
}

bool is_reset(const boost::system::error_code& ec) {
  return ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe;
}

}  // namespace

FetchFailure classify_fetch_error(const boost::system::error_code& ec, FetchPhase phase,
                                  bool timed_out, std::chrono::milliseconds timeout,
                                  std::uint64_t body_limit) {
  if (timed_out || ec == net::error::timed_out) {
    return {BH_PROBE_TIMEOUT, "timeout after " + format_duration(timeout)};
  }
  if (phase == FetchPhase::kResolve || is_resolve_failure(ec)) {
    if (is_resolve_failure(ec)) return {BH_PROBE_DNS, "name did not resolve"};
    return {BH_PROBE_DNS, "name did not resolve: " + ec.message()};
  }
  if (ec == net::error::connection_refused) return {BH_PROBE_REFUSED, "connection refused"};
  if (is_reset(ec)) return {BH_PROBE_PROTOCOL, "connection reset"};
  if (ec == http::error::body_limit) {
    return {BH_PROBE_PROTOCOL, "response body over " + format_byte_size(body_limit) + " limit"};
  }
  if (ec == http::error::end_of_stream || ec == net::error::eof ||
      ec == net::ssl::error::stream_truncated) {
    return {BH_PROBE_PROTOCOL, "connection closed before a complete response"};
  }
  if (ec == http::error::partial_message) {
    return {BH_PROBE_PROTOCOL, "connection closed in the middle of the response"};
  }
  if (ec == http::error::header_limit) {
    return {BH_PROBE_PROTOCOL, "malformed HTTP response: header section too large"};
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return {BH_PROBE_PROTOCOL, "malformed HTTP response: " + ec.message()};
  }
  if (ec.category() == net::error::get_ssl_category() ||
      ec.category() == net::ssl::error::get_stream_category()) {
    return {BH_PROBE_TLS, "TLS: " + ec.message()};
  }
  if (ec == net::error::network_unreachable) return {BH_PROBE_OTHER_ERROR, "network unreachable"};
  if (ec == net::error::host_unreachable) return {BH_PROBE_OTHER_ERROR, "host unreachable"};
  return {BH_PROBE_OTHER_ERROR, ec.message()};
}

}  // namespace blockhealth
