// HTTP requests as a client sends them: Beast's parser with the session's
// limits, then the daemon's Router (path matching, percent-decoding, query
// parameters, the write guard, 400/401/404/405 answers) and the query
// readers the routes use (?index=, ?wait=), over the daemon's route
// patterns. Every answer is serialized as it would be sent.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "server/auth.h"
#include "server/http_session.h"
#include "server/http_types.h"
#include "server/long_poll.h"
#include "server/router.h"

namespace {

namespace bs = blockhealth::server;
namespace http = boost::beast::http;

const bs::Router& router() {
  static const bs::Router* const r = [] {
    auto* out = new bs::Router();
    static bs::WriteAuth auth;
    auth.set_token(std::string("fuzz-token"));
    out->set_write_guard([](const bs::Request& req) { return auth.check(req); });
    const auto echo = [](const bs::Request& req, const bs::RouteParams& p, bs::Responder respond) {
      std::string body;
      for (const std::string& s : p.path) body += s + "\n";
      for (const auto& [k, v] : p.query) body += k + "=" + v + "\n";
      (void)bs::parse_uint_param(p, "index");
      (void)bs::parse_uint_param(p, "limit");
      (void)bs::parse_wait(p);
      respond(bs::json_response(req, http::status::ok, "\"" + std::to_string(body.size()) + "\""));
    };
    for (const char* pattern :
         {"/block/health/{}", "/v1/blocks", "/v1/blocks/{}", "/v1/blocks/{}/history", "/v1/events",
          "/v1/silences", "/metrics", "/healthz"}) {
      out->add(http::verb::get, pattern, echo);
    }
    for (const char* pattern : {"/v1/blocks/{}", "/v1/blocks/{}/instances/{}",
                                "/v1/blocks/{}/instances/{}/maintenance"}) {
      out->add(http::verb::put, pattern, echo);
      out->add(http::verb::delete_, pattern, echo);
    }
    for (const char* pattern : {"/v1/reload", "/v1/silences", "/v1/blocks/{}/instances",
                                "/v1/blocks/{}/instances/{}/metrics", "/mgmt"}) {
      out->add(http::verb::post, pattern, echo);
    }
    return out;
  }();
  return *r;
}

void send(const bs::Response& res) {
  std::ostringstream out;
  http::response<http::string_body> copy = res;
  copy.body() = std::string(res.wire_body());
  copy.prepare_payload();
  out << copy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bs::SessionLimits limits;
  http::request_parser<http::string_body> parser;
  parser.header_limit(limits.header_limit);
  parser.body_limit(64 * 1024);
  boost::beast::error_code ec;
  std::size_t used = 0;
  const char* bytes = reinterpret_cast<const char*>(data);
  // Fed in two pieces, as a slow client would.
  const std::size_t half = size / 2;
  used = parser.put(boost::asio::buffer(bytes, half), ec);
  if (ec == http::error::need_more) ec = {};
  if (!ec && !parser.is_done()) {
    parser.put(boost::asio::buffer(bytes + used, size - used), ec);
    // The client closed: what the session's read does at end of stream.
    if (ec == http::error::need_more && parser.got_some()) parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) return 0;
  const bs::Request req = parser.release();
  router().dispatch(req, [](bs::Response res) { send(res); });
  return 0;
}
