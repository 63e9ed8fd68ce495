#include "server/router.h"

#include <boost/url/parse.hpp>
#include <set>

namespace blockhealth::server {
namespace {

std::vector<std::string> split_pattern(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t start = 1;
  while (start <= pattern.size()) {
    const std::size_t end = pattern.find('/', start);
    out.push_back(
        pattern.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
           std::vector<std::string>& captured) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{}") {
      if (path[i].empty()) return false;
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != "{}") continue;
    if (captured.size() <= k) captured.emplace_back();
    captured[k++].assign(path[i]);
  }
  captured.resize(k);
  return true;
}

}  // namespace

void Router::add(http::verb method, std::string pattern, Handler handler) {
  routes_.push_back({method, split_pattern(pattern), std::move(handler)});
}

void Router::dispatch(const Request& req, Responder respond) const {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) {
    respond(error_response(req, http::status::bad_request,
                           "malformed request target: " + std::string(req.target().substr(0, 200)) +
                               " (" + url.error().message() + ")"));
    return;
  }
  // Reused per thread: a request allocates nothing here once the strings
  // have their capacity. Handlers copy what they keep (the contract of
  // RouteParams: valid during the handler call).
  thread_local RouteParams params;
  thread_local std::vector<std::string> path;
  params.query.clear();
  std::size_t n = 0;
  for (auto segment : url->encoded_segments()) {
    if (path.size() <= n) path.emplace_back();
    path[n].clear();
    segment.decode({}, boost::urls::string_token::append_to(path[n]));
    ++n;
  }
  if (n == 0) {  // "/" is one empty segment, as in patterns
    if (path.empty()) path.emplace_back();
    path[0].clear();
    n = 1;
  }
  path.resize(n);
  for (auto param : url->params()) params.query[std::string(param.key)] = std::string(param.value);

  const bool head = req.method() == http::verb::head;
  const http::verb method = head ? http::verb::get : req.method();
  std::set<std::string> allowed;
  for (const Route& route : routes_) {
    if (!match(route.segments, path, params.path)) continue;
    if (route.method != method) {
      allowed.insert(std::string(http::to_string(route.method)));
      if (route.method == http::verb::get) allowed.insert("HEAD");
      continue;
    }
    if (method != http::verb::get && write_guard_) {
      if (auto denied = write_guard_(req)) {
        respond(std::move(*denied));
        return;
      }
    }
    if (head) {
      route.handler(req, params, [respond = std::move(respond)](Response res) {
        // Content-Length still tells the GET body's size; a 304 has none.
        if (res.result() != http::status::not_modified) res.drop_body();
        respond(std::move(res));
      });
    } else {
      route.handler(req, params, std::move(respond));
    }
    return;
  }
  if (!allowed.empty()) {
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response res = error_response(
        req, http::status::method_not_allowed,
        std::string(req.method_string()) + " is not allowed on " + url->path() + "; use " + allow);
    res.set(http::field::allow, allow);
    respond(std::move(res));
    return;
  }
  respond(error_response(
      req, http::status::not_found,
      "no such endpoint: " + std::string(req.method_string()) + " " + std::string(url->path())));
}

}  // namespace blockhealth::server
