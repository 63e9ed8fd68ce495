// RouteHarness: every route of the daemon on a Router over a real
// in-process Engine (test plugins, manual clock), with the ingest counters
// and write guard the daemon installs. Requests are dispatched directly:
// no sockets.
#ifndef BLOCKHEALTH_TESTS_SERVER_ROUTE_HARNESS_H
#define BLOCKHEALTH_TESTS_SERVER_ROUTE_HARNESS_H

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "core/engine/event_log.h"
#include "core/prometheus/metrics_registry.h"
#include "server/auth.h"
#include "server/router.h"
#include "server/routes.h"
#include "server/server_context.h"
#include "tests/core/engine/engine_harness.h"

namespace blockhealth::server::test {

using blockhealth::test::EngineHarness;

class RouteHarness {
 public:
  explicit RouteHarness(EngineOptions options = EngineHarness::default_options());
  // Stops the engine, then the I/O thread, before anything they use dies.
  ~RouteHarness();
  RouteHarness(const RouteHarness&) = delete;
  RouteHarness& operator=(const RouteHarness&) = delete;

  EngineHarness& engine() { return engine_; }
  EventLog& events() { return events_; }
  ServerContext& context() { return *ctx_; }
  WriteAuth& auth() { return auth_; }
  prometheus::MetricsRegistry& metrics() { return metrics_; }
  // What POST /v1/reload and the mgmt "reload" action call; by default
  // an error "no reload configured".
  void set_reload(std::function<Result<std::string>()> reload) { reload_ = std::move(reload); }

  // Dispatches one request and waits (with a deadline) for its response.
  Response send(http::verb method, const std::string& target, const std::string& body = "",
                const std::string& content_type = "",
                const std::map<std::string, std::string>& headers = {});
  Response get(const std::string& target) { return send(http::verb::get, target); }
  Response post_json(const std::string& target, const std::string& body) {
    return send(http::verb::post, target, body, "application/json");
  }

  // The body parsed as JSON (fails the test when it is not).
  static boost::json::value json_of(const Response& res);
  static std::string message_of(const Response& res);
  // The rendered /metrics text.
  std::string metrics_text();

 private:
  EngineHarness engine_;
  EventLog events_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread io_thread_;
  prometheus::MetricsRegistry metrics_;
  std::unique_ptr<ServerContext> ctx_;
  WriteAuth auth_;
  Router router_;
  std::function<Result<std::string>()> reload_;
};

}  // namespace blockhealth::server::test

#endif  // BLOCKHEALTH_TESTS_SERVER_ROUTE_HARNESS_H
