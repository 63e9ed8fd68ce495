#include "core/sources/http_fetcher.h"

#include <blockhealth/policy_abi.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace blockhealth {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::uint32_t kHeaderLimit = 64 * 1024;

bool closed_by_peer(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe || ec == net::ssl::error::stream_truncated;
}

}  // namespace

HttpFetcher::HttpFetcher(net::any_io_executor executor, FetchSpec spec)
    : executor_(std::move(executor)),
      spec_(std::move(spec)),
      resolver_(executor_),
      stream_(executor_),
      deadline_(executor_) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(spec_.url.host, ec);
  if (!ec) literal_ = address;
  request_.method(http::verb::get);
  request_.target(spec_.url.target);
  request_.version(11);
  request_.set(http::field::host, spec_.url.host_header());
  request_.set(http::field::user_agent, "blockhealthd");
  request_.set(http::field::accept, spec_.accept);
  request_.keep_alive(true);
}

void HttpFetcher::fetch(Done done) {
  done_ = std::move(done);
  started_ = std::chrono::steady_clock::now();
  timed_out_ = false;
  const std::uint64_t generation = ++generation_;
  deadline_.expires_after(spec_.timeout);
  deadline_.async_wait(
      [self = shared_from_this(), generation](const boost::system::error_code& ec) {
        self->on_deadline(generation, ec);
      });
  if (stream_.is_open()) {
    reused_ = true;
    start_write();
  } else {
    reused_ = false;
    start_connect();
  }
}

void HttpFetcher::close() {
  deadline_.cancel();
  resolver_.cancel();
  drop_connection();
}

void HttpFetcher::drop_connection() {
  stream_.close();
  buffer_.clear();
}

void HttpFetcher::start_connect() {
  buffer_.clear();
  if (literal_) {
    stream_.socket().async_connect(
        tcp::endpoint(*literal_, spec_.url.port),
        [self = shared_from_this()](const boost::system::error_code& ec) {
          self->on_connected(ec);
        });
    return;
  }
  resolver_.async_resolve(spec_.url.host, std::to_string(spec_.url.port),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      const tcp::resolver::results_type& results) {
                            self->on_resolved(ec, results);
                          });
}

void HttpFetcher::on_resolved(const boost::system::error_code& ec,
                              const tcp::resolver::results_type& results) {
  if (ec) return fail(ec, FetchPhase::kResolve);
  if (timed_out_) return fail(net::error::operation_aborted, FetchPhase::kResolve);
  net::async_connect(
      stream_.socket(), results,
      [self = shared_from_this()](const boost::system::error_code& ec2, const tcp::endpoint&) {
        self->on_connected(ec2);
      });
}

void HttpFetcher::on_connected(const boost::system::error_code& ec) {
  if (ec) return fail(ec, FetchPhase::kConnect);
  ++connections_opened_;
  boost::system::error_code ignored;
  stream_.socket().set_option(tcp::no_delay(true), ignored);
  if (!spec_.url.tls) return start_write();
  auto begun = stream_.begin_tls(spec_.url, spec_.tls);
  if (!begun) return fail_with({BH_PROBE_TLS, begun.error().message});
  stream_.async_handshake([self = shared_from_this()](const boost::system::error_code& ec2) {
    self->on_handshake(ec2);
  });
}

void HttpFetcher::on_handshake(const boost::system::error_code& ec) {
  if (ec && timed_out_) return fail(ec, FetchPhase::kHandshake);
  if (ec) return fail_with({BH_PROBE_TLS, stream_.handshake_failure(ec)});
  start_write();
}

void HttpFetcher::start_write() {
  stream_.visit([this](auto& stream) {
    http::async_write(stream, request_,
                      [self = shared_from_this()](const boost::system::error_code& ec,
                                                  std::size_t) { self->on_written(ec); });
  });
}

void HttpFetcher::on_written(const boost::system::error_code& ec) {
  if (ec) {
    if (retry_fresh(ec, false)) return;
    return fail(ec, FetchPhase::kWrite);
  }
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(spec_.body_limit);
  stream_.visit([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec2,
                                                 std::size_t) { self->on_read(ec2); });
  });
}

void HttpFetcher::on_read(const boost::system::error_code& ec) {
  if (ec) {
    if (retry_fresh(ec, parser_->got_some())) return;
    return fail(ec, FetchPhase::kRead);
  }
  FetchResult result;
  result.outcome = BH_PROBE_RESPONSE;
  auto response = parser_->release();
  result.http_status = static_cast<int>(response.result_int());
  result.body = std::move(response.body());
  result.reused_connection = reused_;
  parser_.reset();
  if (!response.keep_alive() || timed_out_) drop_connection();
  finish(std::move(result));
}

bool HttpFetcher::retry_fresh(const boost::system::error_code& ec, bool answer_started) {
  if (!reused_ || timed_out_ || answer_started || !closed_by_peer(ec)) return false;
  drop_connection();
  reused_ = false;
  start_connect();
  return true;
}

void HttpFetcher::on_deadline(std::uint64_t generation, const boost::system::error_code& ec) {
  if (ec || generation != generation_ || !done_) return;
  timed_out_ = true;
  resolver_.cancel();
  boost::system::error_code ignored;
  stream_.socket().close(ignored);  // pending operations complete with operation_aborted
}

void HttpFetcher::fail(const boost::system::error_code& ec, FetchPhase phase) {
  fail_with(classify_fetch_error(ec, phase, timed_out_, spec_.timeout, spec_.body_limit));
}

void HttpFetcher::fail_with(FetchFailure failure) {
  drop_connection();
  parser_.reset();
  FetchResult result;
  result.outcome = failure.outcome;
  result.error = failure.error;
  result.reused_connection = reused_;
  finish(std::move(result));
}

void HttpFetcher::finish(FetchResult result) {
  deadline_.cancel();
  result.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started_)
                          .count();
  Done done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(result));
}

}  // namespace blockhealth
