#include "core/plugins/policy_instance.h"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <exception>
#include <mutex>
#include <utility>

#include "core/config/duration.h"
#include "core/plugins/abi_batch.h"
#include "core/plugins/lifecycle_runner.h"
#include "core/plugins/stuck_plugins.h"
#include "core/util/text.h"

namespace blockhealth {
namespace {

constexpr std::size_t kMaxLogMessage = 4096;

std::string failure(const std::string& name, const std::string& error) {
  return error.empty() ? "policy " + name + " failed without a message"
                       : "policy " + name + " failed: " + error;
}

std::int64_t now_ms_of(const CallLimits& limits, const Clock& clock) {
  return limits.now_ms != 0 ? limits.now_ms : clock.wall_ms();
}

}  // namespace

// The bh_host table handed to the plugin, and what its functions read.
// Lives exactly as long as the PolicyInstance (past destroy()).
struct PolicyInstance::HostContext {
  bh_host host{};
  std::string label;
  const Clock* clock = nullptr;

  static const HostContext& of(const bh_host* host) {
    return *static_cast<const HostContext*>(host->host_data);
  }

  static void log(const bh_host* host, int32_t level, const char* message) {
    try {
      const HostContext& self = of(host);
      std::string text = message == nullptr ? "(null)" : sanitize_utf8(message);
      if (text.size() > kMaxLogMessage) text.resize(kMaxLogMessage);  // may cut a character
      switch (level) {
        case BH_LOG_DEBUG:
          spdlog::debug("[{}] {}", self.label, text);
          break;
        case BH_LOG_INFO:
          spdlog::info("[{}] {}", self.label, text);
          break;
        case BH_LOG_WARN:
          spdlog::warn("[{}] {}", self.label, text);
          break;
        case BH_LOG_ERROR:
          spdlog::error("[{}] {}", self.label, text);
          break;
        default:
          spdlog::info("[{}] (level {}) {}", self.label, level, text);
          break;
      }
    } catch (...) {  // logging must never unwind into the plugin
    }
  }

  static int64_t monotonic_ns(const bh_host* /*host*/) {
    return SystemClock::instance().monotonic_ns();
  }

