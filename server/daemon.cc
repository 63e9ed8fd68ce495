#include "server/daemon.h"

#include <malloc.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <csignal>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/actions/action_dispatcher.h"
#include "core/actions/action_listener.h"
#include "core/actions/state_store_outbox.h"
#include "core/config/config_loader.h"
#include "core/discovery/discovered_set.h"
#include "core/discovery/discovery_manager.h"
#include "core/engine/engine.h"
#include "core/engine/engine_metrics.h"
#include "core/engine/engine_plan.h"
#include "core/engine/plan_inputs.h"
#include "core/prometheus/process_metrics.h"
#include "core/sources/source_manager.h"
#include "core/state/state_store.h"
#include "core/util/json_text.h"
#include "server/auth.h"
#include "server/control_thread.h"
#include "server/fd_limit.h"
#include "server/http_server.h"
#include "server/routes.h"
#include "server/state_wiring.h"
#include "server/systemd_notify.h"
#include "server/version.h"

namespace blockhealth::server {
namespace json = boost::json;
namespace net = boost::asio;

namespace {

// A control thread left behind at shutdown (ControlThread::stop).
ControlThread* abandoned_control = nullptr;

Result<net::ip::tcp::endpoint> resolve_listen(const ListenAddress& listen) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(listen.host, ec);
  if (ec) {
    if (listen.host == "localhost")
      return net::ip::tcp::endpoint(net::ip::address_v4::loopback(), listen.port);
    return fail("server.listen: '" + listen.host + "' is not an IP address (" + ec.message() + ")");
  }
  return net::ip::tcp::endpoint(address, listen.port);
}

Result<ListenAddress> parse_listen_override(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return fail("--listen: expected host:port, got '" + text + "'");
  ListenAddress out;
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  try {
    const int port = std::stoi(text.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    out.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return fail("--listen: bad port in '" + text + "'");
  }
  return out;
}

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& e) {
  return (e.address().is_v6() ? "[" + e.address().to_string() + "]" : e.address().to_string()) +
         ":" + std::to_string(e.port());
}

// The daemon's URL as others reach it, for the generatorURL of alerts: the
// bound address, or the host name when bound to every address (as
// Prometheus's default external URL); "" when there is no name.
std::string self_url_of(const boost::asio::ip::tcp::endpoint& e, bool tls) {
  const std::string scheme = tls ? "https://" : "http://";
  if (!e.address().is_unspecified()) return scheme + endpoint_text(e);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "";
  return scheme + std::string(host) + ":" + std::to_string(e.port());
}

Result<void> write_port_file(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << "\n";
    if (!out) return fail("cannot write " + tmp.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("cannot write " + path.string() + ": " + ec.message());
  return {};
}

class Daemon {
 public:
  explicit Daemon(DaemonOptions options) : options_(std::move(options)) {}
  int run();

 private:
  Result<std::string> reload();
  // Queues a reload on the control thread, or joins the one queued and not
  // yet started; `done` (may be empty) gets its result there.
  void reload_async(ServerContext::ReloadDone done);
  // PUT and DELETE /v1/blocks/<id> (ServerContext::put_block, delete_block).
  Result<bool> put_block(const std::string& id, std::string_view body,
                         std::vector<BodyProblem>* problems);
  Result<void> delete_block(const std::string& id);
  // Builds the plan of `inputs` over the running one, reusing the running
  // plugin catalog when `rescan` is false. REQUIRES: reload_mu_ held.
  Result<BuiltPlan> build_over_current(const PlanInputs& inputs, bool rescan,
                                       std::map<std::string, std::vector<BodyProblem>>* problems);
  // The first plan: the file and the stored HTTP blocks; a stored block
  // that no longer passes is left out (logged, kept stored).
  Result<BuiltPlan> build_first_plan(PlanInputs& inputs);
  // Swaps `built` in (engine, pull sources, actions, token). REQUIRES:
  // reload_mu_ held. `current` is the plan it replaces (nullptr at start).
  Result<std::string> apply_plan(const BuiltPlan& built, const EnginePlan* current);
  // The discovery sources' instances changed: a plan with them, over the
  // running one (on the control thread). A plan that does not build keeps
  // the running instances (logged).
  void apply_discovered();
  Result<std::optional<std::string>> load_token(const Config& config);
  // Opens the state store and builds the engine around it (restored holds,
  // transition numbering). Error when the store cannot be opened.
  Result<void> open_state(const Config& config);
  void install_routes();
  // Binds the aios.mgmt_listen listener (one thread) when configured, and
  // writes --mgmt-port-file. Error names the address.
  Result<void> open_mgmt_listener(const SessionLimits& limits);
  void arm_prune_timer();
  // Every 2 s: transitions whose write failed are written again.
  void arm_history_retry_timer();
  // WATCHDOG=1 to systemd at half its WatchdogSec=, from the control loop
  // (so a control loop that stops answering gets the daemon restarted).
  void arm_watchdog_timer();
  // READY=1 with a STATUS= line for systemd.
  void notify_ready();
  void shutdown();

  DaemonOptions options_;
  prometheus::MetricsRegistry metrics_;
  ListenerFanout fanout_;
  std::unique_ptr<StateStore> state_;
  std::unique_ptr<StoredHolds> stored_holds_;
  std::unique_ptr<HistoryRecorder> history_;
  std::unique_ptr<StateStoreOutbox> outbox_;
  std::unique_ptr<EngineMetrics> engine_metrics_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<ActionDispatcher> actions_;  // after engine_: destroyed before it
  std::unique_ptr<ActionListener> action_listener_;
  std::unique_ptr<SourceManager> sources_;  // after engine_: destroyed before it
  std::unique_ptr<EventLog> event_log_;
  std::unique_ptr<ServerContext> ctx_;
  WriteAuth auth_;
  Router router_;
  Router mgmt_router_;  // the aios.mgmt_listen listener's
  net::io_context io_;
  std::unique_ptr<net::steady_timer> prune_timer_;          // on io_: destroyed before it
  std::unique_ptr<net::steady_timer> history_retry_timer_;  // on io_: destroyed before it
  SystemdNotifier systemd_;
  std::unique_ptr<net::steady_timer> watchdog_timer_;  // on io_, when systemd asks for one
  std::unique_ptr<HttpServer> http_;
  // server.tls's context as of the last applied plan (null: plain HTTP);
  // control thread (apply_plan, run).
  TlsContextPtr server_tls_;
  std::unique_ptr<HttpServer> mgmt_http_;  // when aios.mgmt_listen is set
  // Configuration work (reloads, block writes) runs here, never on an HTTP
  // loop or the signal handler's thread.
  std::unique_ptr<ControlThread> control_;
  // After control_ (destroyed before it): its callback posts there.
  std::unique_ptr<DiscoveryManager> discovery_;
  std::atomic<bool> discovery_pending_{false};  // an apply_discovered is queued
  std::mutex waiting_mu_;
  std::vector<ServerContext::ReloadDone> waiting_reloads_;  // GUARDED_BY(waiting_mu_)
  std::size_t open_files_ = 1024;  // RLIMIT_NOFILE after raise_open_files_limit()
  std::mutex reload_mu_;
  PlanInputs inputs_;     // GUARDED_BY(reload_mu_): what the running plan was built from
  PlanCache plan_cache_;  // GUARDED_BY(reload_mu_)
  prometheus::CounterFamily* reloads_ = nullptr;
  prometheus::Gauge reload_ok_;     // blockhealth_config_last_reload_successful
  prometheus::Gauge reload_ok_at_;  // ..._last_reload_success_timestamp_seconds
  std::once_flag shutdown_once_;
  std::atomic<bool> stop_requested_{false};  // SIGTERM/SIGINT came
  std::thread shutdown_thread_;              // started by SIGTERM/SIGINT, joined by run()
};

Result<std::optional<std::string>> Daemon::load_token(const Config& config) {
  if (!config.server.auth_token_file) return std::optional<std::string>();
  auto token = read_token_file(*config.server.auth_token_file);
  if (!token) return token.error();
  return std::optional<std::string>(std::move(*token));
}

Result<BuiltPlan> Daemon::build_over_current(
    const PlanInputs& inputs, bool rescan,
    std::map<std::string, std::vector<BodyProblem>>* problems) {
  const EnginePlanConstSharedPtr current = engine_->plan();
  return build_plan(inputs, options_.builtin_plugin_dirs, rescan ? nullptr : current->catalog,
                    current.get(), engine_->clock(), problems, &plan_cache_);
}

void Daemon::reload_async(ServerContext::ReloadDone done) {
  bool first = false;
  {
    std::lock_guard lock(waiting_mu_);
    first = waiting_reloads_.empty();
    waiting_reloads_.push_back(std::move(done));
  }
  if (!first) return;  // the queued reload answers this one too
  control_->post([this] {
    std::vector<ServerContext::ReloadDone> waiting;
    {
      std::lock_guard lock(waiting_mu_);
      waiting.swap(waiting_reloads_);
    }
    const Result<std::string> result = reload();
    for (const auto& d : waiting) {
      if (d) d(result);
    }
  });
}

Result<std::string> Daemon::reload() {
  std::lock_guard lock(reload_mu_);
  systemd_.notify("RELOADING=1");
  // READY=1 again however the reload ends: the daemon serves either way.
  struct Ready {
    Daemon* daemon;
    ~Ready() { daemon->notify_ready(); }
  } ready_again{this};
  const EnginePlanConstSharedPtr current = engine_->plan();
  PlanInputs inputs = inputs_;
  Result<BuiltPlan> built = fail("");
  if (auto text = read_config_text(options_.config_path); text) {
    inputs.file_text = std::move(*text);
    built = build_over_current(inputs, true, nullptr);
  } else {
    built = text.error();
  }
  if (!built) {
    reloads_->with({"rejected"}).inc();
    reload_ok_.set(0);
    spdlog::error("reload of {} rejected; keeping the running configuration:\n{}",
                  options_.config_path.string(), built.error().message);
    return built.error();
  }
  auto applied = apply_plan(*built, current.get());
  if (applied) inputs_ = std::move(inputs);
  return applied;
}

Result<bool> Daemon::put_block(const std::string& id, std::string_view body,
                               std::vector<BodyProblem>* problems) {
  std::lock_guard lock(reload_mu_);
  const EnginePlanConstSharedPtr current = engine_->plan();
  if (const BlockConfig* b = current->config.find_block(id);
      b != nullptr && b->source == BlockSource::kFile) {
    return Error{"block '" + id + "' is defined in " + options_.config_path.string() +
                     "; a block of the config file is changed there (then reload), not over HTTP",
                 ErrorCode::kConflict};
  }
  // The body alone first, for its problems by pointer; then with the rest.
  auto file = file_config(inputs_, plan_cache_);
  if (!file) {
    return Error{"the running config file no longer reads: " + file.error().message,
                 ErrorCode::kUnavailable};
  }
  const std::size_t most = current->config.server.max_api_blocks;
  if (inputs_.api_bodies.count(id) == 0 && inputs_.api_bodies.size() >= most) {
    return Error{"there are " + std::to_string(inputs_.api_bodies.size()) +
                     " blocks defined over HTTP, the most kept at once "
                     "(server.max_api_blocks); delete one first",
                 ErrorCode::kConflict};
  }
  auto read = read_api_block(body, id, **file, problems);
  if (!read) return read.error();
  plan_cache_.api.insert_or_assign(id, *read);
  PlanInputs inputs = inputs_;
  const bool created = inputs.api_bodies.count(id) == 0;
  const std::optional<std::string> before =
      created ? std::nullopt : std::optional<std::string>(inputs.api_bodies[id]);
  inputs.api_bodies[id] = read->body;
  std::map<std::string, std::vector<BodyProblem>> found;
  auto built = build_over_current(inputs, false, &found);
  if (!built) {
    // Problems elsewhere (the file's, another HTTP block's) cannot come
    // from this body: the running plan was built from them.
    std::vector<BodyProblem> mine =
        found.count(id) != 0 ? found[id] : std::vector<BodyProblem>{{"", built.error().message}};
    Error error{format_body_problems(mine), ErrorCode::kInvalid};
    if (problems != nullptr) *problems = std::move(mine);
    return error;
  }
  // Stored before it runs: a block that runs is one a restart brings back.
  if (auto stored = state_->put_api_block({id, read->body, SystemClock::instance().wall_ms()});
      !stored) {
    return Error{"block '" + id + "' not saved: " + stored.error().message,
                 ErrorCode::kUnavailable};
  }
  if (auto applied = apply_plan(*built, current.get()); !applied) {
    if (before) {
      (void)state_->put_api_block({id, *before, SystemClock::instance().wall_ms()});
    } else {
      (void)state_->delete_api_block(id);
    }
    return applied.error();
  }
  inputs_ = std::move(inputs);
  spdlog::info("block '{}' {} over HTTP", id, created ? "created" : "replaced");
  return created;
}

Result<void> Daemon::delete_block(const std::string& id) {
  std::lock_guard lock(reload_mu_);
  const EnginePlanConstSharedPtr current = engine_->plan();
  if (inputs_.api_bodies.count(id) == 0) {
    const BlockConfig* b = current->config.find_block(id);
    if (b != nullptr) {
      return Error{"block '" + id + "' is defined in " + options_.config_path.string() +
                       "; remove it there (then reload), not over HTTP",
                   ErrorCode::kConflict};
    }
    return Error{"no block '" + id + "' defined over HTTP", ErrorCode::kNotFound};
  }
  PlanInputs inputs = inputs_;
  const std::string before = inputs.api_bodies[id];
  inputs.api_bodies.erase(id);
  auto built = build_over_current(inputs, false, nullptr);
  if (!built) return built.error();
  if (auto deleted = state_->delete_api_block(id); !deleted) {
    return Error{"block '" + id + "' not deleted: " + deleted.error().message,
                 ErrorCode::kUnavailable};
  }
  if (auto applied = apply_plan(*built, current.get()); !applied) {
    (void)state_->put_api_block({id, before, SystemClock::instance().wall_ms()});
    return applied.error();
  }
  inputs_ = std::move(inputs);
  spdlog::info("block '{}' deleted over HTTP", id);
  return {};
}

void Daemon::apply_discovered() {
  std::lock_guard lock(reload_mu_);
  PlanInputs inputs = inputs_;
  inputs.discovered = discovery_->snapshot();
  const auto same = [](const std::vector<InstanceConfig>& a, const std::vector<InstanceConfig>& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_instance);
  };
  if (inputs.discovered.size() == inputs_.discovered.size() &&
      std::equal(inputs.discovered.begin(), inputs.discovered.end(), inputs_.discovered.begin(),
                 [&](const auto& x, const auto& y) {
                   return x.first == y.first && same(x.second, y.second);
                 })) {
    return;
  }
  const EnginePlanConstSharedPtr current = engine_->plan();
  auto built = build_over_current(inputs, false, nullptr);
  if (!built) {
    spdlog::error(
        "discovery: the instances found do not make a valid plan; keeping the running "
        "ones:\n{}",
        built.error().message);
    return;
  }
  if (auto applied = apply_plan(*built, current.get()); !applied) {
    spdlog::error("discovery: the instances found could not be applied: {}",
                  applied.error().message);
    return;
  }
  std::size_t count = 0;
  for (const auto& [block, list] : inputs.discovered) count += list.size();
  inputs_ = std::move(inputs);
  spdlog::info("discovery: {} discovered instances now run", count);
}

Result<BuiltPlan> Daemon::build_first_plan(PlanInputs& inputs) {
  std::map<std::string, std::vector<BodyProblem>> problems;
  auto built = build_plan(inputs, options_.builtin_plugin_dirs, nullptr, nullptr,
                          SystemClock::instance(), &problems, &plan_cache_);
  if (built || problems.empty()) return built;
  for (const auto& [id, list] : problems) {
    spdlog::error(
        "block '{}' (defined over HTTP, stored in {}) is left out until it is PUT again or "
        "deleted:\n{}",
        id, state_->path(), format_body_problems(list));
    inputs.api_bodies.erase(id);
  }
  return build_plan(inputs, options_.builtin_plugin_dirs, nullptr, nullptr, SystemClock::instance(),
                    nullptr, &plan_cache_);
}

Result<std::string> Daemon::apply_plan(const BuiltPlan& built, const EnginePlan* current) {
  const EnginePlanConstSharedPtr& plan = built.plan;
  auto token = load_token(plan->config);
  if (!token) {
    reloads_->with({"rejected"}).inc();
    reload_ok_.set(0);
    spdlog::error("reload rejected: {}", token.error().message);
    return token.error();
  }
  // The listener's certificate is read again on every apply: a reload picks
  // up renewed files; a file that no longer loads refuses the reload.
  TlsContextPtr server_tls;
  if (const auto& tls = plan->config.server.tls) {
    auto context = server_tls_context(*tls);
    if (!context) {
      reloads_->with({"rejected"}).inc();
      reload_ok_.set(0);
      const Error error = fail("server.tls: " + context.error().message);
      spdlog::error("reload rejected: {}", error.message);
      return error;
    }
    server_tls = *context;
  }
  json::array restart_needed;
  if (current != nullptr) {
    ServerConfig before = current->config.server;
    ServerConfig after = plan->config.server;
    before.auth_token_file = after.auth_token_file;                  // applied live
    before.max_instances_per_block = after.max_instances_per_block;  // applied live
    before.max_api_blocks = after.max_api_blocks;                    // applied live
    // New certificate files apply live; turning TLS on or off needs a restart.
    if (before.tls.has_value() == after.tls.has_value()) before.tls = after.tls;
    if (!(before == after)) {
      restart_needed.push_back("server");
      spdlog::warn(
          "reload: changes under server: (listen, limits, threads, tls on/off) take effect at "
          "restart; auth_token_file and tls certificate files are applied now");
    }
    if (current->config.aios.mgmt_listen != plan->config.aios.mgmt_listen) {
      restart_needed.push_back("aios.mgmt_listen");
      spdlog::warn("reload: aios.mgmt_listen changes take effect at restart");
    }
    if (current->config.state_dir != plan->config.state_dir) {
      restart_needed.push_back("state_dir");
      spdlog::warn("reload: state_dir changes take effect at restart; still using {}",
                   state_->path());
    }
  }
  auth_.set_token(std::move(*token));
  server_tls_ = server_tls;
  if (http_ && http_->tls() && server_tls_) http_->set_tls(server_tls_);
  engine_->apply(plan);
  sources_->apply(plan->config);  // after the engine made the instances' records
  actions_->apply(plan->config);
  if (discovery_) discovery_->configure(plan->config);
  reloads_->with({"applied"}).inc();
  reload_ok_.set(1);
  reload_ok_at_.set(static_cast<double>(SystemClock::instance().wall_ms()) / 1000.0);
  // The parse tree and the replaced plan are freed by now: give their
  // pages back (glibc keeps freed heap otherwise).
  malloc_trim(0);
  std::size_t policies = 0;
  for (const PlannedBlock& b : plan->blocks) policies += b.policies.size();
  json::array refused;
  for (const PluginProblem& p : plan->catalog->problems()) {
    refused.push_back(json::string(p.message));
  }
  json::array shadowed;
  for (const std::string& id : built.shadowed) {
    spdlog::warn(
        "block '{}' is defined in {} and over HTTP: the file's definition runs; the HTTP one "
        "stays stored and comes back if the file drops the block",
        id, options_.config_path.string());
    shadowed.push_back(json::string(id));
  }
  spdlog::info("configuration {} applied: {} blocks, {} policies, {} plugins ({} refused)",
               options_.config_path.string(), plan->blocks.size(), policies,
               plan->catalog->plugins().size(), refused.size());
  return success(to_json_text(json::object{{"success", true},
                                           {"config", options_.config_path.string()},
                                           {"blocks", plan->blocks.size()},
                                           {"policies", policies},
                                           {"plugins", plan->catalog->plugins().size()},
                                           {"refused_plugins", std::move(refused)},
                                           {"shadowed_api_blocks", std::move(shadowed)},
                                           {"restart_needed", std::move(restart_needed)}}));
}

Result<void> Daemon::open_state(const Config& config) {
  auto store = StateStore::open(config.state_dir);
  if (!store) return store.error();
  state_ = std::move(*store);
  if (state_->opened_empty_file()) {
    spdlog::warn(
        "state {}: the file was empty (0 bytes), not a database: starting with no history, "
        "maintenance, silences, pending deliveries or blocks defined over HTTP; if it held "
        "state, stop the daemon and restore it from a backup",
        state_->path());
  }
  stored_holds_ = std::make_unique<StoredHolds>(*state_);
  history_ = std::make_unique<HistoryRecorder>(*state_, &metrics_);
  outbox_ = std::make_unique<StateStoreOutbox>(*state_);
  auto seq = state_->max_transition_seq();
  if (!seq) return seq.error();
  EngineOptions options;
  options.hold_store = stored_holds_.get();
  options.first_transition_seq = *seq;
  engine_ = std::make_unique<Engine>(options, SystemClock::instance(), fanout_);
  auto maintenance = state_->load_maintenance();
  auto silences = state_->load_silences();
  if (!maintenance) return maintenance.error();
  if (!silences) return silences.error();
  engine_->holds().restore(*maintenance, *silences);
  spdlog::info("state {}: opened ({} maintenance windows, {} silences)", state_->path(),
               maintenance->size(), silences->size());
  return {};
}

void Daemon::arm_prune_timer() {
  prune_timer_->expires_after(std::chrono::minutes(10));
  prune_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const auto plan = engine_->plan();
    const std::string done =
        prune_state(*state_, engine_->holds(), SystemClock::instance().wall_ms(),
                    plan->config.history_retention);
    if (!done.empty()) spdlog::debug("state pruned: {}", done);
    arm_prune_timer();
  });
}

