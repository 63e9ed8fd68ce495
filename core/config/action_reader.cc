#include <algorithm>

#include "core/config/block_parts.h"
#include "core/config/yaml_reader.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kMinActionTimeout{100};
constexpr milliseconds kMaxActionTimeout{5 * 60 * 1000};
constexpr int kMaxAttempts = 100;
constexpr milliseconds kMinBackoff{100};
constexpr milliseconds kMaxBackoff{3600 * 1000};

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

// The failure-policy endpoint under a base URL: <base>/executeFailurePolicy.
std::optional<HttpUrl> failure_policy_endpoint(const MapReader& r, HttpUrl base) {
  const auto f = r.get("failure_policy");
  if (base.target.find('?') != std::string::npos) {
    r.report(*f, "the base URL must not have a query ('?...'); /executeFailurePolicy is added");
    return std::nullopt;
  }
  std::string text = base.text;
  while (!text.empty() && text.back() == '/') text.pop_back();
  while (!base.target.empty() && base.target.back() == '/') base.target.pop_back();
  base.text = text + "/executeFailurePolicy";
  base.target += "/executeFailurePolicy";
  return base;
}

}  // namespace

std::optional<ActionConfig> read_action(const YAML::Node& item, int index,
                                        const std::string& block_where,
                                        const std::filesystem::path& base_dir,
                                        ProblemList& problems) {
  if (!expect_item_map(item, index, block_where, "on_transition", problems)) return std::nullopt;
  const MapReader r(item, to_source_mark(item.Mark()),
                    "on_transition #" + std::to_string(index) + " in " + block_where,
                    {"webhook", "failure_policy", "failure_policy_id", "parameters", "to",
                     "headers", "token_file", "timeout", "max_attempts", "backoff", "max_backoff"},
                    problems);
  ActionConfig out;
  out.mark = r.mark();
  out.to = {Status::kOk, Status::kDegraded, Status::kUnhealthy, Status::kUnknown};
  if (const auto f = r.get("to")) {
    if (auto to = read_targets(r, *f)) out.to = std::move(*to);
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
  if (auto t = r.duration("timeout", kMinActionTimeout, kMaxActionTimeout)) out.timeout = *t;
  if (auto n = r.integer("max_attempts", 1, kMaxAttempts)) out.max_attempts = static_cast<int>(*n);
  out.backoff = r.duration("backoff", kMinBackoff, kMaxBackoff);
  out.max_backoff = r.duration("max_backoff", kMinBackoff, kMaxBackoff);
  if (out.backoff && out.max_backoff && *out.max_backoff < *out.backoff) {
    r.report(*r.get("max_backoff"), "must not be shorter than backoff");
  }

  const bool webhook = r.has("webhook");
  const bool failure_policy = r.has("failure_policy");
  if (webhook == failure_policy) {
    if (webhook) {
      r.report(*r.get("failure_policy"),
               "an action is either 'webhook:' or 'failure_policy:', "
               "not both; write two actions");
    } else {
      r.report_missing("webhook", " or 'failure_policy' (the URL the action calls)");
    }
    return std::nullopt;
  }
  if (webhook) {
    out.kind = ActionKind::kWebhook;
    for (std::string_view key : {"failure_policy_id", "parameters"}) {
      if (const auto f = r.get(key)) {
        problems.add(f->key.Mark(), r.label(key) + ": only a 'failure_policy:' action takes it");
      }
    }
    if (auto url = r.http_url("webhook")) out.url = std::move(*url);
    return out;
  }

  out.kind = ActionKind::kFailurePolicy;
  if (auto base = r.http_url("failure_policy")) {
    if (auto endpoint = failure_policy_endpoint(r, std::move(*base)))
      out.url = std::move(*endpoint);
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
