// GET /v1/events: transitions after a cursor, waiting for the next ones.
#include "core/wire/events_json.h"
#include "server/long_poll.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

// The events after the cursor, from the ring or, for an old cursor, the
// state store.
EventLog::Page collect(ServerContext& ctx, std::uint64_t after, std::size_t limit,
                       const std::optional<std::string>& block) {
  EventLog::Page page = ctx.events.after(after, limit, block);
  if (!page.complete && ctx.older_events) {
    // The cursor is older than the ring: read from the state store.
    auto older = ctx.older_events(after, limit, block);
    if (older) {
      page.events.clear();
      page.last_seq = after;
      for (const Transition& t : *older) {
        page.events.push_back(t);
        page.last_seq = t.seq;
      }
      page.complete = true;
    }
  }
  return page;
}

Response page_response(const Request& req, const EventLog::Page& page) {
  return json_response(req, http::status::ok,
                       wire::events_body(page.events, page.last_seq, page.complete));
}

}  // namespace

void add_event_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::get, "/v1/events",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               auto after = parse_uint_param(p, "after");
               auto limit = parse_limit_param(p, kMaxLimit);
               auto wait = parse_wait(p);
               if (!after || !limit || !wait) {
                 respond(error_response(req, !after   ? after.error()
                                             : !limit ? limit.error()
                                                      : wait.error()));
                 return;
               }
               std::optional<std::string> block;
               if (auto b = p.get("block")) block = std::string(*b);
               // Without ?after= the cursor starts at the newest event: wait
               // for what comes next.
               const std::uint64_t cursor = after->value_or(ctx.events.last_seq());
               const std::size_t n = limit->value_or(kDefaultLimit);
               const EventLog::Page now = collect(ctx, cursor, n, block);
               if (!now.events.empty() || *wait == std::chrono::milliseconds(0)) {
                 respond(page_response(req, now));
                 return;
               }
               long_poll(
                   ctx, EventLog::kEventsKey, cursor, *wait,
                   [&ctx, req, cursor, n, block] {
                     return page_response(req, collect(ctx, cursor, n, block));
                   },
                   std::move(respond));
             });
}

}  // namespace blockhealth::server
