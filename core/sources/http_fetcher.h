// HttpFetcher: GETs one URL again and again over one kept-alive connection,
// asynchronously (Boost.Beast client), each GET bounded by a timeout and a
// body size limit. One per pull target (a /health or /metrics URL).
#ifndef BLOCKHEALTH_CORE_SOURCES_HTTP_FETCHER_H
#define BLOCKHEALTH_CORE_SOURCES_HTTP_FETCHER_H

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/config/config.h"
#include "core/net/client_stream.h"
#include "core/sources/fetch_error.h"

namespace blockhealth {

struct FetchResult {
  std::int32_t outcome = 0;        // BH_PROBE_RESPONSE, or the failure's BH_PROBE_*
  int http_status = 0;             // when outcome == BH_PROBE_RESPONSE
  std::string body;                // the whole body (<= body limit) of a response; else ""
  std::string error;               // "" for a response; else classify_fetch_error's text
  std::int64_t latency_us = 0;     // fetch() call to the last byte or the failure
  bool reused_connection = false;  // answered on a connection kept from before
};

struct FetchSpec {
  HttpUrl url;
  std::chrono::milliseconds timeout{2'000};  // the whole exchange: resolve to last byte
  std::uint64_t body_limit = std::uint64_t{10} << 20;
  std::string accept = "*/*";  // the Accept header
  TlsConfig tls;               // how an https:// url is spoken to
};

// Thread-safety: not thread-safe. Every call, and every completion, runs on
// `executor`, which must be a strand (or an io_context run by one thread).
// Lifetime: async operations hold a shared_ptr to the fetcher; destroy it by
// dropping references after close().
class HttpFetcher : public std::enable_shared_from_this<HttpFetcher> {
 public:
  using Done = std::function<void(FetchResult)>;

  HttpFetcher(boost::asio::any_io_executor executor, FetchSpec spec);

  // Starts one GET. `done` is called exactly once, on the executor, unless
  // the io_context stops first. A connection kept alive from the previous
  // GET is reused; if it turns out to have been closed by the server before
  // any byte of the answer, the GET is retried once on a new connection
  // (within the same timeout). REQUIRES: no fetch in flight.
  void fetch(Done done);

  // Cancels a fetch in flight (it completes with an error) and closes the
  // kept connection. The fetcher may be used again afterwards.
  void close();

  bool busy() const { return done_ != nullptr; }
  std::uint64_t connections_opened() const { return connections_opened_; }

 private:
  void start_connect();
  void on_resolved(const boost::system::error_code& ec,
                   const boost::asio::ip::tcp::resolver::results_type& results);
  void on_connected(const boost::system::error_code& ec);
  void on_handshake(const boost::system::error_code& ec);
  void start_write();
  void on_written(const boost::system::error_code& ec);
  void on_read(const boost::system::error_code& ec);
  void on_deadline(std::uint64_t generation, const boost::system::error_code& ec);
  // A failure on a reused connection before any answer byte: retry once.
  bool retry_fresh(const boost::system::error_code& ec, bool answer_started);
  void fail(const boost::system::error_code& ec, FetchPhase phase);
  void fail_with(FetchFailure failure);
  void finish(FetchResult result);
  void drop_connection();

  boost::asio::any_io_executor executor_;
  FetchSpec spec_;
  std::optional<boost::asio::ip::address> literal_;  // the host, when an IP literal
  boost::beast::http::request<boost::beast::http::empty_body> request_;
  boost::asio::ip::tcp::resolver resolver_;
  ClientStream stream_;
  boost::asio::steady_timer deadline_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
  Done done_;
  std::chrono::steady_clock::time_point started_;
  std::uint64_t generation_ = 0;  // counts fetches; stale deadline callbacks see a different one
  bool timed_out_ = false;
  bool reused_ = false;
  std::uint64_t connections_opened_ = 0;
};
using HttpFetcherSharedPtr = std::shared_ptr<HttpFetcher>;

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_HTTP_FETCHER_H
