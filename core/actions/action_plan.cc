#include "core/actions/action_plan.h"

#include <algorithm>
#include <boost/json/object.hpp>

#include "core/plugins/yaml_to_json.h"

namespace blockhealth {

std::string_view to_string(ActionKind kind) {
  switch (kind) {
    case ActionKind::kFailurePolicy:
      return "failure_policy";
    case ActionKind::kAlertmanager:
      return "alertmanager";
    case ActionKind::kWebhook:
      break;
  }
  return "webhook";
}

bool PreparedAction::triggers_on(Status s) const {
  return std::find(to.begin(), to.end(), s) != to.end();
}

const PreparedAction* BlockActions::find(std::string_view name, std::string_view url) const {
  for (const PreparedAction& a : actions) {
    if (a.name == name && a.url.text == url) return &a;
  }
  const std::string_view kind = name.substr(0, name.find('#'));
  for (const PreparedAction& a : actions) {
    if (to_string(a.kind) == kind && a.url.text == url) return &a;
  }
  return nullptr;
}

namespace {

PreparedAction prepare(const BlockConfig& block, std::size_t position, const ActionConfig& a,
                       std::vector<std::string>* warnings) {
  PreparedAction p;
  p.name = std::string(to_string(a.kind)) + "#" + std::to_string(position);
  p.kind = a.kind;
  p.url = a.url;
  p.failure_policy_id = a.failure_policy_id;
  p.labels = a.labels;
  p.resend_every = a.resend_every;
  p.to = a.to;
  p.headers = a.headers;
  p.tls = a.tls;
  p.token_file = a.token_file;
  p.timeout = a.timeout;
  p.max_attempts = a.max_attempts;
  p.backoff = a.backoff;
  p.max_backoff = a.max_backoff;
  if (a.kind == ActionKind::kFailurePolicy) {
    std::vector<YamlConversionError> errors;
    p.parameters = a.parameters.IsDefined() && !a.parameters.IsNull()
                       ? yaml_to_json(a.parameters, &errors)
                       : boost::json::value(boost::json::object{});
    for (const YamlConversionError& e : errors) {
      if (warnings == nullptr) break;
      warnings->push_back("block '" + block.id + "' action " + p.name + ": " +
                          format_json_path("parameters", e.path) + ": " + e.message);
    }
    if (p.parameters.is_null()) p.parameters = boost::json::object{};
  }
  return p;
}

}  // namespace

ActionPlan ActionPlan::build(const Config& config, std::vector<std::string>* warnings) {
  ActionPlan plan;
  for (const BlockConfig& block : config.blocks) {
    if (block.on_transition.empty()) continue;
    BlockActions b;
    b.block_id = block.id;
    b.repeat_after = block.settings.repeat_after;
    for (std::size_t i = 0; i < block.on_transition.size(); ++i) {
      b.actions.push_back(prepare(block, i, block.on_transition[i], warnings));
    }
    plan.blocks_.emplace(block.id, std::move(b));
  }
  return plan;
}

const BlockActions* ActionPlan::block(std::string_view id) const {
  const auto it = blocks_.find(id);
  return it == blocks_.end() ? nullptr : &it->second;
}

}  // namespace blockhealth
