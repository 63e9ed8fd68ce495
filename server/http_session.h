// HttpSession: one client connection of the HTTP server (http_server.h).
// No routing or engine logic lives here: every complete request goes to the
// Router.
#ifndef BLOCKHEALTH_SERVER_HTTP_SESSION_H
#define BLOCKHEALTH_SERVER_HTTP_SESSION_H

#include <atomic>
#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "core/net/tls_context.h"
#include "server/router.h"

namespace blockhealth::server {

struct SessionLimits {
  std::uint64_t body_limit = 1024 * 1024;     // larger bodies get 413
  std::uint32_t header_limit = 16 * 1024;     // larger headers get 431
  std::chrono::milliseconds timeout{10'000};  // per read and per write
  // Open connections, all loops together; past it a new connection gets a
  // 503 and is closed at once.
  std::size_t max_connections = 1024;
};

class HttpSession;

// The TLS context (server.tls) new connections of every loop take; a
// reload swaps it, connections already open keep theirs. Null: plain
// HTTP. Thread-safe.
class TlsSlot {
 public:
  TlsContextPtr get() const {
    std::lock_guard lock(mu_);
    return context_;
  }
  void set(TlsContextPtr context) {
    std::lock_guard lock(mu_);
    context_ = std::move(context);
  }
  // TLS handshakes that failed (bad client, no client certificate...).
  std::atomic<std::uint64_t> handshake_failures{0};

 private:
  mutable std::mutex mu_;
  TlsContextPtr context_;
};

// The live sessions of one event loop, so that shutdown can close them,
// and the count of open connections of every loop (`open`, shared). Loop
// thread only, but for `open`, which is atomic.
class SessionSet {
 public:
  explicit SessionSet(std::atomic<std::size_t>& open) : open_(open) {}
  void add(HttpSession* s) { live_.insert(s); }
  void remove(HttpSession* s) { live_.erase(s); }
  // A connection's socket was closed (once per session).
  void closed_one() { open_.fetch_sub(1, std::memory_order_relaxed); }
  // Closes every session (they go once their pending operations end).
  void close_all();
  // Lets every session drop its hold on itself (HttpSession::abandon).
  void abandon_all();
  std::size_t size() const { return live_.size(); }

 private:
  std::unordered_set<HttpSession*> live_;
  std::atomic<std::size_t>& open_;
};

// Reads a request (bounded in size and time), hands it to the router,
// writes the response, and repeats while the client keeps the connection.
//
// Thread: every method but respond() runs on the session's loop, which one
// thread runs: no strand, no lock. respond() may be called from any thread
// (a long-poll answered by the engine thread); it posts to the loop then.
// Timeouts: one timer per session, re-armed only when it fires early (a
// read or write moves the deadline, not the timer), so a busy keep-alive
// connection costs no timer operation per request.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // A socket and a timer bound to the loop's own executor type: no
  // type-erased executor to copy on every operation.
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                  boost::asio::io_context::executor_type>;
  using Timer =
      boost::asio::basic_waitable_timer<std::chrono::steady_clock,
                                        boost::asio::wait_traits<std::chrono::steady_clock>,
                                        boost::asio::io_context::executor_type>;

  using TlsStream = boost::asio::ssl::stream<Socket&>;

  // `tls`: the context of an https listener (the session handshakes
  // first), or null; `slot` counts its failed handshakes.
  HttpSession(Socket&& socket, boost::asio::io_context& loop, const Router& router,
              const SessionLimits& limits, SessionSet& sessions, TlsContextPtr tls, TlsSlot* slot);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void run();
  // Closes the connection. Loop thread only.
  void close();
  // Drops the session's hold on itself while a request is with the router.
  // REQUIRES: nothing will call its responder any more (every thread that
  // could has stopped); the session may be destroyed by this call.
  void abandon();

 private:
  void on_handshake(boost::system::error_code ec);
  void do_read();
  void on_read(boost::system::error_code ec);
  void dispatch(Request req);
  // Delivers the response to the request in progress. Thread-safe.
  void respond(Response res);
  void send(Response res);
  void on_write(bool keep_alive, boost::system::error_code ec);
  // The connection must see progress before `limits_.timeout` from now.
  void extend_deadline();
  void on_deadline(boost::system::error_code ec);
  // While a request waits with the router (a long poll), notices the
  // client closing its end, and closes the connection then.
  void watch_peer();

  Socket socket_;
  TlsContextPtr tls_context_;     // held while tls_ uses it
  std::optional<TlsStream> tls_;  // over socket_, for an https listener
  TlsSlot* tls_slot_ = nullptr;
  boost::asio::io_context& loop_;
  Timer timer_;
  std::chrono::steady_clock::time_point deadline_;
  bool timer_armed_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;  // the one being written
  std::string head_;   // its status line and fields, serialized
  const Router& router_;
  SessionLimits limits_;
  SessionSet& sessions_;
  // Holds the session while a request is with the router: the responder
  // is a plain pointer (no allocation), this keeps it valid.
  std::shared_ptr<HttpSession> in_flight_;
  bool closed_ = false;
  bool watching_peer_ = false;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_HTTP_SESSION_H
