// The AIOS-compatible endpoints.
#include <boost/json.hpp>
#include <optional>

#include "core/util/json_parse.h"
#include "core/util/json_text.h"
#include "core/wire/block_bodies.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace json = boost::json;
namespace {

// AIOS's management answer {"success": true, "data": <result>}; `result`
// carries the same value for clients of blockhealth before 0.3
// (deprecated, docs/http-api.md).
Response aios_ok(const Request& req, json::value result) {
  json::object o{{"success", true}, {"data", result}, {"result", std::move(result)}};
  return json_response(req, http::status::ok, to_json_text(o));
}

bool is_builtin_action(std::string_view action) {
  return action == "get_state" || action == "pause" || action == "resume" || action == "evaluate" ||
         action == "reload";
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
  Result<void> done;
  if (action == "pause" || action == "resume") {
    done = engine.set_paused(block, action == "pause");
  } else if (action == "evaluate") {
    done = engine.evaluate_now(block);
  } else if (action == "reload") {
    ctx.reload([head = request_head(req), respond](const Result<std::string>& reloaded) {
      if (!reloaded) {
        respond(error_response(head, http::status::unprocessable_entity,
                               "reload rejected, the running configuration is unchanged:\n" +
                                   reloaded.error().message));
        return;
      }
      respond(aios_ok(head, json::parse(*reloaded)));
    });
    return;
  }
  if (!done) {
    respond(error_response(req, done.error()));
    return;
  }
  respond(aios_ok(req, json::object{{"action", action}, {"block_id", block}}));
}

// The request body as a JSON object, or the 400 answer.
std::optional<json::value> mgmt_body(const Request& req, const Responder& respond) {
  auto parsed = parse_json_body(req.body());
  if (!parsed || !parsed->is_object()) {
    respond(error_response(
        req, http::status::bad_request,
        !parsed
            ? parsed.error().message
            : std::string("expected a JSON object {\"mgmt_action\": ..., \"mgmt_data\": {...}}")));
    return std::nullopt;
  }
  return std::move(*parsed);
}

// POST /block/<id>/health-checker/mgmt and the /mgmt listener: AIOS's
// {"mgmt_action": ..., "mgmt_data": {...}} (`body`, an object) for `block`.
void handle_mgmt(ServerContext& ctx, const Request& req, const std::string& block,
                 const json::value& body, Responder respond) {
  if (ctx.engine.views()->board(block) == nullptr) {
    respond(
        error_response(req, http::status::not_found, "block '" + block + "' is not configured"));
    return;
  }
  const json::value* action = body.get_object().if_contains("mgmt_action");
  if (action == nullptr || !action->is_string() || action->get_string().empty()) {
    respond(
        error_response(req, http::status::bad_request, "mgmt_action: expected a non-empty string"));
    return;
  }
  const json::value* data = body.get_object().if_contains("mgmt_data");
  if (data != nullptr && !data->is_object() && !data->is_null()) {
    respond(error_response(req, http::status::bad_request, "mgmt_data: expected an object"));
    return;
  }
  const std::string action_name(action->get_string());
  const json::value* policy =
      data != nullptr && data->is_object() ? data->get_object().if_contains("policy") : nullptr;
  if (policy == nullptr && is_builtin_action(action_name)) {
    builtin_action(ctx, req, block, action_name, respond);
    return;
  }
  if (policy != nullptr && !policy->is_string()) {
    respond(error_response(req, http::status::bad_request, "mgmt_data.policy: expected a string"));
    return;
  }
  // Without mgmt_data.policy the action goes to the block's only
  // policy with management actions, as AIOS sends it to its one
  // stabilityChecker.
  const std::string policy_name = policy != nullptr ? std::string(policy->get_string()) : "";
  ctx.engine.manage_policy(
      block, policy_name, action_name,
      data != nullptr && data->is_object() ? to_json_text(*data) : "{}",
      [req, respond, routed = policy_name.empty(), action_name](Result<std::string> answer) {
        if (!answer && routed) {
          Error e = answer.error();
          e.message = "mgmt_action '" + action_name +
                      "' is not built in (get_state, pause, resume, "
                      "evaluate, reload); " +
                      e.message;
          respond(error_response(req, e));
          return;
        }
        if (!answer) {
          respond(error_response(req, answer.error()));
          return;
        }
        boost::system::error_code parse_ec;
        json::value result = json::parse(*answer, parse_ec);
        if (parse_ec) result = json::string(*answer);
        respond(aios_ok(req, std::move(result)));
      });
}

}  // namespace

void add_aios_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::get, "/block/health/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               const BlockViewConstSharedPtr view = ctx.engine.views()->find(p.path[0]);
               if (!view) {
                 respond(error_response(req, http::status::not_found,
                                        "block '" + p.path[0] + "' is not configured",
                                        "No block data found"));
                 return;
               }
               std::string body;
               wire::bodies_of(*view).aios().render(body, ctx.engine.clock().wall_ms());
               respond(json_response(req, http::status::ok, std::move(body)));
             });

  router.add(http::verb::post, "/block/{}/health-checker/mgmt",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               if (const auto body = mgmt_body(req, respond)) {
                 handle_mgmt(ctx, req, p.path[0], *body, std::move(respond));
               }
             });
}

void add_aios_mgmt_listener_routes(Router& router, ServerContext& ctx) {
  // AIOS's health-checker side-car: POST /mgmt at its own port, for the
  // listener's block (aios.mgmt_block, read at each request so a reload
  // applies) or the one the body names in "block".
  router.add(
      http::verb::post, "/mgmt", [&ctx](const Request& req, const RouteParams&, Responder respond) {
        const auto body = mgmt_body(req, respond);
        if (!body) return;
        std::string block = ctx.engine.plan()->config.aios.mgmt_block.value_or("");
        if (const json::value* named = body->get_object().if_contains("block")) {
          if (!named->is_string() || named->get_string().empty()) {
            respond(error_response(req, http::status::bad_request, "block: expected a block id"));
            return;
          }
          block = std::string(named->get_string());
        }
        if (block.empty()) {
          respond(error_response(req, http::status::bad_request,
                                 "block: this listener has no aios.mgmt_block; name the "
                                 "block in the body's \"block\" field"));
          return;
        }
        handle_mgmt(ctx, req, block, *body, std::move(respond));
      });
}

}  // namespace blockhealth::server
