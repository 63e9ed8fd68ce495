// HttpSession and Listener: Beast's asynchronous HTTP/1.1 server plumbing.
// No routing or engine logic lives here: every complete request goes to the
// Router.
#ifndef BLOCKHEALTH_SERVER_HTTP_SESSION_H
#define BLOCKHEALTH_SERVER_HTTP_SESSION_H

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "core/util/result.h"
#include "server/router.h"

namespace blockhealth::server {

struct SessionLimits {
  std::uint64_t body_limit = 1024 * 1024;     // larger bodies get 413
  std::uint32_t header_limit = 16 * 1024;     // larger headers get 431
  std::chrono::milliseconds timeout{10'000};  // per read and per write
};

class HttpSession;

// Keeps the live sessions so that shutdown can close them. Thread-safe.
class SessionRegistry {
 public:
  void add(const std::shared_ptr<HttpSession>& s);
  void close_all();
  std::size_t live() const;

 private:
  mutable std::mutex mu_;
  std::list<std::weak_ptr<HttpSession>> sessions_;  // GUARDED_BY(mu_)
};

// One client connection: read a request (bounded in size and time), hand it
// to the router, write the response, repeat while keep-alive. Runs on its
// own strand.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket&& socket, const Router& router,
              const SessionLimits& limits);
  void run();
  // Closes the connection from any thread.
  void close();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(Response res);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Response> response_;  // kept alive while written
  const Router& router_;
  SessionLimits limits_;
};

// Accepts connections on one address. Thread-safe start/stop.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens; the error names the address.
  static Result<std::shared_ptr<Listener>> open(boost::asio::io_context& io,
                                                const boost::asio::ip::tcp::endpoint& endpoint,
                                                const Router& router, const SessionLimits& limits);
  void start();
  // Stops accepting and closes every open session.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  std::size_t live_sessions() const { return sessions_.live(); }

 private:
  Listener(boost::asio::io_context& io, const Router& router, const SessionLimits& limits);
  void do_accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  const Router& router_;
  SessionLimits limits_;
  SessionRegistry sessions_;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_HTTP_SESSION_H