void Daemon::arm_history_retry_timer() {
  history_retry_timer_->expires_after(std::chrono::seconds(2));
  history_retry_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (history_->unwritten() > 0) history_->retry();
    arm_history_retry_timer();
  });
}

void Daemon::arm_watchdog_timer() {
  const auto interval = systemd_.watchdog_interval();
  if (!interval) return;
  watchdog_timer_->expires_after(*interval);
  watchdog_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    systemd_.notify("WATCHDOG=1");
    arm_watchdog_timer();
  });
}

void Daemon::notify_ready() {
  const EnginePlanConstSharedPtr plan = engine_->plan();
  systemd_.notify("READY=1\nSTATUS=judging " + std::to_string(plan->blocks.size()) +
                  " blocks; listening on " + (http_ ? endpoint_text(http_->local_endpoint()) : ""));
}

void Daemon::install_routes() {
  router_.set_write_guard([this](const Request& req) { return auth_.check(req); });
  add_aios_routes(router_, *ctx_);
  add_block_routes(router_, *ctx_);
  add_block_definition_routes(router_, *ctx_);
  add_ingest_routes(router_, *ctx_);
  add_ops_routes(router_, *ctx_);
  add_hold_routes(router_, *ctx_);
  add_event_routes(router_, *ctx_);
  add_ui_routes(router_);
  mgmt_router_.set_write_guard([this](const Request& req) { return auth_.check(req); });
  add_aios_mgmt_listener_routes(mgmt_router_, *ctx_);
}

