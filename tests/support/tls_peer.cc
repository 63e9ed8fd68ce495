#include "tests/support/tls_peer.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace blockhealth::test {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string tls_peer_cn(X509* cert) {
  if (cert == nullptr) return {};
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) <= 0) {
    return {};
  }
  return cn;
}

}  // namespace

struct TlsTestServer::Impl {
  net::io_context io;
  ssl::context context{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
};

TlsTestServer::TlsTestServer(TlsServerOptions options) : impl_(std::make_shared<Impl>()) {
  Impl& impl = *impl_;
  impl.context.use_certificate_chain_file(options.cert_file.string());
  impl.context.use_private_key_file(options.key_file.string(), ssl::context::pem);
  if (options.client_ca_file) {
    impl.context.load_verify_file(options.client_ca_file->string());
    impl.context.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  impl.acceptor.open(tcp::v4());
  impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl.acceptor.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  impl.acceptor.listen();
  port_ = impl.acceptor.local_endpoint().port();
  listen_fd_ = impl.acceptor.native_handle();
  const int status = options.status;
  const std::string body = options.body;
  acceptor_thread_ = std::thread([this, status, body] {
    for (;;) {
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;  // stop() shut the listening socket
      std::lock_guard lock(mu_);
      if (stopped_) {
        ::close(fd);
        return;
      }
      open_fds_.push_back(fd);
      threads_.emplace_back([this, fd, status, body] {
        net::io_context io;
        tcp::socket socket(io);
        boost::system::error_code ec;
        socket.assign(tcp::v4(), fd, ec);
        ssl::stream<tcp::socket&> stream(socket, impl_->context);
        stream.handshake(ssl::stream_base::server, ec);
        if (ec) {
          ++handshakes_failed_;
          socket.release(ec);  // stop() closes the descriptors
          return;
        }
        ++handshakes_ok_;
        {
          std::lock_guard l(mu_);
          last_client_cn_ = tls_peer_cn(SSL_get0_peer_certificate(stream.native_handle()));
        }
        boost::beast::flat_buffer buffer;
        for (;;) {
          http::request<http::string_body> req;
          http::read(stream, buffer, req, ec);
          if (ec) break;
          {
            std::lock_guard l(mu_);
            bodies_.push_back(req.body());
          }
          ++requests_;
          http::response<http::string_body> res{static_cast<http::status>(status), 11};
          res.set(http::field::content_type, "application/json");
          res.body() = body;
          res.keep_alive(req.keep_alive());
          res.prepare_payload();
          http::write(stream, res, ec);
          if (ec || !req.keep_alive()) break;
        }
        socket.release(ec);
      });
    }
  });
}

TlsTestServer::~TlsTestServer() {
  stop();
}

void TlsTestServer::stop() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  acceptor_thread_.join();
  {
    std::lock_guard lock(mu_);
    threads.swap(threads_);
  }
  for (auto& t : threads) t.join();
  std::lock_guard lock(mu_);
  for (int fd : open_fds_) ::close(fd);
  open_fds_.clear();
  boost::system::error_code ec;
  impl_->acceptor.close(ec);
}

std::string TlsTestServer::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::string> TlsTestServer::bodies() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

std::string TlsTestServer::last_client_cn() const {
  std::lock_guard lock(mu_);
  return last_client_cn_;
}

TlsGetResult tls_get(std::uint16_t port, const std::string& path, const TlsGetOptions& options) {
  TlsGetResult out;
  net::io_context io;
  ssl::context context(ssl::context::tls_client);
  boost::system::error_code ec;
  context.load_verify_file(options.ca_file.string(), ec);
  if (ec) {
    out.error = "ca_file: " + ec.message();
    return out;
  }
  context.set_verify_mode(ssl::verify_peer);
  if (options.cert_file && options.key_file) {
    context.use_certificate_chain_file(options.cert_file->string());
    context.use_private_key_file(options.key_file->string(), ssl::context::pem);
  }
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    out.error = "connect: " + ec.message();
    return out;
  }
  timeval tv{10, 0};
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssl::stream<tcp::socket&> stream(socket, context);
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(stream.native_handle()), "127.0.0.1");
  stream.handshake(ssl::stream_base::client, ec);
  if (ec) {
    out.error = "handshake: " + ec.message();
    return out;
  }
  out.server_cn = tls_peer_cn(SSL_get0_peer_certificate(stream.native_handle()));
  http::request<http::empty_body> req{http::verb::get, path, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.keep_alive(false);
  http::write(stream, req, ec);
  if (ec) {
    out.error = "write: " + ec.message();
    return out;
  }
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) {
    // TLS 1.3: a refused client certificate shows up here, not in the handshake.
    out.error = "read: " + ec.message();
    return out;
  }
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  return out;
}

}  // namespace blockhealth::test
