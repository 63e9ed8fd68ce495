#include <algorithm>

#include "core/config/block_parts.h"
#include "core/config/tls_reader.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMinActionTimeout{100};
constexpr milliseconds kMaxActionTimeout{5 * 60 * 1000};
constexpr int kMaxAttempts = 100;
constexpr milliseconds kMinBackoff{100};
constexpr milliseconds kMaxBackoff{3600 * 1000};
constexpr milliseconds kMinResendEvery{1'000};
constexpr milliseconds kMaxResendEvery{3600 * 1000};
constexpr std::string_view kAlertmanagerAlertsPath = "/api/v2/alerts";

// RFC 9110 token characters.
std::string check_header_name(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  bool ok = !name.empty();
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                kSpecials.find(c) != std::string_view::npos);
  }
  if (ok) return {};
  return "'" + std::string(name) + "' is not a valid HTTP header name";
}

// `to:` — one status or a list of them; nullopt when wrong (reported).
std::optional<std::vector<Status>> read_targets(const MapReader& r, const Field& f) {
  constexpr std::string_view kExpected = "expected ok, degraded, unhealthy or unknown, got ";
  std::vector<YAML::Node> items;
  if (f.value.IsScalar()) {
    items.push_back(f.value);
  } else if (f.value.IsSequence()) {
    for (const auto& n : f.value) items.push_back(n);
  } else {
    r.report(
        f, "expected a list of statuses like [unhealthy, unknown], got " + describe_node(f.value));
    return std::nullopt;
  }
  if (items.empty()) {
    r.report(f,
             "is empty, so the action would never run; remove 'to:' to run it on every "
             "transition");
    return std::nullopt;
  }
  std::vector<Status> out;
  bool ok = true;
  for (const auto& n : items) {
    const auto s = n.IsScalar() ? status_from_string(n.Scalar()) : std::nullopt;
    if (!s) {
      r.problems().add(value_mark(f.key, n),
                       r.label("to") + ": " + std::string(kExpected) + describe_node(n));
      ok = false;
    } else if (std::find(out.begin(), out.end(), *s) == out.end()) {
      out.push_back(*s);
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// The endpoint under the base URL of `key`: <base><suffix> ("/executeFailurePolicy",
// "/api/v2/alerts"), trailing slashes of the base dropped.
std::optional<HttpUrl> action_endpoint_under(const MapReader& r, std::string_view key, HttpUrl base,
                                             std::string_view suffix) {
  const auto f = r.get(key);
  if (base.target.find('?') != std::string::npos) {
    r.report(*f,
             "the base URL must not have a query ('?...'); " + std::string(suffix) + " is added");
    return std::nullopt;
  }
  std::string text = base.text;
  while (!text.empty() && text.back() == '/') text.pop_back();
  while (!base.target.empty() && base.target.back() == '/') base.target.pop_back();
  base.text = text + std::string(suffix);
  base.target += suffix;
  return base;
}

// An alert label of `labels:`: a Prometheus label name, not one the
// daemon sets itself.
std::string check_alert_label_name(std::string_view name) {
  std::string why = check_label_name(name);
  if (!why.empty()) return why;
  for (std::string_view builtin : kAlertBuiltinLabels) {
    if (name == builtin) {
      return "label '" + std::string(name) +
             "' is set by the daemon on every alert (alertname, block, instance_id, policy, "
             "status); choose another name";
    }
  }
  return {};
}

// Where the scalar `text` is written in `f`'s value (a scalar, a list's
// item or a map's key), or the value's mark.
SourceMark action_field_mark(const Field& f, std::string_view text, bool map_value = false) {
  if (f.value.IsSequence()) {
    for (const auto& n : f.value) {
      if (n.IsScalar() && n.Scalar() == text) return to_source_mark(n.Mark());
    }
  } else if (f.value.IsMap()) {
    for (const auto& kv : f.value) {
      if (kv.first.IsScalar() && kv.first.Scalar() == text) {
        return map_value ? value_mark(kv.first, kv.second) : to_source_mark(kv.first.Mark());
      }
    }
  }
  return f.mark();
}

// The keys of an `alertmanager:` action.
// `to_read`: `to:` was written and read without problems.
void read_alertmanager(const MapReader& r, bool to_read, ActionConfig& out) {
  out.kind = ActionKind::kAlertmanager;
  if (auto base = r.http_url("alertmanager")) {
    std::string_view path = base->target;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    const auto ends_with = [&](std::string_view tail) {
      return path.size() >= tail.size() && path.substr(path.size() - tail.size()) == tail;
    };
    if (ends_with("/api/v2/alerts") || ends_with("/api/v1/alerts") || ends_with("/api/v2") ||
        ends_with("/api/v1")) {
      r.report(*r.get("alertmanager"),
               "write Alertmanager's base URL (like http://alertmanager:9093), without "
               "its API path: /api/v2/alerts is added");
    } else if (auto endpoint = action_endpoint_under(r, "alertmanager", std::move(*base),
                                                     kAlertmanagerAlertsPath)) {
      out.url = std::move(*endpoint);
    }
  }
  if (auto labels = r.string_map("labels", &check_alert_label_name)) {
    for (const auto& [name, value] : *labels) {
      if (value.empty()) {
        r.problems().add(action_field_mark(*r.get("labels"), name, true),
                         r.label("labels") + ": " + name +
                             ": is empty; Alertmanager reads an empty label as no label, so "
                             "remove it or give it a value");
      }
    }
    out.labels = std::move(*labels);
  }
  if (auto every = r.duration("resend_every", kMinResendEvery, kMaxResendEvery)) {
    out.resend_every = *every;
  }
  if (const auto f = r.get("to"); f && to_read) {
    if (std::find(out.to.begin(), out.to.end(), Status::kOk) != out.to.end()) {
      r.problems().add(action_field_mark(*f, "ok"),
                       r.label("to") +
                           ": ok cannot fire an alert (a transition to ok, or to any status "
                           "not in 'to:', resolves it); list degraded, unhealthy or unknown");
      out.to.erase(std::remove(out.to.begin(), out.to.end(), Status::kOk), out.to.end());
    }
  } else if (!to_read) {
    out.to = {Status::kDegraded, Status::kUnhealthy, Status::kUnknown};
  }
}

}  // namespace

std::optional<ActionConfig> read_action(const YAML::Node& item, int index,
                                        const std::string& block_where,
                                        const std::filesystem::path& base_dir,
                                        const TlsConfig& inherited_tls, ProblemList& problems) {
  if (!expect_item_map(item, index, block_where, "on_transition", problems)) return std::nullopt;
  const MapReader r(item, to_source_mark(item.Mark()),
                    "on_transition #" + std::to_string(index) + " in " + block_where,
                    {"webhook", "failure_policy", "alertmanager", "failure_policy_id", "parameters",
                     "labels", "resend_every", "to", "headers", "token_file", "timeout",
                     "max_attempts", "backoff", "max_backoff", "tls"},
                    problems);
  ActionConfig out;
  out.mark = r.mark();
  out.to = {Status::kOk, Status::kDegraded, Status::kUnhealthy, Status::kUnknown};
  bool to_read = false;
  if (const auto f = r.get("to")) {
    if (auto to = read_targets(r, *f)) {
      out.to = std::move(*to);
      to_read = true;
    }
  }
  if (auto headers = r.string_map("headers", &check_header_name)) {
    for (const auto& [name, value] : *headers) {
      if (value.find_first_of("\r\n") != std::string::npos) {
        r.report(*r.get("headers"), "the value of header '" + name + "' has a line break");
      }
    }
    out.headers = std::move(*headers);
  }
  out.token_file = r.path("token_file", base_dir);
  out.tls = read_client_tls(r, base_dir).value_or(inherited_tls);
  if (auto t = r.duration("timeout", kMinActionTimeout, kMaxActionTimeout)) out.timeout = *t;
  if (auto n = r.integer("max_attempts", 1, kMaxAttempts)) out.max_attempts = static_cast<int>(*n);
  out.backoff = r.duration("backoff", kMinBackoff, kMaxBackoff);
  out.max_backoff = r.duration("max_backoff", kMinBackoff, kMaxBackoff);
  if (out.backoff && out.max_backoff && *out.max_backoff < *out.backoff) {
    r.report(*r.get("max_backoff"), "must not be shorter than backoff");
  }

  // The kind: exactly one of the URL keys.
  std::vector<std::string_view> kinds;
  for (std::string_view key : {"webhook", "failure_policy", "alertmanager"}) {
    if (r.has(key)) kinds.push_back(key);
  }
  if (kinds.size() != 1) {
    if (kinds.empty()) {
      r.report_missing("webhook",
                       ", 'failure_policy' or 'alertmanager' (the URL the action calls)");
    } else {
      r.report(*r.get(kinds[1]),
               "an action is one of 'webhook:', 'failure_policy:' or 'alertmanager:', not "
               "several; write one action each");
    }
    return std::nullopt;
  }
  const std::string_view kind = kinds[0];
  // Keys that belong to one kind only.
  static constexpr std::pair<std::string_view, std::string_view> kOwnKeys[] = {
      {"failure_policy_id", "failure_policy"},
      {"parameters", "failure_policy"},
      {"labels", "alertmanager"},
      {"resend_every", "alertmanager"}};
  for (const auto& [key, owner] : kOwnKeys) {
    if (owner == kind) continue;
    if (const auto f = r.get(key)) {
      problems.add(f->key.Mark(), r.label(key) + ": only " +
                                      (owner == "alertmanager" ? "an '" : "a '") +
                                      std::string(owner) + ":' action takes it");
    }
  }

  if (kind == "webhook") {
    out.kind = ActionKind::kWebhook;
    if (auto url = r.http_url("webhook")) out.url = std::move(*url);
    return out;
  }
  if (kind == "alertmanager") {
    read_alertmanager(r, to_read, out);
    return out;
  }

  out.kind = ActionKind::kFailurePolicy;
  if (auto base = r.http_url("failure_policy")) {
    if (auto endpoint =
            action_endpoint_under(r, "failure_policy", std::move(*base), "/executeFailurePolicy")) {
      out.url = std::move(*endpoint);
    }
  }
  if (auto id = r.string("failure_policy_id")) {
    out.failure_policy_id = std::move(*id);
  } else if (!r.has("failure_policy_id")) {
    r.report_missing("failure_policy_id", " (which failure policy the service should execute)");
  }
  if (auto params = r.map("parameters")) {
    if (const auto f = r.get("parameters"); f && !f->value.IsNull()) {
      out.parameters = *params;
      check_duplicate_keys(out.parameters, r.label("parameters"), problems);
    }
  }
  return out;
}

}  // namespace blockhealth
