// PUT and DELETE /v1/blocks/{block}: blocks defined over HTTP
// (docs/http-api.md, "Blocks over HTTP"). Both are write endpoints (the
// router's write guard applies). A refused request changes nothing.
#include "core/util/text.h"
#include "core/wire/block_bodies.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace {

std::string not_json_prefix() {
  return "the body is not JSON";
}

}  // namespace

void add_block_definition_routes(Router& router, ServerContext& ctx) {
  router.add(
      http::verb::put, "/v1/blocks/{}",
      [&ctx](const Request& req, const RouteParams& p, Responder respond) {
        const std::string& id = p.path[0];
        if (!is_valid_id(id)) {
          respond(error_response(
              req, http::status::bad_request,
              "block id '" + id.substr(0, 128) + "' is invalid: use 1-128 of [A-Za-z0-9._-]"));
          return;
        }
        ctx.put_block(
            id, req.body(),
            [head = request_head(req), id, respond = std::move(respond)](
                const Result<bool>& put, const std::vector<BodyProblem>& problems) {
              if (!put) {
                if (put.error().code != ErrorCode::kInvalid) {
                  respond(error_response(head, put.error()));
                  return;
                }
                // Not JSON at all is a bad request; JSON that is
                // not a valid block is unprocessable.
                const bool not_json = problems.size() == 1 && problems[0].pointer.empty() &&
                                      problems[0].message.starts_with(not_json_prefix());
                respond(error_response(
                    head, not_json ? http::status::bad_request : http::status::unprocessable_entity,
                    "block '" + id + "' refused, nothing changed:\n" + put.error().message,
                    problems));
                return;
              }
              respond(json_response(head, *put ? http::status::created : http::status::ok,
                                    wire::block_written_body(id, *put)));
            });
      });

  router.add(http::verb::delete_, "/v1/blocks/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               ctx.delete_block(p.path[0], [head = request_head(req), respond = std::move(respond)](
                                               const Result<void>& deleted) {
                 if (!deleted) {
                   respond(error_response(head, deleted.error()));
                   return;
                 }
                 respond(json_response(head, http::status::ok, R"({"success":true})"));
               });
             });
}

}  // namespace blockhealth::server