Result<void> Daemon::open_mgmt_listener(const SessionLimits& limits) {
  const std::optional<ListenAddress>& listen = engine_->plan()->config.aios.mgmt_listen;
  if (!listen) return {};
  auto endpoint = resolve_listen(*listen);
  if (!endpoint) return fail("aios.mgmt_listen: " + endpoint.error().message);
  auto http = HttpServer::open(*endpoint, 1, mgmt_router_, limits);
  if (!http) return fail("aios.mgmt_listen: " + http.error().message);
  mgmt_http_ = std::move(*http);
  const std::string bound = endpoint_text(mgmt_http_->local_endpoint());
  if (options_.mgmt_port_file) {
    if (auto written = write_port_file(*options_.mgmt_port_file, bound); !written) return written;
  }
  spdlog::info("AIOS management (POST /mgmt) listening on http://{}", bound);
  return {};
}

void Daemon::shutdown() {
  std::call_once(shutdown_once_, [this] {
    systemd_.notify("STOPPING=1");
    spdlog::info("shutting down: closing the listener and draining evaluations");
    // A reload under way finishes first, unless it is stuck in a plugin.
    if (control_ && !control_->stop()) {
      spdlog::error(
          "a configuration job (a reload or block write) did not finish within 10s, probably "
          "inside a plugin's create(); stopping without it");
      // Its thread may still touch it: never freed, kept reachable.
      abandoned_control = control_.release();
    }
    if (discovery_) discovery_->stop();  // no configuration job runs or comes now
    if (http_) http_->stop();
    if (mgmt_http_) mgmt_http_->stop();
    if (prune_timer_) net::post(io_, [this] { prune_timer_->cancel(); });
    if (history_retry_timer_) net::post(io_, [this] { history_retry_timer_->cancel(); });
    if (watchdog_timer_) net::post(io_, [this] { watchdog_timer_->cancel(); });
    if (sources_) sources_->stop();
    if (engine_) engine_->stop();
    // No transition comes after the engine stopped: a last try for those
    // whose write failed.
    if (history_ && history_->unwritten() > 0) {
      const std::size_t left = history_->retry(HistoryRecorder::kMaxBacklog);
      if (left > 0) {
        spdlog::error("state store: {} transitions could not be written and are lost", left);
      }
    }
    if (actions_) actions_->stop();  // undelivered actions stay in the outbox
    io_.stop();
    // Long polls still waiting hold timers of io_: let them go while io_
    // exists (the engine, and its notifier, outlive it).
    if (engine_) engine_->notifier().cancel_all();
  });
}