  static int64_t wall_ms(const bh_host* host) { return of(host).clock->wall_ms(); }
};

PolicyInstance::PolicyInstance(PolicyPluginConstSharedPtr plugin, std::string label,
                               const Clock& clock)
    : plugin_(std::move(plugin)), label_(std::move(label)), host_(std::make_shared<HostContext>()) {
  host_->label = label_;
  host_->clock = &clock;
  bh_host& h = host_->host;
  h.struct_size = sizeof(bh_host);
  h.abi_major = BH_ABI_MAJOR;
  h.abi_minor = BH_ABI_MINOR;
  h.host_data = host_.get();
  h.log = &HostContext::log;
  h.monotonic_ns = &HostContext::monotonic_ns;
  h.wall_ms = &HostContext::wall_ms;
}

namespace {

// What a bounded create() or destroy() shares with the caller. The job owns
// it (and through it the plugin and the host table the plugin may call
// back), so an abandoned call keeps all it touches alive.
struct LifecycleCall {
  std::mutex mu;
  bool finished = false;   // GUARDED_BY(mu)
  bool abandoned = false;  // GUARDED_BY(mu)
};

// Once `call` finished in time, true. Otherwise marks it abandoned and the
// plugin stuck (the job clears the mark when it returns) and returns false;
// a job that finished between the deadline and this check counts as in
// time.
bool settle(LifecycleCall& call, bool in_time, const PolicyPlugin& plugin,
            const std::string& reason) {
  if (in_time) return true;
  std::lock_guard lock(call.mu);
  if (call.finished) return true;
  call.abandoned = true;
  StuckPlugins::instance().mark(plugin.content_hash(), reason);
  return false;
}

// Called by the job when the plugin returned: true when the caller had
// given up on it (the plugin's stuck mark is then lifted).
bool finish(LifecycleCall& call, const PolicyPlugin& plugin) {
  std::lock_guard lock(call.mu);
  call.finished = true;
  if (call.abandoned) StuckPlugins::instance().clear(plugin.content_hash());
  return call.abandoned;
}

// Objects kept on purpose for the process's life (instances not destroyed
// because their plugin is stuck), reachable so that leak checkers see them
// as kept, not lost.
void keep_forever(std::shared_ptr<const void> object) {
  static auto* const kept = new std::vector<std::shared_ptr<const void>>();
  static std::mutex mu;
  std::lock_guard lock(mu);
  kept->push_back(std::move(object));
}

}  // namespace

PolicyInstance::~PolicyInstance() {
  if (handle_ == nullptr) return;
  const bh_policy_v1& table = plugin_->table();
  if (limit_.count() <= 0) {
    table.destroy(handle_);
    return;
  }
  const std::string& name = plugin_->name();
  if (auto stuck = StuckPlugins::instance().reason(plugin_->content_hash()); stuck) {
    spdlog::warn("[{}] policy {} instance not destroyed (kept as is): {}", label_, name, *stuck);
    keep_forever(host_);
    keep_forever(plugin_);
    return;
  }
  auto call = std::make_shared<LifecycleCall>();
  const std::string reason = "its destroy() did not return within " + format_duration(limit_);
  const bool in_time = LifecycleRunner::instance().run(
      [call, plugin = plugin_, host = host_, handle = handle_, label = label_] {
        plugin->table().destroy(handle);
        if (finish(*call, *plugin)) {
          spdlog::warn("[{}] policy {} destroy() returned late; the plugin may be used again",
                       label, plugin->name());
        }
      },
      limit_);
  if (!settle(*call, in_time, *plugin_, reason)) {
    spdlog::error(
        "[{}] policy {}: {}; it is left running, and the plugin is not called again "
        "until it returns",
        label_, name, reason);
  }
}

Result<PolicyInstanceSharedPtr> PolicyInstance::create(PolicyPluginConstSharedPtr plugin,
                                                       const std::string& params_json,
                                                       std::string label, const Clock& clock,
                                                       std::chrono::milliseconds limit) {
  if (plugin == nullptr) return fail("policy instance " + label + ": no plugin");
  try {
    if (limit.count() > 0) {
      if (auto stuck = StuckPlugins::instance().reason(plugin->content_hash()); stuck) {
        return fail("policy " + plugin->name() + " (" + plugin->path().string() +
                    ") is refused: " + *stuck + " and that call has not returned yet");
      }
    }
    PolicyInstanceSharedPtr instance(
        new PolicyInstance(std::move(plugin), std::move(label), clock));
    const std::string params = params_json.empty() ? "{}" : params_json;
    // What create() wrote; read only once the call finished in time.
    struct Created {
      bh_policy_instance* handle = nullptr;
      std::string error;
    };
    auto created = std::make_shared<Created>();
    auto call_create = [instance, params, created, &clock] {
      AbiCall call(clock.wall_ms(), 0, nullptr);
      created->handle =
          instance->plugin_->table().create(&instance->host_->host, params.c_str(), call.get());
      if (created->handle == nullptr) created->error = call.error();
    };
    if (limit.count() <= 0) {
      call_create();
    } else {
      auto call = std::make_shared<LifecycleCall>();
      const std::string reason = "its create() did not return within " + format_duration(limit);
      const bool in_time = LifecycleRunner::instance().run(
          [call, call_create, instance, created] {
            call_create();
            if (finish(*call, instance->plugin())) {
              // Nobody takes the late instance: destroy it with this job.
              instance->handle_ = created->handle;
              instance->limit_ = std::chrono::milliseconds{0};
              spdlog::warn("[{}] policy {} create() returned late; the plugin may be used again",
                           instance->label(), instance->plugin().name());
            }
          },
          limit);
      if (!settle(*call, in_time, instance->plugin(), reason)) {
        spdlog::error(
            "[{}] policy {}: {}; it is left running, and the plugin is not called "
            "again until it returns",
            instance->label(), instance->plugin().name(), reason);
        return fail("policy " + instance->plugin().name() + ": " + reason +
                    " (the call is abandoned)");
      }
    }
    if (created->handle == nullptr) {
      const std::string& name = instance->plugin().name();
      return fail(created->error.empty()
                      ? "policy " + name + " failed to create an instance without a message"
                      : "policy " + name + " failed to create an instance: " + created->error);
    }
    instance->handle_ = created->handle;
    instance->limit_ = limit;
    return instance;
  } catch (const std::exception& e) {
    return fail("policy instance: " + std::string(e.what()));
  }
}

Result<void> PolicyInstance::evaluate(std::span<const bh_instance* const> inputs,
                                      VerdictBuffers& out, const CallLimits& limits) {
  try {
    out.reset(inputs.size());
    AbiCall call(now_ms_of(limits, *host_->clock), limits.deadline_ns, limits.cancel);
    const bh_result result =
        plugin_->table().evaluate(handle_, call.get(), inputs.data(), inputs.size(), out.outputs());
    if (result == BH_RESULT_OK) return {};
    std::string error = call.error();
    if (error.empty() && result != BH_RESULT_ERROR) {
      error = "returned invalid result code " + std::to_string(result);
    }
    return fail(std::move(error));
  } catch (const std::exception& e) {
    return fail(std::string("host error: ") + e.what());
  }
}

EvaluateOutcome PolicyInstance::evaluate(std::span<const InstanceObservationsConstSharedPtr> inputs,
                                         const CallLimits& limits) {
  EvaluateOutcome outcome;
  const std::string& name = plugin_->name();
  try {
    AbiBatch batch(inputs);
    Result<void> done = evaluate(batch.input_span(), batch.verdict_buffers(), limits);
    if (done) {
      outcome.ok = true;
      outcome.verdicts.reserve(batch.size());
      for (std::size_t i = 0; i < batch.size(); ++i)
        outcome.verdicts.push_back(batch.verdict(i, name));
      return outcome;
    }
    outcome.error = done.error().message;
  } catch (const std::exception& e) {
    outcome.error = std::string("host error: ") + e.what();
  }
  outcome.ok = false;
  outcome.verdicts.assign(inputs.size(),
                          PolicyVerdict{Status::kUnknown, failure(name, outcome.error), {}});
  return outcome;
}

Result<std::string> PolicyInstance::manage(std::string_view action, std::string_view data_json,
                                           const CallLimits& limits) {
  const std::string& name = plugin_->name();
  const bh_policy_v1& table = plugin_->table();
  if (table.manage == nullptr) return fail("policy " + name + " has no management actions");
  try {
    const std::string action_text = sanitize_utf8(action);
    const std::string data = data_json.empty() ? "{}" : std::string(data_json);
    AbiCall call(now_ms_of(limits, *host_->clock), limits.deadline_ns, limits.cancel);
    AbiOutput answer;
    const bh_result result =
        table.manage(handle_, call.get(), action_text.c_str(), data.c_str(), answer.get());
    if (result != BH_RESULT_OK) return fail(failure(name, call.error()));
    if (answer.overflowed()) {
      return fail("policy " + name + " answered more than " + std::to_string(AbiOutput::kCapacity) +
                  " bytes");
    }
    // in_place_value: Error is constructible from a std::string too.
    if (answer.text().empty()) return Result<std::string>(boost::system::in_place_value, "{}");
    boost::system::error_code ec;
    boost::json::parse(answer.text(), ec);
    if (ec) return fail("policy " + name + " answered with invalid JSON: " + ec.message());
    return Result<std::string>(boost::system::in_place_value, answer.text());
  } catch (const std::exception& e) {
    return fail("policy " + name + ": host error: " + e.what());
  }
}

}  // namespace blockhealth
