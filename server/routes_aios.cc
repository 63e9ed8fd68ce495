// The AIOS-compatible endpoints.
#include <boost/json.hpp>

#include "core/util/json_parse.h"
#include "core/util/json_text.h"
#include "core/wire/block_bodies.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace json = boost::json;
namespace {

Response aios_ok(const Request& req, json::value result) {
  return json_response(
      req, http::status::ok,
      to_json_text(json::object{{"success", true}, {"result", std::move(result)}}));
}

// Built-in management actions, answered without a plugin.
void builtin_action(ServerContext& ctx, const Request& req, const std::string& block,
                    const std::string& action, const Responder& respond) {
  Engine& engine = ctx.engine;
  if (action == "get_state") {
    const BlockViewConstSharedPtr view = engine.views()->find(block);
    if (!view) {
      respond(error_response(req, http::status::not_found, "no block '" + block + "'"));
      return;
    }
    respond(aios_ok(req, json::parse(wire::bodies_of(*view).detail())));
    return;
  }
  Result<void> done = fail("unknown mgmt_action '" + action +
                           "'; built-in actions are get_state, pause, resume, evaluate, reload; "
                           "name a policy in mgmt_data.policy for policy actions");
  if (action == "pause" || action == "resume") {
    done = engine.set_paused(block, action == "pause");
  } else if (action == "evaluate") {
    done = engine.evaluate_now(block);
  } else if (action == "reload") {
    auto reloaded = ctx.reload();
    if (!reloaded) {
      respond(error_response(
          req, http::status::unprocessable_entity,
          "reload rejected, the running configuration is unchanged:\n" + reloaded.error().message));
      return;
    }
    respond(aios_ok(req, json::parse(*reloaded)));
    return;
  }
  if (!done) {
    respond(error_response(req, done.error()));
    return;
  }
  respond(aios_ok(req, json::object{{"action", action}, {"block_id", block}}));
}

}  // namespace

void add_aios_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::get, "/block/health/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               const BlockViewConstSharedPtr view = ctx.engine.views()->find(p.path[0]);
               if (!view) {
                 respond(error_response(req, http::status::not_found,
                                        "block '" + p.path[0] + "' is not configured"));
                 return;
               }
               std::string body;
               wire::bodies_of(*view).aios().render(body, ctx.engine.clock().wall_ms());
               respond(json_response(req, http::status::ok, std::move(body)));
             });

  router.add(
      http::verb::post, "/block/{}/health-checker/mgmt",
      [&ctx](const Request& req, const RouteParams& p, Responder respond) {
        const std::string& block = p.path[0];
        if (ctx.engine.views()->board(block) == nullptr) {
          respond(error_response(req, http::status::not_found,
                                 "block '" + block + "' is not configured"));
          return;
        }
        auto parsed = parse_json_body(req.body());
        if (!parsed || !parsed->is_object()) {
          respond(error_response(
              req, http::status::bad_request,
              !parsed
                  ? parsed.error().message
                  : std::string(
                        "expected a JSON object {\"mgmt_action\": ..., \"mgmt_data\": {...}}")));
          return;
        }
        json::value body = std::move(*parsed);
        const json::value* action = body.get_object().if_contains("mgmt_action");
        if (action == nullptr || !action->is_string() || action->get_string().empty()) {
          respond(error_response(req, http::status::bad_request,
                                 "mgmt_action: expected a non-empty string"));
          return;
        }
        const json::value* data = body.get_object().if_contains("mgmt_data");
        if (data != nullptr && !data->is_object() && !data->is_null()) {
          respond(error_response(req, http::status::bad_request, "mgmt_data: expected an object"));
          return;
        }
        const std::string action_name(action->get_string());
        const json::value* policy = data != nullptr && data->is_object()
                                        ? data->get_object().if_contains("policy")
                                        : nullptr;
        if (policy == nullptr) {
          builtin_action(ctx, req, block, action_name, respond);
          return;
        }
        if (!policy->is_string()) {
          respond(error_response(req, http::status::bad_request,
                                 "mgmt_data.policy: expected a string"));
          return;
        }
        ctx.engine.manage_policy(block, std::string(policy->get_string()), action_name,
                                 to_json_text(*data), [req, respond](Result<std::string> answer) {
                                   if (!answer) {
                                     respond(error_response(req, answer.error()));
                                     return;
                                   }
                                   boost::system::error_code parse_ec;
                                   json::value result = json::parse(*answer, parse_ec);
                                   if (parse_ec) result = json::string(*answer);
                                   respond(aios_ok(req, std::move(result)));
                                 });
      });
}

}  // namespace blockhealth::server