int Daemon::run() {
  // Signals are handled from the first moment: SIGTERM or SIGINT during
  // start-up is a clean stop (exit 0) once the step under way finishes,
  // never a kill by the default action; SIGHUP before the daemon is ready
  // is ignored (there is nothing to reload yet).
  net::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal =
      [&](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        const bool ready = ctx_ && ctx_->ready.load();
        if (signo == SIGHUP) {
          if (ready) {
            spdlog::info("SIGHUP: reloading {}", options_.config_path.string());
            reload_async(nullptr);
          } else {
            spdlog::warn("SIGHUP during start-up: ignored");
          }
          signals.async_wait(on_signal);
          return;
        }
        spdlog::info("{}: stopping", signo == SIGTERM ? "SIGTERM" : "SIGINT");
        stop_requested_.store(true);
        // The engine's stop may wait for plugin calls: not on an I/O thread.
        if (ready && !shutdown_thread_.joinable()) {
          shutdown_thread_ = std::thread([this] { shutdown(); });
        }
      };
  signals.async_wait(on_signal);
  // Runs the signal handler if a signal came; true when asked to stop.
  const auto stop_asked = [&] {
    io_.poll();
    return stop_requested_.load();
  };
  const auto stop_early = [&] {
    shutdown();
    spdlog::info("stopped before start-up finished");
    spdlog::default_logger()->flush();
    return 0;
  };

  open_files_ = raise_open_files_limit();
  control_ = std::make_unique<ControlThread>();
  reloads_ = metrics_
                 .add_counter("blockhealth_reloads_total",
                              "Configuration reloads, applied or rejected.", {"result"})
                 .value();
  metrics_
      .add_gauge("blockhealth_build_info", "Always 1; labelled with the daemon's version.",
                 {"version"})
      .value()
      ->with({kBlockhealthVersion})
      .set(1);
  (void)prometheus::add_process_metrics(metrics_).value();
  reload_ok_ = metrics_
                   .add_gauge("blockhealth_config_last_reload_successful",
                              "1 when the last configuration load (start-up, reload, block "
                              "write) was applied, 0 when it was rejected.",
                              {})
                   .value()
                   ->with({});
  reload_ok_at_ = metrics_
                      .add_gauge("blockhealth_config_last_reload_success_timestamp_seconds",
                                 "When a configuration was last applied (Unix seconds).", {})
                      .value()
                      ->with({});
  // The configuration first: the state store's place comes from it, and
  // the blocks defined over HTTP from the store.
  PlanInputs inputs{options_.config_path, {}, {}};
  {
    auto text = read_config_text(options_.config_path);
    auto config = text ? load_config_string(*text, options_.config_path.string())
                       : Result<Config>(text.error());
    if (!config) {
      spdlog::error("cannot start: {}", config.error().message);
      return 1;
    }
    if (stop_asked()) return stop_early();
    if (auto opened = open_state(*config); !opened) {
      spdlog::error("cannot start: {}", opened.error().message);
      return 1;
    }
    inputs.file_text = std::move(*text);
  }
  if (auto stored = state_->load_api_blocks(); stored) {
    for (ApiBlockRecord& b : *stored) inputs.api_bodies[b.id] = std::move(b.body);
  } else {
    spdlog::error("cannot start: {}", stored.error().message);
    return 1;
  }
  auto plan = build_first_plan(inputs);
  if (!plan) {
    spdlog::error("cannot start: {}", plan.error().message);
    return 1;
  }
  if (stop_asked()) return stop_early();
  engine_metrics_ = std::make_unique<EngineMetrics>(
      metrics_, [engine = engine_.get()] { return engine->views(); });
  fanout_.add(engine_metrics_.get());
  fanout_.add(history_.get());
  sources_ = std::make_unique<SourceManager>(engine_->store(), SystemClock::instance(), &metrics_,
                                             SourceOptions{});
  DispatcherOptions dispatch;
  // Repeats of a status stop while the instance is in maintenance or silenced.
  dispatch.repeat_gate = [holds = &engine_->holds()](std::string_view block,
                                                     std::string_view instance) {
    const std::string b(block);
    const std::string i(instance);
    return !holds->maintenance(b, i) && !holds->silence_for(b, i);
  };
  // An alert of an instance that is gone is resolved.
  dispatch.instance_known = [store = &engine_->store()](std::string_view block,
                                                        std::string_view instance) {
    return store->find({std::string(block), std::string(instance)}) != nullptr;
  };
  actions_ =
      std::make_unique<ActionDispatcher>(dispatch, *outbox_, SystemClock::instance(), &metrics_);
  action_listener_ = std::make_unique<ActionListener>(*actions_);
  fanout_.add(action_listener_.get());
  event_log_ = std::make_unique<EventLog>(engine_->notifier(), 10'000);
  // Transitions of earlier runs are served from the store.
  if (auto seq = state_->max_transition_seq(); seq) event_log_->start_after(*seq);
  fanout_.add(event_log_.get());
  ctx_ = std::unique_ptr<ServerContext>(
      new ServerContext{*engine_, metrics_, io_, *event_log_, {}, {}, {}});
  ctx_->older_events = [store = state_.get()](std::uint64_t after, std::size_t limit,
                                              const std::optional<std::string>& block) {
    return store->transitions_after(after, limit, block);
  };
  ctx_->ingest = register_ingest_metrics(metrics_);
  // Read by GET /metrics, which only the HTTP threads serve: they stop
  // before ctx_ goes.
  metrics_
      .add_callback_gauge("blockhealth_http_watches",
                          "Long polls (?index=&wait=, /v1/events?wait=) waiting now; "
                          "server.max_watches bounds them.",
                          {},
                          [ctx = ctx_.get()](std::vector<prometheus::GaugeReading>& out) {
                            out.push_back({{}, static_cast<double>(ctx->watches.load())});
                          })
      .value();
  ctx_->reload = [this](ServerContext::ReloadDone done) { reload_async(std::move(done)); };
  ctx_->put_block = [this](std::string id, std::string body, ServerContext::PutBlockDone done) {
    control_->post([this, id = std::move(id), body = std::move(body), done = std::move(done)] {
      std::vector<BodyProblem> problems;
      auto put = put_block(id, body, &problems);
      done(std::move(put), std::move(problems));
    });
  };
  ctx_->delete_block = [this](std::string id, ServerContext::DeleteBlockDone done) {
    control_->post([this, id = std::move(id), done = std::move(done)] { done(delete_block(id)); });
  };

  ctx_->discovery_status = [this](std::string_view block) { return discovery_->status(block); };
  discovery_ =
      std::make_unique<DiscoveryManager>(SystemClock::instance(), [this, control = control_.get()] {
        if (discovery_pending_.exchange(true)) return;  // the queued one reads the latest
        control->post([this] {
          discovery_pending_ = false;
          apply_discovered();
        });
      });

  {
    std::lock_guard lock(reload_mu_);
    if (auto first = apply_plan(*plan, nullptr); !first) {
      spdlog::error("cannot start: {}", first.error().message);
      shutdown();
      return 1;
    }
    inputs_ = std::move(inputs);
  }
  // The plan is the engine's now. Held here too, it would keep every policy
  // instance a later reload drops alive (never destroyed) until exit.
  plan->plan.reset();
  if (stop_asked()) return stop_early();
  // History kept in memory per instance comes back from the store.
  std::size_t keep = 1;
  {
    const EnginePlanConstSharedPtr running = engine_->plan();
    for (const BlockConfig& b : running->config.blocks) {
      keep = std::max(keep, static_cast<std::size_t>(std::max(1, b.settings.history_size)));
    }
  }
  if (auto recent = state_->recent_transitions(keep)) {
    engine_->restore_history(*recent);
    // Alerts that may still fire in Alertmanager, re-sent once confirmed.
    actions_->restore_alerts(*recent);
    spdlog::info("state {}: {} transitions restored", state_->path(), recent->size());
  } else {
    spdlog::warn("state {}: cannot read back history: {}", state_->path(), recent.error().message);
  }
  if (auto started = actions_->start(); !started) {
    spdlog::warn("actions: cannot read pending deliveries: {}", started.error().message);
  }
  const ServerConfig server = engine_->plan()->config.server;
  ListenAddress listen = server.listen;
  if (options_.listen) {
    auto parsed = parse_listen_override(*options_.listen);
    if (!parsed) {
      spdlog::error("cannot start: {}", parsed.error().message);
      shutdown();
      return 1;
    }
    listen = *parsed;
  }
  auto endpoint = resolve_listen(listen);
  if (!endpoint) {
    spdlog::error("cannot start: {}", endpoint.error().message);
    shutdown();
    return 1;
  }
  if (stop_asked()) return stop_early();
  install_routes();
  SessionLimits limits;
  limits.body_limit = server.body_limit;
  limits.timeout = server.request_timeout;
  limits.max_connections = connections_that_fit(server.max_connections, open_files_);
  if (limits.max_connections < server.max_connections) {
    spdlog::warn(
        "server.max_connections {} lowered to {}: half the open files limit ({}); raise the "
        "limit (LimitNOFILE= in systemd) to allow more",
        server.max_connections, limits.max_connections, open_files_);
  }
  ctx_->max_watches = server.max_watches;
  auto http = HttpServer::open(*endpoint, server.threads, router_, limits, server_tls_);
  if (!http) {
    spdlog::error("cannot start: {}", http.error().message);
    shutdown();
    return 1;
  }
  http_ = std::move(*http);
  const auto bound = http_->local_endpoint();
  const std::string bound_text = endpoint_text(bound);
  actions_->set_self_url(self_url_of(bound, http_->tls()));
  if (options_.port_file) {
    if (auto written = write_port_file(*options_.port_file, bound_text); !written) {
      spdlog::error("cannot start: {}", written.error().message);
      shutdown();
      return 1;
    }
  }
  if (auto opened = open_mgmt_listener(limits); !opened) {
    spdlog::error("cannot start: {}", opened.error().message);
    shutdown();
    return 1;
  }
  http_->start();
  if (mgmt_http_) mgmt_http_->start();
  prune_timer_ = std::make_unique<net::steady_timer>(io_);
  (void)prune_state(*state_, engine_->holds(), SystemClock::instance().wall_ms(),
                    engine_->plan()->config.history_retention);
  arm_prune_timer();
  history_retry_timer_ = std::make_unique<net::steady_timer>(io_);
  arm_history_retry_timer();
  watchdog_timer_ = std::make_unique<net::steady_timer>(io_);
  arm_watchdog_timer();
  ctx_->ready.store(true);
  notify_ready();
  spdlog::info("blockhealthd {} listening on http://{}", kBlockhealthVersion, bound_text);
  // A stop asked for while starting: now that everything is up, go down.
  if (stop_requested_.load() && !shutdown_thread_.joinable()) {
    shutdown_thread_ = std::thread([this] { shutdown(); });
  }

  // This thread runs the control loop (signals, pruning, long-poll timers);
  // the HTTP server runs its own loops, one thread each.
  auto control = net::make_work_guard(io_);
  io_.run();
  if (shutdown_thread_.joinable()) shutdown_thread_.join();
  shutdown();  // no-op when a signal already did it
  // Every thread that could answer a request has stopped: requests still
  // waiting (long polls cut by the shutdown) will never be answered.
  if (http_) http_->abandon_sessions();
  if (mgmt_http_) mgmt_http_->abandon_sessions();
  spdlog::info("stopped");
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace

int run_daemon(const DaemonOptions& options) {
  Daemon daemon(options);
  return daemon.run();
}

}  // namespace blockhealth::server
