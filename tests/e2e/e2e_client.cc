#include "tests/e2e/e2e_client.h"

#include <gtest/gtest.h>

#include "tests/support/test_paths.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace json = boost::json;

std::string test_plugin_dirs_yaml(std::initializer_list<std::string> cases) {
  std::string out = "plugins:\n  dirs: [";
  bool first = true;
  for (const std::string& c : cases) {
    out += first ? "" : ", ";
    out += "'" + (test_plugin_dir() / c).string() + "'";
    first = false;
  }
  return out + "]\n";
}

std::string on_request_yaml(std::initializer_list<std::string> cases) {
  return test_plugin_dirs_yaml(cases) + R"(defaults:
  interval: 1h
  timeout: 2s
  healthy_after: 1
  unhealthy_after: 1
  degraded_after: 1
  stale_after: 1h
)";
}

HttpReply http_put(const std::string& address, const std::string& target,
                   const std::string& token) {
  HttpRequest r;
  r.method = "PUT";
  r.target = target;
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  return http_request(address, r);
}

HttpReply post_with_token(const std::string& address, const std::string& target,
                          const std::string& body, const std::string& token,
                          const std::string& content_type) {
  HttpRequest r;
  r.method = "POST";
  r.target = target;
  r.body = body;
  r.headers["Content-Type"] = content_type;
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  return http_request(address, r);
}

HttpReply register_instance(const std::string& address, const std::string& block,
                            const std::string& instance) {
  return http_put(address, "/v1/blocks/" + block + "/instances/" + instance);
}

HttpReply push_metrics(const std::string& address, const std::string& block,
                       const std::string& instance, const std::string& body,
                       const std::string& content_type) {
  return http_post(address, "/v1/blocks/" + block + "/instances/" + instance + "/metrics", body,
                   content_type);
}

HttpReply push_logs(const std::string& address, const std::string& block,
                    const std::string& instance, const std::string& body,
                    const std::string& content_type) {
  return http_post(address, "/v1/blocks/" + block + "/instances/" + instance + "/logs", body,
                   content_type);
}

HttpReply push_status(const std::string& address, const std::string& block,
                      const std::string& instance, int value) {
  return push_metrics(address, block, instance, "{\"test_status\": " + std::to_string(value) + "}");
}

HttpReply mgmt(const std::string& address, const std::string& block, const std::string& action,
               const json::value& data) {
  json::object body{{"mgmt_action", action}};
  if (!data.is_null()) body["mgmt_data"] = data;
  return http_post(address, "/block/" + block + "/health-checker/mgmt", json::serialize(body));
}

json::value block_view(const std::string& address, const std::string& block) {
  const HttpReply reply = http_get(address, "/v1/blocks/" + block);
  if (reply.status != 200) return nullptr;
  return reply.json();
}

json::value instance_of(const json::value& view, const std::string& instance) {
  if (!view.is_object()) return nullptr;
  const json::value* list = view.as_object().if_contains("instances");
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const json::value& in : list->as_array()) {
    if (in.is_object() && str(in, "instance_id") == instance) return in;
  }
  return nullptr;
}

json::value policy_result_of(const json::value& instance, const std::string& policy) {
  if (!instance.is_object()) return nullptr;
  const json::value* list = instance.as_object().if_contains("policies");
  if (list == nullptr || !list->is_array()) return nullptr;
  for (const json::value& p : list->as_array()) {
    if (p.is_object() && str(p, "id") == policy) return p;
  }
  return nullptr;
}

json::value policy_state_of(const json::value& view, const std::string& policy) {
  return policy_result_of(view, policy);  // same layout: "policies": [{"id", ...}]
}

std::uint64_t total_calls(const json::value& view) {
  std::uint64_t n = 0;
  if (!view.is_object()) return n;
  const json::value* list = view.as_object().if_contains("policies");
  if (list == nullptr || !list->is_array()) return n;
  for (const json::value& p : list->as_array()) {
    if (const json::value* calls = p.as_object().if_contains("calls")) {
      n += calls->to_number<std::uint64_t>();
    }
  }
  return n;
}

std::string str(const json::value& object, const char* key) {
  if (!object.is_object()) return "";
  const json::value* v = object.as_object().if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

namespace {

bool all_policies_idle(const json::value& view) {
  for (const json::value& p : view.at("policies").as_array()) {
    if (p.at("busy").as_bool()) return false;
  }
  return true;
}

}  // namespace

json::value evaluate_and_wait(const std::string& address, const std::string& block,
                              const ViewPredicate& done) {
  json::value before = block_view(address, block);
  if (!before.is_object()) {
    ADD_FAILURE() << "no view of block " << block;
    return nullptr;
  }
  const std::uint64_t target = total_calls(before) + before.at("policies").as_array().size();
  const HttpReply reply = mgmt(address, block, "evaluate");
  if (reply.status != 200) {
    ADD_FAILURE() << "evaluate " << block << ": " << reply.status << " " << reply.body;
    return before;
  }
  json::value view;
  const bool ok = wait_until([&] {
    view = block_view(address, block);
    return view.is_object() && total_calls(view) >= target && all_policies_idle(view) &&
           (!done || done(view));
  });
  if (!ok) ADD_FAILURE() << "block " << block << " did not finish its evaluation: " << view;
  return view;
}

json::value wait_for_view(const std::string& address, const std::string& block,
                          const ViewPredicate& done) {
  json::value view;
  const bool ok = wait_until([&] {
    view = block_view(address, block);
    return view.is_object() && done(view);
  });
  if (!ok) ADD_FAILURE() << "block " << block << " never reached the expected state: " << view;
  return view;
}

double metric_value(const std::string& address, const std::string& name,
                    std::initializer_list<std::string> labels) {
  const HttpReply reply = http_get(address, "/metrics");
  if (reply.status != 200) return -1;
  std::size_t pos = 0;
  while (pos < reply.body.size()) {
    std::size_t end = reply.body.find('\n', pos);
    if (end == std::string::npos) end = reply.body.size();
    const std::string line = reply.body.substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (const std::string& l : labels) all = all && line.find(l) != std::string::npos;
    if (!all) continue;
    return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

}  // namespace blockhealth::test
