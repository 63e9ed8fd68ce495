// ClientStream: the connection of an HTTP client (HttpFetcher, async_post),
// plain TCP or TLS over it, so both clients share one connect/handshake
// path. The TLS side checks the certificate chain and the host name
// (TlsConfig::server_name, else the URL's host; an IP literal is checked
// against IP subjectAltNames) and sends SNI for names.
#ifndef BLOCKHEALTH_CORE_NET_CLIENT_STREAM_H
#define BLOCKHEALTH_CORE_NET_CLIENT_STREAM_H

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "core/config/config.h"
#include "core/net/tls_context.h"
#include "core/util/result.h"

namespace blockhealth {

// Thread-safety: not thread-safe; one executor (strand) uses it.
class ClientStream {
 public:
  using Tcp = boost::asio::ip::tcp::socket;
  using Tls = boost::asio::ssl::stream<Tcp&>;

  explicit ClientStream(const boost::asio::any_io_executor& executor) : socket_(executor) {}

  // The TCP socket: connect it, then (for https) begin_tls.
  Tcp& socket() { return socket_; }
  bool is_open() const { return socket_.is_open(); }

  // Puts TLS over the connected socket for `url`, as `tls` says. The error
  // ("TLS: ca_file '/x': ...") means no context could be built.
  Result<void> begin_tls(const HttpUrl& url, const TlsConfig& tls);

  // The client handshake. REQUIRES: begin_tls succeeded.
  template <typename Handler>
  void async_handshake(Handler&& handler) {
    tls_->async_handshake(boost::asio::ssl::stream_base::client, std::forward<Handler>(handler));
  }

  // Calls f(stream) with the TLS stream after begin_tls, else the socket:
  // for Beast's generic http::async_read / async_write.
  template <typename F>
  void visit(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(socket_);
    }
  }

  // The readable reason of a failed handshake, always starting "TLS: ":
  // "TLS: certificate verify failed (certificate has expired)",
  // "TLS: certificate is for localhost, not 127.0.0.2",
  // "TLS: handshake failed (wrong version number)".
  std::string handshake_failure(const boost::system::error_code& ec) const;

  // Closes the connection at once (no close_notify) and drops its TLS
  // state; the stream may connect again.
  void close();

 private:
  // What the verify callback saw first on this connection.
  struct VerifyNote {
    int error = 0;         // X509_V_ERR_*, 0 = none
    std::string names;     // the failing certificate's DNS/IP names (or CN)
    std::string expected;  // the name or address checked
  };

  Tcp socket_;
  mutable std::optional<Tls> tls_;  // mutable: native_handle() is not const
  TlsContextPtr context_;           // keeps the context alive while tls_ uses it
  std::shared_ptr<VerifyNote> note_;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_NET_CLIENT_STREAM_H
