// Maintenance windows and silences: operator holds on actions.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include "core/config/duration.h"
#include "core/util/json_parse.h"
#include "core/util/json_text.h"
#include "core/util/time_text.h"
#include "core/wire/hold_bodies.h"
#include "server/long_poll.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxHoldMs = 90LL * 24 * 3600 * 1000;

struct HoldRequest {
  std::string reason;
  std::int64_t until_ms = 0;
  std::string block;     // silences only
  std::string instance;  // silences only ("" = whole block)
};

// Reads {"reason", "until", ...}: until is an RFC 3339 time or a duration
// from now ("2h"); required, in the future, at most 90 days away.
Result<HoldRequest> parse_hold(const Request& req, std::int64_t now_ms, bool silence) {
  auto parsed = parse_json_body(req.body());
  if (!parsed) return fail(parsed.error().message);
  json::value body = std::move(*parsed);
  if (!body.is_object()) return fail("expected a JSON object {\"reason\": ..., \"until\": ...}");
  const json::object& o = body.get_object();
  for (const auto& [key, value] : o) {
    const bool known =
        key == "reason" || key == "until" || (silence && (key == "block" || key == "instance"));
    if (!known) return fail("unknown field '" + std::string(key) + "'");
  }
  HoldRequest out;
  if (const json::value* r = o.if_contains("reason")) {
    if (!r->is_string()) return fail("reason: expected a string");
    out.reason = std::string(r->get_string());
  }
  if (out.reason.empty()) return fail("reason: required (say why, for the next operator)");
  constexpr std::size_t kMaxReason = 1024;
  if (out.reason.size() > kMaxReason) {
    return fail("reason: at most " + std::to_string(kMaxReason) + " bytes, got " +
                std::to_string(out.reason.size()));
  }
  const json::value* until = o.if_contains("until");
  if (until == nullptr || !until->is_string()) {
    return fail(
        "until: required, an RFC 3339 time (2026-11-28T10:00:00Z) or a duration from "
        "now (2h)");
  }
  const std::string text(until->get_string());
  if (auto d = parse_duration(text)) {
    out.until_ms = now_ms + d->count();
  } else if (auto t = parse_time_ms(text)) {
    out.until_ms = *t;
  } else {
    return fail("until: " + t.error().message + ", or a duration like 2h");
  }
  if (out.until_ms <= now_ms) return fail("until: " + text + " is not in the future");
  if (out.until_ms - now_ms > kMaxHoldMs) return fail("until: at most 90 days from now");
  if (silence) {
    const json::value* b = o.if_contains("block");
    if (b == nullptr || !b->is_string() || b->get_string().empty()) {
      return fail("block: required, the block to silence");
    }
    out.block = std::string(b->get_string());
    if (const json::value* i = o.if_contains("instance"); i != nullptr && !i->is_null()) {
      if (!i->is_string()) return fail("instance: expected a string");
      out.instance = std::string(i->get_string());
    }
  }
  return out;
}

// One page of GET /v1/silences: maintenance windows (by block, then
// instance) and then silences (by creation), after the opaque cursor
// `after`, at most `limit` of both together; `next` is the cursor of the
// page after (empty on the last page). Cursors are sort keys, so a page
// stays right when holds come or go between requests.
struct HoldsPage {
  std::vector<Silence> silences;
  std::vector<Maintenance> maintenance;
  std::string next;
};

std::string maintenance_key(const Maintenance& m) {
  return "m/" + m.block_id + "/" + m.instance_id;
}

std::string silence_key(const Silence& s) {
  char created[24];
  std::snprintf(created, sizeof created, "%020lld", static_cast<long long>(s.created_ms));
  return std::string("s/") + created + "/" + s.id;
}

