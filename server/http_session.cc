#include "server/http_session.h"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace blockhealth::server {
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void SessionRegistry::add(const std::shared_ptr<HttpSession>& s) {
  std::lock_guard lock(mu_);
  sessions_.remove_if([](const auto& w) { return w.expired(); });
  sessions_.push_back(s);
}

void SessionRegistry::close_all() {
  std::lock_guard lock(mu_);
  for (auto& w : sessions_) {
    if (auto s = w.lock()) s->close();
  }
}

std::size_t SessionRegistry::live() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& w : sessions_) n += w.expired() ? 0 : 1;
  return n;
}

HttpSession::HttpSession(tcp::socket&& socket, const Router& router, const SessionLimits& limits)
    : stream_(std::move(socket)), router_(router), limits_(limits) {}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read(); });
}

void HttpSession::close() {
  net::post(stream_.get_executor(), [self = shared_from_this()] { self->do_close(); });
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->body_limit(limits_.body_limit);
  parser_->header_limit(limits_.header_limit);
  stream_.expires_after(limits_.timeout);
  http::async_read(stream_, buffer_, *parser_,
                   beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof) {
    do_close();
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
  Request req = parser_->release();
  router_.dispatch(req, [self = shared_from_this()](Response res) {
    net::post(self->stream_.get_executor(),
              [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
  });
}

void HttpSession::send(Response res) {
  response_ = std::make_shared<Response>(std::move(res));
  const bool keep_alive = response_->keep_alive();
  stream_.expires_after(limits_.timeout);
  http::async_write(
      stream_, *response_,
      beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  response_.reset();
  if (ec || !keep_alive) {
    do_close();
    return;
  }
  do_read();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

Listener::Listener(net::io_context& io, const Router& router, const SessionLimits& limits)
    : io_(io), acceptor_(net::make_strand(io)), router_(router), limits_(limits) {}

Result<std::shared_ptr<Listener>> Listener::open(net::io_context& io, const tcp::endpoint& endpoint,
                                                 const Router& router,
                                                 const SessionLimits& limits) {
  std::shared_ptr<Listener> self(new Listener(io, router, limits));
  beast::error_code ec;
  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  self->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) self->acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) self->acceptor_.bind(endpoint, ec);
  if (ec) return fail("cannot listen on " + where + ": " + ec.message());
  self->acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("cannot listen on " + where + ": " + ec.message());
  return self;
}

void Listener::start() {
  net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
  });
  sessions_.close_all();
}

void Listener::do_accept() {
  acceptor_.async_accept(net::make_strand(io_), [self = shared_from_this()](beast::error_code ec,
                                                                            tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      auto session = std::make_shared<HttpSession>(std::move(socket), self->router_, self->limits_);
      self->sessions_.add(session);
      session->run();
    }
    self->do_accept();
  });
}

}  // namespace blockhealth::server
