#include "tests/server/route_harness.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

namespace blockhealth::server::test {

RouteHarness::RouteHarness(EngineOptions options)
    : engine_(options),
      events_(engine_.engine().notifier(), 1'000),
      work_(boost::asio::make_work_guard(io_)),
      io_thread_([this] { io_.run(); }),
      ctx_(new ServerContext{engine_.engine(), metrics_, io_, events_, {}, {}, {}}) {
  engine_.listener().forward_to(&events_);
  ctx_->ingest = register_ingest_metrics(metrics_);
  ctx_->reload = [this](ServerContext::ReloadDone done) {
    done(reload_ ? reload_() : Result<std::string>(fail("no reload configured")));
  };
  router_.set_write_guard([this](const Request& req) { return auth_.check(req); });
  add_aios_routes(router_, *ctx_);
  add_block_routes(router_, *ctx_);
  add_ingest_routes(router_, *ctx_);
  add_ops_routes(router_, *ctx_);
  add_hold_routes(router_, *ctx_);
  add_event_routes(router_, *ctx_);
  add_ui_routes(router_);
}

RouteHarness::~RouteHarness() {
  engine_.engine().stop();  // no more transitions for events_
  work_.reset();
  io_.stop();
  io_thread_.join();
}

Response RouteHarness::send(http::verb method, const std::string& target, const std::string& body,
                            const std::string& content_type,
                            const std::map<std::string, std::string>& headers) {
  Request req{method, target, 11};
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  auto promise = std::make_shared<std::promise<Response>>();
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto future = promise->get_future();
  router_.dispatch(req, [promise, calls](Response res) {
    if (++*calls == 1) {
      promise->set_value(std::move(res));
    } else {
      ADD_FAILURE() << "a responder was called twice";
    }
  });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "no response to " << req.method_string() << " " << target;
    return Response{};
  }
  Response res = future.get();
  // A shared body is what goes on the wire: the tests read it as the body.
  if (res.has_shared_body()) res.body() = std::string(res.shared_body());
  return res;
}

boost::json::value RouteHarness::json_of(const Response& res) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(res.body(), ec);
  EXPECT_FALSE(ec) << "not JSON: " << res.body();
  return v;
}

std::string RouteHarness::message_of(const Response& res) {
  const boost::json::value v = json_of(res);
  if (!v.is_object() || !v.as_object().contains("message")) {
    ADD_FAILURE() << "no message in " << res.body();
    return "";
  }
  return std::string(v.at("message").as_string());
}

std::string RouteHarness::metrics_text() {
  std::string out;
  metrics_.render(out);
  return out;
}

}  // namespace blockhealth::server::test
