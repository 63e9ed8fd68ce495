#include "core/actions/http_post.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <optional>

#include "core/net/client_stream.h"

namespace blockhealth {
namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::uint32_t kHeaderLimit = 64 * 1024;

class PostOperation : public std::enable_shared_from_this<PostOperation> {
 public:
  PostOperation(const net::any_io_executor& executor, PostRequest request,
                std::function<void(PostResult)> done)
      : spec_(std::move(request)),
        done_(std::move(done)),
        resolver_(executor),
        stream_(executor),
        deadline_(executor) {}

  void start() {
    started_ = std::chrono::steady_clock::now();
    build_request();
    deadline_.expires_after(spec_.timeout);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->on_deadline();
    });
    boost::system::error_code ec;
    const auto address = net::ip::make_address(spec_.url.host, ec);
    if (!ec) {
      phase_ = "connect";
      stream_.socket().async_connect(
          tcp::endpoint(address, spec_.url.port),
          [self = shared_from_this()](const boost::system::error_code& ec2) {
            self->on_connected(ec2);
          });
      return;
    }
    phase_ = "resolve";
    resolver_.async_resolve(
        spec_.url.host, std::to_string(spec_.url.port),
        [self = shared_from_this()](const boost::system::error_code& ec2,
                                    const tcp::resolver::results_type& results) {
          self->on_resolved(ec2, results);
        });
  }

 private:
  void build_request() {
    request_.method(http::verb::post);
    request_.target(spec_.url.target);
    request_.version(11);
    request_.set(http::field::host, spec_.url.host_header());
    request_.set(http::field::user_agent, "blockhealthd");
    request_.set(http::field::content_type, "application/json");
    request_.set(http::field::connection, "close");
    for (const auto& [name, value] : spec_.headers) request_.set(name, value);
    request_.body() = std::move(spec_.body);
    request_.prepare_payload();
  }

  void on_resolved(const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
    if (ec) return fail(ec);
    phase_ = "connect";
    net::async_connect(
        stream_.socket(), r,
        [self = shared_from_this()](const boost::system::error_code& ec2, const tcp::endpoint&) {
          self->on_connected(ec2);
        });
  }

  void on_connected(const boost::system::error_code& ec) {
    if (ec) return fail(ec);
    boost::system::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    if (!spec_.url.tls) return start_write();
    phase_ = "handshake";
    auto begun = stream_.begin_tls(spec_.url, spec_.tls);
    if (!begun) return fail_with(begun.error().message);
    stream_.async_handshake([self = shared_from_this()](const boost::system::error_code& ec2) {
      if (ec2 && !self->timed_out_) return self->fail_with(self->stream_.handshake_failure(ec2));
      if (ec2) return self->fail(ec2);
      self->start_write();
    });
  }

  void start_write() {
    phase_ = "send";
    stream_.visit([this](auto& stream) {
      http::async_write(stream, request_,
                        [self = shared_from_this()](const boost::system::error_code& ec2,
                                                    std::size_t) { self->on_written(ec2); });
    });
  }

  void on_written(const boost::system::error_code& ec) {
    if (ec) return fail(ec);
    phase_ = "read";
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(spec_.response_body_limit);
    stream_.visit([this](auto& stream) {
      http::async_read(stream, buffer_, *parser_,
                       [self = shared_from_this()](const boost::system::error_code& ec2,
                                                   std::size_t) { self->on_read(ec2); });
    });
  }

  void on_read(const boost::system::error_code& ec) {
    // A body over the limit still has its status line: that decides.
    const bool cut = ec == http::error::body_limit && parser_->is_header_done();
    if (ec && !cut) return fail(ec);
    PostResult result;
    result.http_status = static_cast<int>(parser_->get().result_int());
    result.body = std::move(parser_->get().body());
    if (result.body.size() > spec_.response_body_limit) {
      result.body.resize(spec_.response_body_limit);
    }
    finish(std::move(result));
  }

  void on_deadline() {
    if (!done_) return;
    timed_out_ = true;
    resolver_.cancel();
    boost::system::error_code ignored;
    stream_.socket().close(ignored);  // the pending operation completes with operation_aborted
  }

  void fail(const boost::system::error_code& ec) {
    PostResult result;
    if (timed_out_) {
      result.error = "timed out after " + std::to_string(spec_.timeout.count()) + "ms (" +
                     (phase_ == "read" ? std::string("waiting for the answer") : "in " + phase_) +
                     ")";
    } else if (phase_ == "read" && (ec == http::error::end_of_stream || ec == net::error::eof ||
                                    ec == net::ssl::error::stream_truncated)) {
      result.error = "read: connection closed before an answer";
    } else {
      result.error = phase_ + ": " + ec.message();
    }
    finish(std::move(result));
  }

  void fail_with(std::string error) {
    PostResult result;
    result.error = std::move(error);
    finish(std::move(result));
  }

  void finish(PostResult result) {
    deadline_.cancel();
    stream_.close();
    result.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));
  }

  PostRequest spec_;
  std::function<void(PostResult)> done_;
  tcp::resolver resolver_;
  ClientStream stream_;
  net::steady_timer deadline_;
  http::request<http::string_body> request_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::chrono::steady_clock::time_point started_;
  std::string phase_;
  bool timed_out_ = false;
};

}  // namespace

void async_post(const net::any_io_executor& executor, PostRequest request,
                std::function<void(PostResult)> done) {
  auto op = std::make_shared<PostOperation>(executor, std::move(request), std::move(done));
  net::post(executor, [op] { op->start(); });
}

}  // namespace blockhealth
