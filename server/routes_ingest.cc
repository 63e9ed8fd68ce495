// Push ingestion: instances registered over HTTP, and their metrics and
// log lines. A refused body changes nothing.
#include "core/observations/push_payload.h"
#include "core/prometheus/exposition_parser.h"
#include "core/util/json_parse.h"
#include "core/util/text.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace {

// The media type without parameters, lower-cased: "text/plain".
std::string media_type(const Request& req) {
  std::string type(req[http::field::content_type]);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

void count_rejected(ServerContext& ctx, const std::string& block, std::string_view kind) {
  if (ctx.ingest.rejected != nullptr) ctx.ingest.rejected->with({block, kind}).inc();
}

Response accepted(const Request& req, std::string_view what, std::size_t n) {
  return json_response(
      req, http::status::ok,
      R"({"success":true,")" + std::string(what) + R"(":)" + std::to_string(n) + "}");
}

constexpr std::size_t kMaxBulkInstances = 10'000;

// {"instances": ["id", ...]} of POST /v1/blocks/<b>/instances: 1 to
// kMaxBulkInstances valid ids. Errors name the field and the index.
Result<std::vector<std::string>> parse_bulk_instances(std::string_view body) {
  auto parsed = parse_json_body(body);
  if (!parsed) return fail(parsed.error().message);
  const boost::json::object* o = parsed->if_object();
  if (o == nullptr) return fail(R"(expected a JSON object {"instances": ["id", ...]})");
  for (const auto& [key, value] : *o) {
    if (key != "instances") return fail("unknown field '" + std::string(key) + "'");
  }
  const boost::json::value* list = o->if_contains("instances");
  if (list == nullptr || !list->is_array()) {
    return fail("instances: required, an array of instance ids");
  }
  const boost::json::array& a = list->get_array();
  if (a.empty() || a.size() > kMaxBulkInstances) {
    return fail("instances: expected 1 to " + std::to_string(kMaxBulkInstances) + " ids, got " +
                std::to_string(a.size()));
  }
  std::vector<std::string> ids;
  ids.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string where = "instances[" + std::to_string(i) + "]";
    if (!a[i].is_string()) return fail(where + ": expected a string");
    std::string id(a[i].get_string());
    if (!is_valid_id(id)) {
      return fail(where + ": instance id '" + sanitize_utf8(id.substr(0, 128)) +
                  "' is invalid: use 1-128 of [A-Za-z0-9._-]");
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace

IngestMetrics register_ingest_metrics(prometheus::MetricsRegistry& registry) {
  IngestMetrics m;
  auto value_or_null = [](auto result) { return result ? *result : nullptr; };
  m.samples = value_or_null(registry.add_counter("blockhealth_ingested_samples_total",
                                                 "Metric samples accepted by push.", {"block"}));
  m.log_lines = value_or_null(registry.add_counter("blockhealth_ingested_log_lines_total",
                                                   "Log lines accepted by push.", {"block"}));
  m.rejected = value_or_null(registry.add_counter(
      "blockhealth_ingest_rejected_total",
      "Push requests refused, by kind (malformed, media_type, limit).", {"block", "kind"}));
  m.remote_write_samples = value_or_null(registry.add_counter(
      "blockhealth_remote_write_samples_total",
      "Samples received by POST /api/v1/write, by where they went (accepted, unknown_block, "
      "unknown_instance, no_block_label, no_instance_label, limit, stale).",
      {"result"}));
  m.remote_write_requests = value_or_null(registry.add_counter(
      "blockhealth_remote_write_requests_total",
      "POST /api/v1/write requests, by outcome (ok, not_snappy, malformed, too_large, "
      "media_type, disabled, not_ready).",
      {"result"}));
  return m;
}

void add_ingest_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::put, "/v1/blocks/{}/instances/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               if (!is_valid_id(p.path[1])) {
                 respond(error_response(req, http::status::bad_request,
                                        "instance id '" + p.path[1].substr(0, 128) +
                                            "' is invalid: use 1-128 of [A-Za-z0-9._-]"));
                 return;
               }
               auto r = ctx.engine.register_instance(p.path[0], p.path[1]);
               if (!r) {
                 respond(error_response(req, r.error()));
                 return;
               }
               respond(json_response(req, http::status::ok, R"({"success":true})"));
             });

  // Bulk registration: all or nothing.
  router.add(
      http::verb::post, "/v1/blocks/{}/instances",
      [&ctx](const Request& req, const RouteParams& p, Responder respond) {
        auto ids = parse_bulk_instances(req.body());
        if (!ids) {
          respond(error_response(req, http::status::bad_request, ids.error().message));
          return;
        }
        auto added = ctx.engine.register_instances(p.path[0], *ids);
        if (!added) {
          respond(error_response(req, added.error()));
          return;
        }
        respond(json_response(req, http::status::ok,
                              R"({"success":true,"registered":)" + std::to_string(*added) +
                                  R"(,"already":)" + std::to_string(ids->size() - *added) + "}"));
      });

  router.add(http::verb::delete_, "/v1/blocks/{}/instances/{}",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               auto r = ctx.engine.unregister_instance(p.path[0], p.path[1]);
               if (!r) {
                 respond(error_response(req, r.error()));
                 return;
               }
               respond(json_response(req, http::status::ok, R"({"success":true})"));
             });

  router.add(
      http::verb::post, "/v1/blocks/{}/instances/{}/metrics",
      [&ctx](const Request& req, const RouteParams& p, Responder respond) {
        const std::string& block = p.path[0];
        auto record = ctx.engine.find_record(block, p.path[1]);
        if (!record) {
          respond(error_response(req, record.error()));
          return;
        }
        const std::string type = media_type(req);
        Result<std::vector<MetricSample>> samples = fail("");
        if (type == "application/json") {
          samples = parse_json_metrics(req.body());
        } else if (type == "text/plain" || type == "application/openmetrics-text") {
          auto parsed = prometheus::parse_exposition(req.body());
          if (parsed) {
            samples = std::move(parsed->samples);
          } else {
            samples = fail("Prometheus text: " + parsed.error().message);
          }
        } else {
          count_rejected(ctx, block, "media_type");
          respond(error_response(req, http::status::unsupported_media_type,
                                 "Content-Type '" + type +
                                     "' is not accepted; send application/json or text/plain "
                                     "(Prometheus exposition format)"));
          return;
        }
        if (!samples) {
          count_rejected(ctx, block, "malformed");
          respond(error_response(req, http::status::bad_request, samples.error().message));
          return;
        }
        auto merged = (*record)->merge_samples(*samples, ctx.engine.clock().wall_ms());
        if (!merged) {
          count_rejected(ctx, block, "limit");
          respond(error_response(req, http::status::unprocessable_entity, merged.error().message));
          return;
        }
        if (ctx.ingest.samples != nullptr) {
          ctx.ingest.samples->with({block}).add(static_cast<double>(samples->size()));
        }
        respond(accepted(req, "samples", samples->size()));
      });

  router.add(http::verb::post, "/v1/blocks/{}/instances/{}/logs",
             [&ctx](const Request& req, const RouteParams& p, Responder respond) {
               const std::string& block = p.path[0];
               auto record = ctx.engine.find_record(block, p.path[1]);
               if (!record) {
                 respond(error_response(req, record.error()));
                 return;
               }
               const std::string type = media_type(req);
               Result<std::vector<std::string>> lines = fail("");
               if (type == "application/json") {
                 lines = parse_json_log_lines(req.body());
               } else if (type == "text/plain" || type.empty()) {
                 lines = split_log_text(req.body());
               } else {
                 count_rejected(ctx, block, "media_type");
                 respond(error_response(req, http::status::unsupported_media_type,
                                        "Content-Type '" + type +
                                            "' is not accepted; send text/plain (one line per "
                                            "line) or application/json"));
                 return;
               }
               if (!lines) {
                 count_rejected(ctx, block, "malformed");
                 respond(error_response(req, http::status::bad_request, lines.error().message));
                 return;
               }
               (*record)->append_logs(*lines, ctx.engine.clock().wall_ms());
               if (ctx.ingest.log_lines != nullptr) {
                 ctx.ingest.log_lines->with({block}).add(static_cast<double>(lines->size()));
               }
               respond(accepted(req, "lines", lines->size()));
             });

  add_remote_write_routes(router, ctx);
}

}  // namespace blockhealth::server
