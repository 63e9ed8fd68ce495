// A small synchronous HTTP/1.1 client for tests (Boost.Beast), speaking to
// the real daemon or to fake instances on loopback.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_HTTP_CLIENT_H
#define BLOCKHEALTH_TESTS_SUPPORT_HTTP_CLIENT_H

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <string>

namespace blockhealth::test {

struct HttpReply {
  int status = 0;  // 0 when the request failed; see error
  std::string error;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;

  // The body parsed as JSON; fails the current test when it is not JSON.
  boost::json::value json() const;
  std::string header(const std::string& name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{10'000};
};

// Sends one request on a new connection to `address` ("127.0.0.1:1234").
HttpReply http_request(const std::string& address, const HttpRequest& request);
HttpReply http_get(const std::string& address, const std::string& target);
HttpReply http_post(const std::string& address, const std::string& target, const std::string& body,
                    const std::string& content_type = "application/json");

// Sends raw bytes and returns whatever comes back until the peer closes or
// the timeout passes (for malformed-request tests).
std::string raw_exchange(const std::string& address, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_HTTP_CLIENT_H
