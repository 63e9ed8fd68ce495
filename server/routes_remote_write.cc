// POST /api/v1/write: Prometheus remote write 1.0. The body is decoded
// completely before anything is ingested, so a refused body (400, 413, 415)
// changes nothing; a decoded one is answered 204 whatever became of its
// series (unknown blocks and instances are counted, not errors: Prometheus
// would otherwise retry or drop the whole batch).
#include <cctype>

#include "core/wire/remote_write.h"
#include "server/remote_write_ingest.h"
#include "server/routes.h"

namespace blockhealth::server {
namespace {

std::string rw_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view rw_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Why the headers do not describe a remote write 1.0 body, or "". An
// absent Content-Type or Content-Encoding is taken as the protocol's.
std::string rw_media_problem(const Request& req) {
  const std::string encoding = rw_lower(rw_trim(req[http::field::content_encoding]));
  if (!encoding.empty() && encoding != "snappy") {
    return "Content-Encoding '" + encoding + "' is not accepted; remote write 1.0 sends snappy";
  }
  const std::string type = rw_lower(req[http::field::content_type]);
  if (type.empty()) return "";
  std::string_view rest(type);
  const std::string_view media = rw_trim(rest.substr(0, rest.find(';')));
  if (media != "application/x-protobuf") {
    return "Content-Type '" + std::string(media) +
           "' is not accepted; send application/x-protobuf (Prometheus remote write 1.0)";
  }
  // Remote write 2.0 names its message: proto=io.prometheus.write.v2.Request.
  for (std::size_t at = rest.find(';'); at != std::string_view::npos; at = rest.find(';', at + 1)) {
    std::string_view param = rw_trim(rest.substr(at + 1, rest.find(';', at + 1) - at - 1));
    if (!param.starts_with("proto=")) continue;
    param.remove_prefix(6);
    if (param != "prometheus.writerequest") {
      return "Content-Type proto=" + std::string(param) +
             " is not accepted; only remote write 1.0 (prometheus.WriteRequest) is "
             "(set protobuf_message: prometheus.WriteRequest in Prometheus's remote_write)";
    }
  }
  return "";
}

void rw_count(prometheus::CounterFamily* family, std::string_view result, std::uint64_t n) {
  if (family != nullptr && n > 0) family->with({result}).add(static_cast<double>(n));
}

}  // namespace

void add_remote_write_routes(Router& router, ServerContext& ctx) {
  router.add(http::verb::post, "/api/v1/write",
             [&ctx](const Request& req, const RouteParams&, Responder respond) {
               const IngestMetrics& m = ctx.ingest;
               const EnginePlanConstSharedPtr plan = ctx.engine.plan();
               if (plan == nullptr) {
                 rw_count(m.remote_write_requests, "not_ready", 1);
                 respond(error_response(req, http::status::service_unavailable,
                                        "remote_write: the daemon has no configuration yet; "
                                        "try again"));
                 return;
               }
               const RemoteWriteConfig& config = plan->config.remote_write;
               if (!config.enabled) {
                 rw_count(m.remote_write_requests, "disabled", 1);
                 respond(error_response(req, http::status::not_found,
                                        "remote_write is not enabled: set remote_write: "
                                        "{enabled: true} in the config (docs/configuration.md)"));
                 return;
               }
               if (const std::string why = rw_media_problem(req); !why.empty()) {
                 rw_count(m.remote_write_requests, "media_type", 1);
                 respond(error_response(req, http::status::unsupported_media_type,
                                        "remote_write: " + why));
                 return;
               }
               thread_local wire::RemoteWriteRequest decoded;
               const wire::RemoteWriteStatus status =
                   wire::decode_remote_write(req.body(), config.max_decoded_bytes, decoded);
               switch (status.failure) {
                 case wire::RemoteWriteFailure::kNone:
                   break;
                 case wire::RemoteWriteFailure::kTooLarge:
                   rw_count(m.remote_write_requests, "too_large", 1);
                   respond(error_response(req, http::status::payload_too_large, status.message));
                   return;
                 case wire::RemoteWriteFailure::kNotSnappy:
                   rw_count(m.remote_write_requests, "not_snappy", 1);
                   respond(error_response(req, http::status::bad_request, status.message));
                   return;
                 case wire::RemoteWriteFailure::kMalformed:
                   rw_count(m.remote_write_requests, "malformed", 1);
                   respond(error_response(req, http::status::bad_request, status.message));
                   return;
               }
               const RemoteWriteTally tally =
                   ingest_remote_write(ctx.engine, config, decoded, ctx.engine.clock().wall_ms());
               rw_count(m.remote_write_requests, "ok", 1);
               rw_count(m.remote_write_samples, "accepted", tally.accepted);
               rw_count(m.remote_write_samples, "no_block_label", tally.no_block_label);
               rw_count(m.remote_write_samples, "no_instance_label", tally.no_instance_label);
               rw_count(m.remote_write_samples, "unknown_block", tally.unknown_block);
               rw_count(m.remote_write_samples, "unknown_instance", tally.unknown_instance);
               rw_count(m.remote_write_samples, "limit", tally.limit);
               rw_count(m.remote_write_samples, "stale", tally.stale);
               if (m.samples != nullptr) {
                 for (const auto& [block, n] : tally.accepted_by_block) {
                   m.samples->with({block}).add(static_cast<double>(n));
                 }
               }
               Response res(http::status::no_content, req.version());
               res.keep_alive(req.keep_alive());
               respond(std::move(res));
             });
}

}  // namespace blockhealth::server
