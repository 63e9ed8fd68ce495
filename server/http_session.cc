#include "server/http_session.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <cerrno>
#include <charconv>

namespace blockhealth::server {
namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

void SessionSet::close_all() {
  // close() does not remove (the session goes when its operations end), but
  // copy anyway: nothing may change the set while it is walked.
  const std::vector<HttpSession*> sessions(live_.begin(), live_.end());
  for (HttpSession* s : sessions) s->close();
}

void SessionSet::abandon_all() {
  const std::vector<HttpSession*> sessions(live_.begin(), live_.end());
  for (HttpSession* s : sessions) s->abandon();
}

HttpSession::HttpSession(Socket&& socket, net::io_context& loop, const Router& router,
                         const SessionLimits& limits, SessionSet& sessions, TlsContextPtr tls,
                         TlsSlot* slot)
    : socket_(std::move(socket)),
      tls_context_(std::move(tls)),
      tls_slot_(slot),
      loop_(loop),
      timer_(loop.get_executor()),
      router_(router),
      limits_(limits),
      sessions_(sessions) {
  sessions_.add(this);
  if (tls_context_) tls_.emplace(socket_, *tls_context_);
}

HttpSession::~HttpSession() {
  if (!closed_) sessions_.closed_one();
  sessions_.remove(this);
}

void HttpSession::run() {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  if (!tls_) return do_read();
  // The handshake is bounded by the same deadline as a read.
  extend_deadline();
  tls_->async_handshake(
      net::ssl::stream_base::server,
      [self = shared_from_this()](boost::system::error_code e) { self->on_handshake(e); });
}

void HttpSession::on_handshake(boost::system::error_code ec) {
  if (closed_) return;
  if (ec) {
    // A client that does not speak TLS, or has no (valid) certificate:
    // this connection only is closed.
    if (tls_slot_ != nullptr) tls_slot_->handshake_failures.fetch_add(1);
    boost::system::error_code peer_ec;
    const auto peer = socket_.remote_endpoint(peer_ec);
    spdlog::debug("TLS handshake with {} failed: {}",
                  peer_ec ? std::string("?") : peer.address().to_string(), ec.message());
    close();
    return;
  }
  do_read();
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  sessions_.closed_one();
  boost::system::error_code ec;
  socket_.shutdown(Socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
}

void HttpSession::abandon() {
  close();
  in_flight_.reset();  // may destroy this session: nothing after it
}

void HttpSession::extend_deadline() {
  deadline_ = std::chrono::steady_clock::now() + limits_.timeout;
  if (timer_armed_ || closed_) return;
  timer_armed_ = true;
  timer_.expires_at(deadline_);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_deadline(ec); });
}

void HttpSession::on_deadline(boost::system::error_code ec) {
  timer_armed_ = false;
  if (ec || closed_) return;
  const auto now = std::chrono::steady_clock::now();
  // A request with the router (a long poll) is not the client's delay;
  // but a client that went away meanwhile is noticed from now on.
  if (in_flight_) {
    deadline_ = now + limits_.timeout;
    watch_peer();
  }
  if (now < deadline_) {
    timer_armed_ = true;
    timer_.expires_at(deadline_);
    timer_.async_wait(
        [self = shared_from_this()](boost::system::error_code e) { self->on_deadline(e); });
    return;
  }
  close();
}

void HttpSession::watch_peer() {
  if (watching_peer_ || closed_) return;
  watching_peer_ = true;
  socket_.async_wait(Socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    self->watching_peer_ = false;
    if (ec || self->closed_ || !self->in_flight_) return;
    char byte = 0;
    const ssize_t n = ::recv(self->socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      self->close();  // the client is gone: its answer would go nowhere
    } else if (n < 0) {
      self->watch_peer();
    }
    // n > 0: the client sent more (a pipelined request), read after the
    // answer; watching would only wake again and again.
  });
}

void HttpSession::do_read() {
  if (closed_) return;
  parser_.emplace();
  parser_->body_limit(limits_.body_limit);
  parser_->header_limit(limits_.header_limit);
  extend_deadline();
  auto handler = [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
    self->on_read(ec);
  };
  if (tls_) {
    http::async_read(*tls_, buffer_, *parser_, std::move(handler));
  } else {
    http::async_read(socket_, buffer_, *parser_, std::move(handler));
  }
}

void HttpSession::on_read(boost::system::error_code ec) {
  if (closed_) return;
  if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == net::error::eof ||
      ec == net::error::bad_descriptor || ec == net::ssl::error::stream_truncated ||
      ec.category() == net::error::get_ssl_category()) {
    close();
    return;
  }
  if (ec) {
    // Answer what we can, then drop the connection: its framing is lost.
    Request req;
    req.version(11);
    req.keep_alive(false);
    http::status status = http::status::bad_request;
    std::string message = "malformed HTTP request: " + ec.message();
    if (ec == http::error::body_limit) {
      status = http::status::payload_too_large;
      message =
          "request body exceeds the limit of " + std::to_string(limits_.body_limit) + " bytes";
    } else if (ec == http::error::header_limit) {
      status = http::status::request_header_fields_too_large;
      message = "request header exceeds " + std::to_string(limits_.header_limit) + " bytes";
    }
    send(error_response(req, status, message));
    return;
  }
  dispatch(parser_->release());
}

void HttpSession::dispatch(Request req) {
  in_flight_ = shared_from_this();
  // A plain pointer: the responder fits std::function's own storage (no
  // allocation), and in_flight_ keeps the session alive until it answers.
  router_.dispatch(req, [this](Response res) { respond(std::move(res)); });
}

void HttpSession::respond(Response res) {
  if (loop_.get_executor().running_in_this_thread()) {
    send(std::move(res));
    return;
  }
  net::post(loop_, [this, res = std::move(res)]() mutable { send(std::move(res)); });
}

void HttpSession::send(Response res) {
  std::shared_ptr<HttpSession> self = in_flight_ ? std::move(in_flight_) : shared_from_this();
  in_flight_.reset();
  if (closed_) return;
  response_ = std::move(res);
  // The status line and the fields, as Beast's serializer would write them.
  head_.clear();
  head_ += response_.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char code[8];
  auto [end, ec] = std::to_chars(code, code + sizeof code, response_.result_int());
  head_.append(code, end);
  head_ += ' ';
  const auto reason = response_.reason();
  head_.append(reason.data(), reason.size());
  head_ += "\r\n";
  for (const auto& field : response_.base()) {
    const auto name = field.name_string();
    const auto value = field.value();
    head_.append(name.data(), name.size());
    head_ += ": ";
    head_.append(value.data(), value.size());
    head_ += "\r\n";
  }
  head_ += "\r\n";
  const bool keep_alive = response_.keep_alive();
  extend_deadline();
  const std::array<net::const_buffer, 2> buffers{
      net::buffer(head_), net::buffer(response_.wire_body().data(), response_.wire_body().size())};
  auto handler = [self = std::move(self), keep_alive](boost::system::error_code e, std::size_t) {
    self->on_write(keep_alive, e);
  };
  if (tls_) {
    net::async_write(*tls_, buffers, std::move(handler));
  } else {
    net::async_write(socket_, buffers, std::move(handler));
  }
}

void HttpSession::on_write(bool keep_alive, boost::system::error_code ec) {
  response_ = Response();
  if (ec || !keep_alive) {
    close();
    return;
  }
  do_read();
}

}  // namespace blockhealth::server
