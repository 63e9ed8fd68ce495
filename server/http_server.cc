#include "server/http_server.h"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

namespace blockhealth::server {
namespace net = boost::asio;
using tcp = net::ip::tcp;

// One event loop: its io_context (run by one thread), acceptor and
// sessions. Everything but construction runs on that thread.
struct HttpServer::Loop {
  Loop(const Router& r, const SessionLimits& l, std::atomic<std::size_t>& open, TlsSlot* tls)
      : sessions(open),
        acceptor(io),
        retry(io),
        router(r),
        limits(l),
        open_connections(open),
        tls_slot(tls) {}
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void accept() {
    pending.emplace(io.get_executor());
    acceptor.async_accept(*pending, [this](boost::system::error_code ec) {
      if (!acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors or memory: wait before trying again, and say
        // so at most once a second, instead of spinning on the error.
        const auto now = std::chrono::steady_clock::now();
        if (now - last_warning > std::chrono::seconds(1)) {
          spdlog::warn("accept failed: {}; accepting again in 50ms", ec.message());
          last_warning = now;
        }
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](boost::system::error_code e) {
          if (!e && acceptor.is_open()) accept();
        });
        return;
      }
      if (open_connections.fetch_add(1, std::memory_order_relaxed) >= limits.max_connections) {
        open_connections.fetch_sub(1, std::memory_order_relaxed);
        refuse(*pending);
      } else {
        std::make_shared<HttpSession>(std::move(*pending), io, router, limits, sessions,
                                      tls_slot != nullptr ? tls_slot->get() : nullptr, tls_slot)
            ->run();
      }
      accept();
    });
  }

  // Past max_connections: a 503 written without waiting (the socket's
  // buffer takes it), the sending side shut, and what the client sends read
  // and dropped until it closes or a second passes (closing with unread
  // bytes would reset the connection and lose the 503 at the client). At
  // most kMaxLingering such sockets at once; more are closed at once.
  // Logged at most once every 10 s with the count refused meanwhile.
  struct Refusal {
    explicit Refusal(HttpSession::Socket&& s, net::io_context& io)
        : socket(std::move(s)), timer(io) {}
    HttpSession::Socket socket;
    net::steady_timer timer;
    std::array<char, 4096> sink{};
  };
  static constexpr std::size_t kMaxLingering = 64;

  void drain(const std::shared_ptr<Refusal>& r) {
    r->socket.async_read_some(net::buffer(r->sink),
                              [this, r](boost::system::error_code ec, std::size_t) {
                                if (!ec) {
                                  drain(r);
                                  return;
                                }
                                r->timer.cancel();
                                boost::system::error_code ignored;
                                r->socket.close(ignored);
                                --lingering;
                              });
  }

  void refuse(HttpSession::Socket& socket) {
    static const std::string answer =
        refusal_wire_text("too many connections: server.max_connections is reached; retry later");
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(net::buffer(answer), ec);
    socket.shutdown(HttpSession::Socket::shutdown_send, ec);
    if (lingering < kMaxLingering) {
      ++lingering;
      auto r = std::make_shared<Refusal>(std::move(socket), io);
      r->timer.expires_after(std::chrono::seconds(1));
      r->timer.async_wait([r](boost::system::error_code e) {
        if (e) return;
        boost::system::error_code ignored;
        r->socket.close(ignored);  // ends drain()
      });
      drain(r);
    } else {
      socket.close(ec);
    }
    ++refused;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_refusal_log >= std::chrono::seconds(10)) {
      spdlog::warn(
          "server.max_connections ({}) reached: {} connection(s) refused with 503 since the last "
          "such warning (at most one every 10s)",
          limits.max_connections, refused);
      refused = 0;
      last_refusal_log = now;
    }
  }

  // Declared first, so destroyed last: the io_context destroys the handlers
  // it still holds, and with them sessions, which leave this set.
  SessionSet sessions;
  net::io_context io{1};  // one thread: asio may skip its internal locking
  tcp::acceptor acceptor;
  net::steady_timer retry;
  const Router& router;
  SessionLimits limits;
  std::optional<HttpSession::Socket> pending;  // the one being accepted
  std::chrono::steady_clock::time_point last_warning{};
  std::atomic<std::size_t>& open_connections;  // HttpServer's
  TlsSlot* tls_slot;                           // HttpServer's, or null for plain HTTP
  std::size_t refused = 0;
  std::size_t lingering = 0;  // Refusals open
  std::chrono::steady_clock::time_point last_refusal_log{};
};

Result<std::unique_ptr<HttpServer>> HttpServer::open(const tcp::endpoint& endpoint, int threads,
                                                     const Router& router,
                                                     const SessionLimits& limits,
                                                     TlsContextPtr tls) {
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->tls_on_ = tls != nullptr;
  server->tls_slot_.set(std::move(tls));
  TlsSlot* slot = server->tls_on_ ? &server->tls_slot_ : nullptr;
  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  tcp::endpoint bind_to = endpoint;
  for (int i = 0; i < std::max(1, threads); ++i) {
    auto loop = std::make_unique<Loop>(router, limits, server->open_connections_, slot);
    boost::system::error_code ec;
    loop->acceptor.open(bind_to.protocol(), ec);
    if (!ec) loop->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
      const int one = 1;
      if (::setsockopt(loop->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one,
                       sizeof one) != 0) {
        ec.assign(errno, boost::system::system_category());
      }
    }
    if (!ec) loop->acceptor.bind(bind_to, ec);
    if (!ec) loop->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail("cannot listen on " + where + ": " + ec.message());
    bind_to = loop->acceptor.local_endpoint(ec);  // port 0: the others join the first's port
    server->loops_.push_back(std::move(loop));
  }
  return server;
}

HttpServer::~HttpServer() {
  stop();
}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return loops_.front()->acceptor.local_endpoint(ec);
}

void HttpServer::start() {
  for (auto& loop : loops_) {
    Loop* l = loop.get();
    net::post(l->io, [l] { l->accept(); });
    threads_.emplace_back([l] {
      pthread_setname_np(pthread_self(), "bh-http");  // shown by top -H, ps -L
      l->io.run();
    });
  }
}

void HttpServer::abandon_sessions() {
  for (auto& loop : loops_) loop->sessions.abandon_all();
}

void HttpServer::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& loop : loops_) {
    Loop* l = loop.get();
    net::post(l->io, [l] {
      boost::system::error_code ec;
      l->acceptor.close(ec);
      l->retry.cancel();
      l->sessions.close_all();
      // Whatever is still queued (a long poll's answer) goes with the loop.
      l->io.stop();
    });
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace blockhealth::server
