// WebhookReceiver: a real HTTP server on 127.0.0.1, on its own thread, that
// stands in for a webhook or failure-policy receiver in tests. It records
// every request (method, target, headers, body) and answers from a script
// (e.g. 503, 503, then 200), can hang (read the request, never answer),
// and can go down and come back up on the same port.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_WEBHOOK_RECEIVER_H
#define BLOCKHEALTH_TESTS_SUPPORT_WEBHOOK_RECEIVER_H

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace blockhealth::test {

struct ReceivedRequest {
  std::string method;                          // "POST"
  std::string target;                          // "/hook?x=1"
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  // The header's value, "" when absent. `name` in any case.
  std::string header(const std::string& name) const;
  // The body as JSON; fails the current test (and is null) when it is not.
  boost::json::value json() const;
};

struct ReceiverReply {
  enum class Kind { kAnswer, kHang };
  Kind kind = Kind::kAnswer;
  int status = 200;
  std::string body;

  static ReceiverReply answer(int status, std::string body = "");
  static ReceiverReply hang();
};

// Thread-safe: every method may be called from any thread.
class WebhookReceiver {
 public:
  WebhookReceiver();                             // up, on a port the OS chose
  explicit WebhookReceiver(std::uint16_t port);  // up, on `port` (e.g. a closed_port() from before)
  ~WebhookReceiver();                            // down
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  // Replies to the next requests, in order; once used up, the fallback
  // (200 with an empty body unless set).
  void script(std::vector<ReceiverReply> replies);
  void set_fallback(ReceiverReply reply);

  // Closes the port and every connection (hung ones too). Idempotent.
  void stop();
  // Listens again on the same port (requests recorded so far are kept).
  void start();
  bool running() const;

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& target) const;  // "http://127.0.0.1:<port><target>"

  std::vector<ReceivedRequest> requests() const;  // in arrival order
  std::size_t count() const;
  // Polls until at least `n` requests arrived; false at the deadline.
  bool wait_for(std::size_t n,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000)) const;

  struct Server;  // one listening period (webhook_receiver.cc)
  struct Shared;  // what outlives it: the script and the record

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Server> server_;
  mutable std::mutex mu_;  // serializes start/stop
  std::uint16_t port_ = 0;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_WEBHOOK_RECEIVER_H
