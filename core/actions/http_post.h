// async_post: one HTTP/1.1 POST on a fresh connection (Boost.Beast client;
// TLS for https://, ClientStream),
// bounded by a timeout over the whole exchange. Deliveries are rare and
// go to many receivers, so no connection is kept.
#ifndef BLOCKHEALTH_CORE_ACTIONS_HTTP_POST_H
#define BLOCKHEALTH_CORE_ACTIONS_HTTP_POST_H

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"

namespace blockhealth {

struct PostRequest {
  HttpUrl url;
  std::string body;
  // Sent after Host, User-Agent ("blockhealthd"), Content-Type
  // ("application/json") and Connection: close; a header named here
  // replaces a default of the same name. Content-Length is always set.
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{5'000};  // resolve to the last byte of the answer
  std::uint64_t response_body_limit = std::uint64_t{64} * 1024;
  TlsConfig tls;  // how an https:// url is spoken to
};

struct PostResult {
  int http_status = 0;  // 0 when there was no answer
  // "" when answered; else what failed: "connect: Connection refused",
  // "timed out after 250ms (waiting for the answer)", "resolve: Host not found ...",
  // "TLS: certificate verify failed (certificate has expired)".
  std::string error;
  // The answer's body, at most response_body_limit bytes (cut there).
  std::string body;
  std::chrono::microseconds duration{0};
};

// Starts the POST. `done` is called exactly once, on `executor`, unless its
// io_context is stopped or destroyed first (then never). Thread-safety: may
// be called from any thread; the exchange runs on `executor`, which must be
// run by one thread (or be a strand).
void async_post(const boost::asio::any_io_executor& executor, PostRequest request,
                std::function<void(PostResult)> done);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ACTIONS_HTTP_POST_H
