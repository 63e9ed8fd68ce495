#include "core/sources/health_judgement.h"

#include <blockhealth/policy_abi.h>

#include <algorithm>
#include <array>
#include <boost/beast/http/status.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <string>

#include "core/util/text.h"

namespace blockhealth {
namespace {

constexpr std::size_t kBodyExcerptBytes = 256;

std::string excerpt(std::string_view body) {
  // Trim surrounding blanks so "unhealthy\n" reads cleanly.
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front())) != 0) {
    body.remove_prefix(1);
  }
  while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back())) != 0) {
    body.remove_suffix(1);
  }
  return sanitize_utf8(body, kBodyExcerptBytes);
}

std::string_view default_error(std::int32_t outcome) {
  switch (outcome) {
    case BH_PROBE_REFUSED:
      return "connection refused";
    case BH_PROBE_DNS:
      return "name did not resolve";
    case BH_PROBE_TIMEOUT:
      return "timeout";
    case BH_PROBE_PROTOCOL:
      return "malformed HTTP response";
    case BH_PROBE_TLS:
      return "TLS failure";
    default:
      return "request failed";
  }
}

std::string status_line(int status) {
  std::string line = "HTTP " + std::to_string(status);
  const auto phrase = boost::beast::http::obsolete_reason(
      boost::beast::http::int_to_status(static_cast<unsigned>(std::clamp(status, 0, 999))));
  if (!phrase.empty() && phrase != "<unknown-status>") {
    line += ' ';
    line.append(phrase.data(), phrase.size());
  }
  return line;
}

PolicyVerdict verdict(Status status, const ProbeResult& probe, std::string_view what) {
  PolicyVerdict v;
  v.status = status;
  v.reason = "GET " + probe.url + ": ";
  v.reason += what;
  return v;
}

// Python's truth value of a JSON value, as AIOS's `if json_response.get("success")`.
bool python_truthy(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return false;
    case boost::json::kind::bool_:
      return v.get_bool();
    case boost::json::kind::int64:
      return v.get_int64() != 0;
    case boost::json::kind::uint64:
      return v.get_uint64() != 0;
    case boost::json::kind::double_:
      return v.get_double() != 0.0;
    case boost::json::kind::string:
      return !v.get_string().empty();
    case boost::json::kind::array:
      return !v.get_array().empty();
    case boost::json::kind::object:
      return !v.get_object().empty();
  }
  return false;
}

// The AIOS instance envelope {"success": ..., "data": {"status": ...}},
// judged as AIOS's block health checker (health_checker/core/checker.py)
// does: healthy only when `success` is truthy and data.status is exactly
// "healthy".
PolicyVerdict judge_aios_envelope(const ProbeResult& probe, const boost::json::object& body,
                                  const std::string& head) {
  if (!python_truthy(body.at("success"))) {
    return verdict(Status::kUnhealthy, probe,
                   head + " but success is " +
                       sanitize_utf8(boost::json::serialize(body.at("success")), 64) + ": " +
                       excerpt(probe.body));
  }
  const auto* data = body.if_contains("data");
  if (data == nullptr || !data->is_object()) {
    return verdict(Status::kUnhealthy, probe,
                   head +
                       ", success true but data is not an object (AIOS needs "
                       "data.status \"healthy\"): " +
                       excerpt(probe.body));
  }
  const auto* status = data->get_object().if_contains("status");
  if (status == nullptr) {
    return verdict(Status::kUnhealthy, probe,
                   head +
                       ", success true but data has no status (AIOS needs "
                       "data.status \"healthy\"): " +
                       excerpt(probe.body));
  }
  if (status->is_string() && status->get_string() == "healthy") {
    return verdict(Status::kOk, probe, head + ", success true, data.status \"healthy\"");
  }
  const std::string word =
      status->is_string() ? "\"" + sanitize_utf8(status->get_string(), kBodyExcerptBytes) + "\""
                          : sanitize_utf8(boost::json::serialize(*status), 64);
  return verdict(Status::kUnhealthy, probe,
                 head + " but data.status is " + word + ": " + excerpt(probe.body));
}

PolicyVerdict judge_json_body(const ProbeResult& probe, const boost::json::object& body) {
  const std::string head = status_line(probe.http_status);
  if (body.contains("success")) return judge_aios_envelope(probe, body, head);
  if (const auto* status = body.if_contains("status")) {
    if (const auto* word = status->if_string()) {
      if (is_healthy_status_word(*word)) {
        return verdict(Status::kOk, probe,
                       head + ", status \"" + sanitize_utf8(*word, kBodyExcerptBytes) + "\"");
      }
      return verdict(Status::kUnhealthy, probe,
                     head + " but status is \"" + sanitize_utf8(*word, kBodyExcerptBytes) +
                         "\": " + excerpt(probe.body));
    }
    if (status->is_bool() && status->get_bool()) {
      return verdict(Status::kOk, probe, head + ", status true");
    }
    return verdict(Status::kUnhealthy, probe,
                   head + " but status is " + sanitize_utf8(boost::json::serialize(*status), 64) +
                       ", not healthy: " + excerpt(probe.body));
  }
  if (const auto* healthy = body.if_contains("healthy"); healthy != nullptr && healthy->is_bool()) {
    if (healthy->get_bool()) return verdict(Status::kOk, probe, head + ", healthy true");
    return verdict(Status::kUnhealthy, probe,
                   head + " but healthy is false: " + excerpt(probe.body));
  }
  return verdict(Status::kOk, probe, head + ", JSON without a status (not checked)");
}

}  // namespace

bool is_healthy_status_word(std::string_view word) {
  static constexpr std::array<std::string_view, 6> kWords = {"healthy", "ok",      "up",
                                                             "pass",    "passing", "serving"};
  return std::any_of(kWords.begin(), kWords.end(), [&](std::string_view w) {
    return w.size() == word.size() &&
           std::equal(w.begin(), w.end(), word.begin(), [](char a, char b) {
             return a == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

PolicyVerdict judge_health_probe(const ProbeResult& probe) {
  if (probe.outcome == BH_PROBE_NONE) return verdict(Status::kUnknown, probe, "no probe yet");
  if (probe.outcome != BH_PROBE_RESPONSE) {
    return verdict(Status::kUnhealthy, probe,
                   probe.error.empty() ? std::string(default_error(probe.outcome)) : probe.error);
  }
  const std::string head = status_line(probe.http_status);
  if (probe.http_status < 200 || probe.http_status > 299) {
    const std::string body = excerpt(probe.body);
    return verdict(Status::kUnhealthy, probe, body.empty() ? head : head + ": " + body);
  }
  if (excerpt(probe.body).empty()) return verdict(Status::kOk, probe, head + ", empty body");
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(probe.body, ec);
  if (ec) return verdict(Status::kOk, probe, head + ", body is not JSON (not checked)");
  if (const auto* object = parsed.if_object()) return judge_json_body(probe, *object);
  return verdict(Status::kOk, probe, head + ", JSON body is not an object (not checked)");
}

}  // namespace blockhealth
