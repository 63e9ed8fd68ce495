// TLS counterparts for tests: TlsTestServer, a real HTTPS server on
// 127.0.0.1 (a model server's /health, or a webhook receiver), and
// tls_get, a real HTTPS client (for the daemon's https listener). Both use
// OpenSSL through Boost.Asio, as the daemon does, but none of its code.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_TLS_PEER_H
#define BLOCKHEALTH_TESTS_SUPPORT_TLS_PEER_H

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace blockhealth::test {

struct TlsServerOptions {
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  // When set, a client certificate verified by this CA is required.
  std::optional<std::filesystem::path> client_ca_file;
  int status = 200;  // every request's answer
  std::string body = R"({"status":"ok"})";
};

// Every request gets options.status and options.body (application/json),
// over kept-alive connections, one thread per connection. Thread-safe.
class TlsTestServer {
 public:
  explicit TlsTestServer(TlsServerOptions options);  // listening once constructed
  ~TlsTestServer();                                  // stops
  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;  // "https://127.0.0.1:<port><path>"

  std::size_t requests() const { return requests_.load(); }
  std::size_t handshakes_ok() const { return handshakes_ok_.load(); }
  std::size_t handshakes_failed() const { return handshakes_failed_.load(); }
  // The bodies of the requests received, in order.
  std::vector<std::string> bodies() const;
  // The CN of the last client certificate presented, "" if none.
  std::string last_client_cn() const;

  void stop();  // idempotent

  struct Impl;

 private:
  void serve(int fd);

  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> handshakes_ok_{0};
  std::atomic<std::size_t> handshakes_failed_{0};
  mutable std::mutex mu_;
  std::vector<std::string> bodies_;
  std::string last_client_cn_;
  std::vector<int> open_fds_;  // GUARDED_BY(mu_): shut down by stop()
  std::vector<std::thread> threads_;
  std::thread acceptor_thread_;
  int listen_fd_ = -1;
  bool stopped_ = false;
};

struct TlsGetResult {
  int status = 0;  // 0 when there was no answer
  std::string body;
  std::string error;      // "" when answered: the handshake's or the exchange's failure
  std::string server_cn;  // the CN of the certificate the server presented
};

struct TlsGetOptions {
  std::filesystem::path ca_file;                   // verifies the server (and its name, 127.0.0.1)
  std::optional<std::filesystem::path> cert_file;  // a client certificate, with key_file
  std::optional<std::filesystem::path> key_file;
};

// One GET of `path` on https://127.0.0.1:<port>, on a fresh connection,
// within 10 s.
TlsGetResult tls_get(std::uint16_t port, const std::string& path, const TlsGetOptions& options);

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_TLS_PEER_H
