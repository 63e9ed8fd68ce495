#include "tests/support/http_client.h"

#include <gtest/gtest.h>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace blockhealth::test {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

std::pair<std::string, std::string> split_address(const std::string& address) {
  const auto colon = address.rfind(':');
  return {address.substr(0, colon), address.substr(colon + 1)};
}

}  // namespace

boost::json::value HttpReply::json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) ADD_FAILURE() << "not JSON (" << ec.message() << "): " << body;
  return v;
}

std::string HttpReply::header(const std::string& name) const {
  auto it = headers.find(boost::algorithm::to_lower_copy(name));
  return it == headers.end() ? "" : it->second;
}

HttpReply http_request(const std::string& address, const HttpRequest& request) {
  HttpReply reply;
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    auto [host, port] = split_address(address);
    tcp::resolver resolver(io);
    stream.expires_after(request.timeout);
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
    req.set(http::field::host, host);
    for (const auto& [k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    if (request.method == "HEAD") parser.skip(true);
    http::read(stream, buffer, parser);
    const auto& res = parser.get();
    reply.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      reply.headers[boost::algorithm::to_lower_copy(std::string(field.name_string()))] =
          std::string(field.value());
    }
    reply.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  } catch (const std::exception& e) {
    reply.status = 0;
    reply.error = e.what();
  }
  return reply;
}

HttpReply http_get(const std::string& address, const std::string& target) {
  HttpRequest r;
  r.target = target;
  return http_request(address, r);
}

HttpReply http_post(const std::string& address, const std::string& target, const std::string& body,
                    const std::string& content_type) {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.headers["Content-Type"] = content_type;
  return http_request(address, r);
}

std::string raw_exchange(const std::string& address, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  std::string out;
  try {
    net::io_context io;
    beast::tcp_stream stream(io);
    auto [host, port] = split_address(address);
    tcp::resolver resolver(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(host, port));
    net::write(stream, net::buffer(bytes));
    char buf[4096];
    beast::error_code ec;
    while (true) {
      stream.expires_after(timeout);
      const std::size_t n = stream.read_some(net::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
  } catch (const std::exception& e) {
    out += std::string("\n[client error: ") + e.what() + "]";
  }
  return out;
}

}  // namespace blockhealth::test
