// HttpServer: the daemon's HTTP listener. One event loop per thread (an
// io_context run by exactly one thread), each with its own acceptor on the
// same address (SO_REUSEPORT: the kernel spreads connections over them), as
// nginx runs one worker per core. A connection lives on the loop that
// accepted it, so a request is read, routed and answered on one thread with
// no strand or lock.
#ifndef BLOCKHEALTH_SERVER_HTTP_SERVER_H
#define BLOCKHEALTH_SERVER_HTTP_SERVER_H

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "core/util/result.h"
#include "server/http_session.h"
#include "server/router.h"

namespace blockhealth::server {

class HttpServer {
 public:
  // Binds `threads` acceptors (at least one) to `endpoint`; with port 0 the
  // first picks the port and the others join it. The error names the
  // address. `router` must outlive the server.
  // `tls`: serve HTTPS with it (set_tls swaps it later), or null.
  static Result<std::unique_ptr<HttpServer>> open(const boost::asio::ip::tcp::endpoint& endpoint,
                                                  int threads, const Router& router,
                                                  const SessionLimits& limits,
                                                  TlsContextPtr tls = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Connections open now, all loops together. Thread-safe.
  std::size_t open_connections() const { return open_connections_.load(); }
  // Whether it serves HTTPS (fixed at open).
  bool tls() const { return tls_on_; }
  // The context new connections use from now on. REQUIRES: tls(), and a
  // non-null context. Thread-safe.
  void set_tls(TlsContextPtr context) { tls_slot_.set(std::move(context)); }
  std::uint64_t tls_handshake_failures() const { return tls_slot_.handshake_failures.load(); }
  // Starts the loops' threads (named bh-http). Once.
  void start();
  // Stops accepting, closes every connection and ends the loops; returns
  // once their threads are gone. Thread-safe; idempotent.
  void stop();
  // After stop(), once no thread may answer a request any more: lets go of
  // the connections whose request was never answered (a long poll cut by
  // the shutdown), which otherwise keep themselves alive.
  void abandon_sessions();

 private:
  struct Loop;
  HttpServer() = default;

  std::atomic<std::size_t> open_connections_{0};
  TlsSlot tls_slot_;
  bool tls_on_ = false;  // every loop's (SessionLimits::max_connections)
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<std::thread> threads_;
  bool stopped_ = false;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_HTTP_SERVER_H
