// Router: maps a request's method and path to a handler, and answers the
// requests no handler takes (400 bad target, 404, 405 with Allow, 401).
#ifndef BLOCKHEALTH_SERVER_ROUTER_H
#define BLOCKHEALTH_SERVER_ROUTER_H

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/http_types.h"

namespace blockhealth::server {

// What a handler gets besides the request: the path's "{}" segments,
// percent-decoded, and the query parameters (decoded; a repeated key keeps
// its last value). Valid during the handler call only: a handler that
// answers later copies what it needs.
struct RouteParams {
  std::vector<std::string> path;
  std::map<std::string, std::string, std::less<>> query;

  // The query value of `key`, or nullopt.
  std::optional<std::string_view> get(std::string_view key) const {
    auto it = query.find(key);
    if (it == query.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

using Handler = std::function<void(const Request&, const RouteParams&, Responder)>;

// Decides whether a write request may proceed: nullopt when yes, else the
// error response (401).
using WriteGuard = std::function<std::optional<Response>(const Request&)>;

// Immutable after setup; dispatch() is safe from many threads at once.
class Router {
 public:
  // `pattern` is a path whose segments are literals or "{}" (one segment).
  // Write routes (any method but GET/HEAD) pass the WriteGuard first.
  void add(http::verb method, std::string pattern, Handler handler);
  void set_write_guard(WriteGuard guard) { write_guard_ = std::move(guard); }

  // Calls the matching handler, or responds itself with 400/401/404/405.
  // HEAD is served by the GET handler with the body removed.
  void dispatch(const Request& req, Responder respond) const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  WriteGuard write_guard_;
};

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_ROUTER_H
