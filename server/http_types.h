// The HTTP request and response types shared by the server's parts.
#ifndef BLOCKHEALTH_SERVER_HTTP_TYPES_H
#define BLOCKHEALTH_SERVER_HTTP_TYPES_H

#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/api_block_reader.h"
#include "core/util/result.h"

namespace blockhealth::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;

// A response: Beast's message with a string body, or, for large bodies kept
// elsewhere (a view's serialized detail), a shared body that is written
// without a copy: shared_body() then replaces body() on the wire, and the
// owner keeps its bytes alive until the write is done.
class Response : public http::response<http::string_body> {
 public:
  using http::response<http::string_body>::response;
  Response() = default;

  // Sends `bytes` (owned by `owner`) as the body; sets Content-Length.
  void set_shared_body(std::shared_ptr<const void> owner, std::string_view bytes);
  bool has_shared_body() const { return shared_owner_ != nullptr; }
  std::string_view shared_body() const { return shared_bytes_; }
  // The body as written on the wire, whichever kind it is.
  std::string_view wire_body() const {
    return has_shared_body() ? shared_bytes_ : std::string_view(body());
  }
  // Drops the body but keeps Content-Length (HEAD).
  void drop_body();

 private:
  std::shared_ptr<const void> shared_owner_;
  std::string_view shared_bytes_;
};

// Delivers the response to one request. May be called from any thread, and
// must be called exactly once.
using Responder = std::function<void(Response)>;

// The request without its body: what a response made later (on another
// thread, after the request is gone) needs of it (version, keep-alive).
Request request_head(const Request& req);

// A JSON response with `body`, Content-Type application/json, and the
// request's version and keep-alive.
Response json_response(const Request& req, http::status status, std::string body);
// The same with a shared body (see Response::set_shared_body).
Response json_response(const Request& req, http::status status, std::shared_ptr<const void> owner,
                       std::string_view body);
// {"success": false, "error": message, "message": message} with `status`:
// AIOS clients read `error`, /v1 clients `message` (docs/http-api.md).
// Invalid UTF-8 in the texts (echoed from a request) becomes U+FFFD.
Response error_response(const Request& req, http::status status, std::string_view message);
// The same with AIOS's own words in `error` (e.g. "No block data found")
// and ours in `message`.
Response error_response(const Request& req, http::status status, std::string_view message,
                        std::string_view aios_error);
// The same with "problems": [{"pointer": ..., "message": ...}, ...]: what is
// wrong with a request body, located by JSON pointer.
Response error_response(const Request& req, http::status status, std::string_view message,
                        const std::vector<BodyProblem>& problems);
// error_response with the status that fits error.code: kInvalid 400,
// kNotFound 404, kConflict 409, kBusy 503 (with Retry-After), kTimeout 504,
// kUnavailable 503.
Response error_response(const Request& req, const Error& error);

// The bytes of a whole answer to a connection refused before any request
// was read (past server.max_connections): 503 with the error body above,
// Retry-After: 1 and Connection: close. Written once per refusal, so built
// once by the caller.
std::string refusal_wire_text(std::string_view message);
Response text_response(const Request& req, http::status status, std::string body,
                       std::string_view content_type);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_HTTP_TYPES_H
