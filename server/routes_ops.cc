// The daemon's own endpoints: liveness, readiness, metrics, reload.
#include "server/routes.h"

namespace blockhealth::server {

void add_ops_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::get, "/healthz",
             [](const Request& req, const RouteParams&, Responder respond) {
               respond(json_response(req, http::status::ok, R"({"status":"ok"})"));
             });

  router.add(http::verb::get, "/readyz",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               if (!ctx.ready.load()) {
                 respond(json_response(req, http::status::service_unavailable,
                                       R"({"status":"starting"})"));
                 return;
               }
               respond(json_response(req, http::status::ok, R"({"status":"ready"})"));
             });

  router.add(http::verb::get, "/metrics",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               std::string body;
               ctx.metrics.render(body);
               respond(text_response(req, http::status::ok, std::move(body),
                                     "text/plain; version=0.0.4; charset=utf-8"));
             });

  router.add(http::verb::post, "/v1/reload",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               ctx.reload([head = request_head(req),
                           respond = std::move(respond)](const Result<std::string>& reloaded) {
                 if (!reloaded) {
                   respond(error_response(head, http::status::unprocessable_entity,
                                          "reload rejected, the running configuration is "
                                          "unchanged:\n" +
                                              reloaded.error().message));
                   return;
                 }
                 respond(json_response(head, http::status::ok, *reloaded));
               });
             });
}

}  // namespace blockhealth::server