HoldsPage page_holds(const std::vector<Maintenance>& maintenance,
                     const std::vector<Silence>& silences, const std::optional<std::string>& block,
                     const std::string& after, std::size_t limit) {
  HoldsPage page;
  std::vector<std::pair<std::string, const Maintenance*>> m;
  for (const Maintenance& x : maintenance) {
    if (!block || x.block_id == *block) m.emplace_back(maintenance_key(x), &x);
  }
  std::vector<std::pair<std::string, const Silence*>> s;
  for (const Silence& x : silences) {
    if (!block || x.block_id == *block) s.emplace_back(silence_key(x), &x);
  }
  std::sort(m.begin(), m.end());
  std::sort(s.begin(), s.end());
  std::string last;
  bool more = false;
  const auto take = [&](const std::string& key) {
    if (key <= after) return false;
    if (page.maintenance.size() + page.silences.size() == limit) {
      more = true;
      return false;
    }
    last = key;
    return true;
  };
  for (const auto& [key, x] : m) {
    if (take(key)) page.maintenance.push_back(*x);
  }
  for (const auto& [key, x] : s) {
    if (take(key)) page.silences.push_back(*x);
  }
  if (more) page.next = last;
  return page;
}

}  // namespace

void add_hold_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::put, "/v1/blocks/{}/instances/{}/maintenance",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               auto hold = parse_hold(req, ctx.engine.clock().wall_ms(), false);
               if (!hold) {
                 respond(error_response(req, hold.error()));
                 return;
               }
               auto m =
                   ctx.engine.set_maintenance(p.path[0], p.path[1], hold->reason, hold->until_ms);
               if (!m) {
                 respond(error_response(req, m.error()));
                 return;
               }
               respond(json_response(req, http::status::ok, wire::maintenance_set_body(*m)));
             });

  router.add(http::verb::delete_, "/v1/blocks/{}/instances/{}/maintenance",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               auto lifted = ctx.engine.lift_maintenance(p.path[0], p.path[1]);
               if (!lifted) {
                 respond(error_response(req, lifted.error()));
                 return;
               }
               if (!*lifted) {
                 respond(error_response(req, http::status::not_found,
                                        "instance '" + p.path[1] + "' of block '" + p.path[0] +
                                            "' is not in maintenance"));
                 return;
               }
               respond(json_response(req, http::status::ok, R"({"success":true})"));
             });

  router.add(http::verb::get, "/v1/silences",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               constexpr std::size_t kMaxLimit = 1000;
               auto limit = parse_limit_param(p, kMaxLimit);
               if (!limit) {
                 respond(error_response(req, limit.error()));
                 return;
               }
               std::optional<std::string> block;
               if (auto b = p.get("block")) block = std::string(*b);
               const std::string after(p.get("after").value_or(""));
               const HoldsPage page =
                   page_holds(ctx.engine.holds().maintenances(), ctx.engine.holds().silences(),
                              block, after, limit->value_or(kMaxLimit));
               respond(json_response(req, http::status::ok,
                                     wire::holds_body(page.silences, page.maintenance, page.next)));
             });

  router.add(http::verb::post, "/v1/silences",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               auto hold = parse_hold(req, ctx.engine.clock().wall_ms(), true);
               if (!hold) {
                 respond(error_response(req, hold.error()));
                 return;
               }
               auto s = ctx.engine.add_silence(hold->block, hold->instance, hold->reason,
                                               hold->until_ms);
               if (!s) {
                 respond(error_response(req, s.error()));
                 return;
               }
               respond(json_response(req, http::status::created, wire::silence_set_body(*s)));
             });

  router.add(http::verb::delete_, "/v1/silences/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               auto lifted = ctx.engine.lift_silence(p.path[0]);
               if (!lifted) {
                 respond(error_response(req, lifted.error()));
                 return;
               }
               if (!*lifted) {
                 respond(error_response(req, http::status::not_found,
                                        "no active silence '" + p.path[0] + "'"));
                 return;
               }
               respond(json_response(req, http::status::ok, R"({"success":true})"));
             });
}

}  // namespace blockhealth::server
