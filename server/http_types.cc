#include "server/http_types.h"

#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <sstream>

#include "core/util/json_text.h"
#include "core/util/text.h"

namespace blockhealth::server {

Response text_response(const Request& req, http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, req.version()};
  res.set(http::field::server, "blockhealthd");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(const Request& req, http::status status, std::string body) {
  return text_response(req, status, std::move(body), "application/json");
}

Response json_response(const Request& req, http::status status, std::shared_ptr<const void> owner,
                       std::string_view body) {
  Response res = text_response(req, status, std::string(), "application/json");
  res.set_shared_body(std::move(owner), body);
  return res;
}

void Response::set_shared_body(std::shared_ptr<const void> owner, std::string_view bytes) {
  body().clear();
  shared_owner_ = std::move(owner);
  shared_bytes_ = bytes;
  content_length(bytes.size());
}

void Response::drop_body() {
  const std::size_t length = wire_body().size();
  body().clear();
  shared_owner_.reset();
  shared_bytes_ = {};
  content_length(length);
}

Request request_head(const Request& req) {
  Request head;
  head.version(req.version());
  head.keep_alive(req.keep_alive());
  return head;
}

Response error_response(const Request& req, http::status status, std::string_view message) {
  return error_response(req, status, message, message);
}

Response error_response(const Request& req, http::status status, std::string_view message,
                        std::string_view aios_error) {
  // Messages quote what the client sent (a path, a key): made valid UTF-8
  // here, once for every error, so that the answer is valid JSON text.
  boost::json::object o{{"success", false},
                        {"error", sanitize_utf8(aios_error)},
                        {"message", sanitize_utf8(message)}};
  return json_response(req, status, to_json_text(o));
}

Response error_response(const Request& req, http::status status, std::string_view message,
                        const std::vector<BodyProblem>& problems) {
  boost::json::array list;
  for (const BodyProblem& p : problems) {
    list.push_back(boost::json::object{{"pointer", sanitize_utf8(p.pointer)},
                                       {"message", sanitize_utf8(p.message)}});
  }
  boost::json::object o{{"success", false},
                        {"error", sanitize_utf8(message)},
                        {"message", sanitize_utf8(message)},
                        {"problems", std::move(list)}};
  return json_response(req, status, to_json_text(o));
}

Response error_response(const Request& req, const Error& error) {
  http::status status = http::status::bad_request;
  switch (error.code) {
    case ErrorCode::kInvalid:
      status = http::status::bad_request;
      break;
    case ErrorCode::kNotFound:
      status = http::status::not_found;
      break;
    case ErrorCode::kConflict:
      status = http::status::conflict;
      break;
    case ErrorCode::kBusy:
    case ErrorCode::kUnavailable:
      status = http::status::service_unavailable;
      break;
    case ErrorCode::kTimeout:
      status = http::status::gateway_timeout;
      break;
  }
  Response res = error_response(req, status, error.message);
  if (error.code == ErrorCode::kBusy) res.set(http::field::retry_after, "1");
  return res;
}

std::string refusal_wire_text(std::string_view message) {
  Request req;
  req.version(11);
  Response res = error_response(req, http::status::service_unavailable, message);
  res.set(http::field::retry_after, "1");
  res.keep_alive(false);
  res.prepare_payload();
  std::ostringstream out;
  out << static_cast<const http::response<http::string_body>&>(res);
  return out.str();
}

}  // namespace blockhealth::server
