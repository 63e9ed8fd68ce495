// GET endpoints of the richer /v1 API. Each answers from the published
// views: a lookup and a copy of a pre-serialized body.
#include <algorithm>
#include <charconv>
#include <cstdint>

#include "core/wire/block_bodies.h"
#include "core/wire/discovery_json.h"
#include "core/wire/plugins_json.h"
#include "server/long_poll.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace {

constexpr std::size_t kMaxHistoryLimit = 10'000;

}  // namespace

void add_block_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::get, "/v1/blocks",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               std::string body = R"({"blocks":[)";
               bool first = true;
               // Held here: a reload may replace the registry meanwhile (a
               // range-for over views()->ordered would not keep it alive).
               const ViewRegistryConstSharedPtr registry = ctx.engine.views();
               for (const BlockBoardSharedPtr& board : registry->ordered) {
                 const BlockViewConstSharedPtr view = board->view();
                 if (!view) continue;
                 body += first ? "" : ",";
                 body += wire::bodies_of(*view).summary();
                 first = false;
               }
               body += "]}";
               respond(json_response(req, http::status::ok, std::move(body)));
             });

  // With ?index=N the request waits (up to ?wait=, default 30s, at most 5m)
  // until the block's state_index is past N, then answers the new view; on
  // timeout it answers the unchanged one. X-Blockhealth-Index carries the
  // index either way.
  router.add(http::verb::get, "/v1/blocks/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               const std::string id = p.path[0];
               const BlockViewConstSharedPtr view = ctx.engine.views()->find(id);
               if (!view) {
                 respond(error_response(req, http::status::not_found,
                                        "block '" + id + "' is not configured"));
                 return;
               }
               auto answer = [&ctx, req, id]() {
                 const BlockViewConstSharedPtr current = ctx.engine.views()->find(id);
                 if (!current) {
                   return error_response(req, http::status::not_found,
                                         "block '" + id + "' is no longer configured");
                 }
                 // No copy (the view, which owns the body, lives until it is
                 // sent), except for a block with discovery sources.
                 std::vector<DiscoverySourceStatus> sources;
                 if (ctx.discovery_status) sources = ctx.discovery_status(id);
                 Response res =
                     sources.empty()
                         ? json_response(req, http::status::ok, current,
                                         wire::bodies_of(*current).detail())
                         : json_response(
                               req, http::status::ok,
                               wire::with_discovery(wire::bodies_of(*current).detail(), sources));
                 res.set("X-Blockhealth-Index", std::to_string(current->state_index));
                 return res;
               };
               auto index = parse_uint_param(p, "index");
               auto wait = parse_wait(p);
               if (!index || !wait) {
                 respond(error_response(req, index ? wait.error() : index.error()));
                 return;
               }
               if (!*index || view->state_index > **index) {
                 respond(answer());
                 return;
               }
               long_poll(ctx, "block:" + id, **index, *wait, std::move(answer), std::move(respond));
             });

  router.add(http::verb::get, "/v1/blocks/{}/history",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               const BlockViewConstSharedPtr view = ctx.engine.views()->find(p.path[0]);
               if (!view) {
                 respond(error_response(req, http::status::not_found,
                                        "block '" + p.path[0] + "' is not configured"));
                 return;
               }
               auto limit = parse_limit_param(p, kMaxHistoryLimit);
               if (!limit) {
                 respond(error_response(req, http::status::bad_request, limit.error().message));
                 return;
               }
               std::string body = wire::history_body(*view, limit->value_or(SIZE_MAX));
               respond(json_response(req, http::status::ok, std::move(body)));
             });

  router.add(http::verb::get, "/v1/plugins",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               respond(json_response(req, http::status::ok,
                                     wire::plugins_body(ctx.engine.plugins_view())));
             });
}

}  // namespace blockhealth::server
