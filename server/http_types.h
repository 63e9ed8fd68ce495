// The HTTP request and response types shared by the server's parts.
#ifndef BLOCKHEALTH_SERVER_HTTP_TYPES_H
#define BLOCKHEALTH_SERVER_HTTP_TYPES_H

#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "core/util/result.h"

namespace blockhealth::server {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Delivers the response to one request. May be called from any thread, and
// must be called exactly once.
using Responder = std::function<void(Response)>;

// A JSON response with `body`, Content-Type application/json, and the
// request's version and keep-alive.
Response json_response(const Request& req, http::status status, std::string body);
// {"success": false, "message": message} with `status`.
Response error_response(const Request& req, http::status status, std::string_view message);
// error_response with the status that fits error.code: kInvalid 400,
// kNotFound 404, kConflict 409, kBusy 503 (with Retry-After), kTimeout 504,
// kUnavailable 503.
Response error_response(const Request& req, const Error& error);
Response text_response(const Request& req, http::status status, std::string body,
                       std::string_view content_type);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_HTTP_TYPES_H
