#include "core/sources/fetch_error.h"

#include <blockhealth/policy_abi.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>

namespace blockhealth {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using std::chrono::milliseconds;

FetchFailure classify(const boost::system::error_code& ec, FetchPhase phase,
                      bool timed_out = false) {
  return classify_fetch_error(ec, phase, timed_out, milliseconds(2'000), 64 * 1024);
}

TEST(ClassifyFetchError, EachKindGetsItsOutcomeAndText) {
  struct Case {
    boost::system::error_code ec;
    FetchPhase phase;
    std::int32_t outcome;
    std::string error;
  };
  const Case cases[] = {
      {net::error::connection_refused, FetchPhase::kConnect, BH_PROBE_REFUSED,
       "connection refused"},
      {net::error::host_not_found, FetchPhase::kResolve, BH_PROBE_DNS, "name did not resolve"},
      {net::error::host_not_found_try_again, FetchPhase::kResolve, BH_PROBE_DNS,
       "name did not resolve"},
      {net::error::connection_reset, FetchPhase::kRead, BH_PROBE_PROTOCOL, "connection reset"},
      {net::error::broken_pipe, FetchPhase::kWrite, BH_PROBE_PROTOCOL, "connection reset"},
      {http::error::end_of_stream, FetchPhase::kRead, BH_PROBE_PROTOCOL,
       "connection closed before a complete response"},
      {http::error::partial_message, FetchPhase::kRead, BH_PROBE_PROTOCOL,
       "connection closed in the middle of the response"},
      {http::error::body_limit, FetchPhase::kRead, BH_PROBE_PROTOCOL,
       "response body over 64KiB limit"},
      {http::error::header_limit, FetchPhase::kRead, BH_PROBE_PROTOCOL,
       "malformed HTTP response: header section too large"},
      {net::error::network_unreachable, FetchPhase::kConnect, BH_PROBE_OTHER_ERROR,
       "network unreachable"},
      {net::error::host_unreachable, FetchPhase::kConnect, BH_PROBE_OTHER_ERROR,
       "host unreachable"},
  };
  for (const Case& c : cases) {
    const FetchFailure f = classify(c.ec, c.phase);
    EXPECT_EQ(f.outcome, c.outcome) << c.ec.message();
    EXPECT_EQ(f.error, c.error) << c.ec.message();
  }
}

TEST(ClassifyFetchError, MalformedResponsesSayWhat) {
  const FetchFailure f = classify(http::error::bad_version, FetchPhase::kRead);
  EXPECT_EQ(f.outcome, BH_PROBE_PROTOCOL);
  EXPECT_TRUE(f.error.starts_with("malformed HTTP response: ")) << f.error;
  EXPECT_GT(f.error.size(), std::string("malformed HTTP response: ").size());
}

TEST(ClassifyFetchError, TheDeadlineWinsWhateverItSurfacedAs) {
  for (const auto& ec : {boost::system::error_code(net::error::operation_aborted),
                         boost::system::error_code(net::error::bad_descriptor)}) {
    const FetchFailure f = classify(ec, FetchPhase::kRead, true);
    EXPECT_EQ(f.outcome, BH_PROBE_TIMEOUT);
    EXPECT_EQ(f.error, "timeout after 2s");
  }
  EXPECT_EQ(classify_fetch_error(net::error::operation_aborted, FetchPhase::kResolve, true,
                                 milliseconds(250), 1)
                .error,
            "timeout after 250ms");
}

TEST(ClassifyFetchError, OtherResolverErrorsStillSayTheNameDidNotResolve) {
  const FetchFailure f = classify(net::error::operation_not_supported, FetchPhase::kResolve);
  EXPECT_EQ(f.outcome, BH_PROBE_DNS);
  EXPECT_TRUE(f.error.starts_with("name did not resolve: ")) << f.error;
}

TEST(FormatByteSize, WholeUnitsOrBytes) {
  EXPECT_EQ(format_byte_size(64 * 1024), "64KiB");
  EXPECT_EQ(format_byte_size(std::uint64_t{10} << 20), "10MiB");
  EXPECT_EQ(format_byte_size(std::uint64_t{1} << 30), "1GiB");
  EXPECT_EQ(format_byte_size(1500), "1500B");
  EXPECT_EQ(format_byte_size(0), "0B");
}

}  // namespace
}  // namespace blockhealth

namespace blockhealth {
namespace {

TEST(ClassifyFetchError, TlsErrorsAreTheirOwnOutcome) {
  // OpenSSL loads its error texts with the first context, as in the daemon,
  // where a TLS error always comes from a connection with one.
  const boost::asio::ssl::context context(boost::asio::ssl::context::tls_client);
  // An alert from the server after the handshake (TLS 1.3: a refused
  // client certificate arrives with the first read).
  const boost::system::error_code alert(
      ERR_PACK(ERR_LIB_SSL, 0, SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED),
      boost::asio::error::get_ssl_category());
  const FetchFailure f = classify_fetch_error(alert, FetchPhase::kRead, false,
                                              std::chrono::milliseconds(2'000), 64 * 1024);
  EXPECT_EQ(f.outcome, BH_PROBE_TLS);
  EXPECT_EQ(f.error.rfind("TLS: tlsv13 alert certificate required", 0), 0U) << f.error;
  // A TLS connection cut without close_notify reads as a closed connection.
  const FetchFailure cut =
      classify_fetch_error(boost::asio::ssl::error::stream_truncated, FetchPhase::kRead, false,
                           std::chrono::milliseconds(2'000), 64 * 1024);
  EXPECT_EQ(cut.outcome, BH_PROBE_PROTOCOL);
  EXPECT_EQ(cut.error, "connection closed before a complete response");
  // A handshake cut by the deadline is a timeout.
  const FetchFailure slow = classify_fetch_error(alert, FetchPhase::kHandshake, true,
                                                 std::chrono::milliseconds(2'000), 64 * 1024);
  EXPECT_EQ(slow.outcome, BH_PROBE_TIMEOUT);
}

}  // namespace
}  // namespace blockhealth
