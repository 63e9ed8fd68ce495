// FakeInstance: a real HTTP server on 127.0.0.1 (port chosen by the OS) on
// its own thread, standing in for a model server's /health and /metrics in
// tests. What each path answers is programmable - a status and body, a
// delay, a hang, a reset, a close without answer, raw garbage, a huge
// streamed body - and it counts requests and connections (to prove
// keep-alive).
#ifndef BLOCKHEALTH_TESTS_SUPPORT_FAKE_INSTANCE_H
#define BLOCKHEALTH_TESTS_SUPPORT_FAKE_INSTANCE_H

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace blockhealth::test {

struct FakeResponse {
  enum class Action {
    kAnswer,  // status + body (after `delay`)
    kHang,    // read the request, never answer (until the server stops)
    kReset,   // read the request, then reset the connection (RST)
    kClose,   // read the request, then close without a byte
    kRaw,     // send `raw` as is, then close
    kStream,  // 200 with a body of `stream_bytes` bytes, written in 64 KiB pieces
  };
  Action action = Action::kAnswer;
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};
  bool keep_alive = true;          // kAnswer: false says "Connection: close" and closes
  bool close_after = false;        // kAnswer: closes after answering, though it said keep-alive
                                   // (as a server's idle timeout does)
  std::string raw;                 // kRaw
  std::uint64_t stream_bytes = 0;  // kStream
  bool chunked = false;            // kStream: chunked encoding, no Content-Length

  static FakeResponse answer(int status, std::string body,
                             std::string content_type = "application/json");
  static FakeResponse hang();
  static FakeResponse reset();
  static FakeResponse close();
  static FakeResponse raw_bytes(std::string bytes);
  static FakeResponse stream(std::uint64_t bytes, bool chunked);
};

// Thread-safe: every method may be called from any thread while the server
// runs. Paths with no response set answer 404.
class FakeInstance {
 public:
  FakeInstance();   // listening once constructed
  ~FakeInstance();  // stops
  FakeInstance(const FakeInstance&) = delete;
  FakeInstance& operator=(const FakeInstance&) = delete;

  // What `path` (the request target, query included) answers from now on.
  void set(const std::string& path, FakeResponse response);

  std::uint16_t port() const { return port_; }
  std::string address() const;                     // "127.0.0.1:<port>"
  std::string url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

  std::size_t requests(const std::string& path) const;  // requests received for `path`
  std::size_t connections() const;                      // connections accepted

  // Stops serving and closes every connection (hung ones too). Idempotent.
  void stop();

  // A loopback port with nothing listening on it (bound, then released).
  static std::uint16_t closed_port();

  struct Impl;  // the server's internals (fake_instance.cc)

 private:
  std::shared_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_FAKE_INSTANCE_H
