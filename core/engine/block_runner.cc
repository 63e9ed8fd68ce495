#include "core/engine/block_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>

#include "core/sources/health_judgement.h"

namespace blockhealth {
namespace {

std::string seconds_text(std::int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::int64_t steady_ns() {
  return SystemClock::instance().monotonic_ns();
}

ObservationLimits limits_for(const BlockSettings& settings) {
  ObservationLimits limits;
  limits.max_log_lines = static_cast<std::size_t>(std::max(0, settings.log_lines));
  return limits;
}

// Why an instance's pull sources bring nothing: "metrics
// http://h:9400/metrics: HTTP 503 Service Unavailable", one per failing
// source, joined by "; ". "" when none fails (push-only, or just quiet).
std::string failing_sources_text(const InstanceRecord& record) {
  std::string out;
  for (const SourceStatus& s : record.source_statuses()) {
    if (s.ok) continue;
    out += out.empty() ? "" : "; ";
    out += s.source + " " + s.target + ": " + s.message;
  }
  return out;
}

}  // namespace

struct BlockRunner::Policy {
  explicit Policy(PlannedPolicy p, boost::asio::io_context& io, QuarantinePolicy q)
      : planned(std::move(p)), quarantine(q), timer(io), deadline(io) {}
  PlannedPolicy planned;
  Quarantine quarantine;
  boost::asio::steady_timer timer;
  boost::asio::steady_timer deadline;
  std::chrono::steady_clock::time_point next_tick;
  bool pending = false;
  std::uint64_t call_id = 0;
  EvalExecutor::Ticket ticket;
  std::shared_ptr<std::atomic<bool>> cancel;
  std::uint64_t calls = 0;
  std::uint64_t errors = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t skipped_busy = 0;
  std::int64_t last_duration_us = 0;

  const std::string& id() const { return planned.config.id; }
  const PolicyHandle& handle() const { return *planned.handle; }
};

BlockRunner::BlockRunner(EngineContext& ctx, PlannedBlock planned, std::shared_ptr<BlockSlot> slot)
    : ctx_(ctx),
      config_(std::move(planned.config)),
      slot_(std::move(slot)),
      health_timer_(ctx.io),
      rng_(std::random_device{}()) {
  for (PlannedPolicy& p : planned.policies) {
    policies_.push_back(std::make_unique<Policy>(std::move(p), ctx.io, ctx.quarantine));
  }
  for (const InstanceConfig& in : config_.instances)
    instances_.push_back(make_instance(in.id, false));
}

namespace {
constexpr const char* kHealthProbeCheck = "health_probe";
}  // namespace

void BlockRunner::set_trackers(Instance& in) const {
  std::vector<std::string> ids;
  std::vector<Thresholds> thresholds;
  for (const auto& p : policies_) {
    if (!p->planned.config.applies_to(in.id)) continue;
    ids.push_back(p->id());
    thresholds.push_back(p->planned.config.thresholds);
  }
  if (in.probed) {
    ids.emplace_back(kHealthProbeCheck);
    thresholds.push_back(config_.settings.thresholds);
  }
  in.health->set_policies(ids, thresholds);
}

void BlockRunner::judge_probes(std::int64_t now_ms) {
  for (Instance& in : instances_) {
    if (!in.probed) continue;
    const InstanceObservationsConstSharedPtr obs = in.record->snapshot();
    if (!obs->probe || obs->probe->time_ms <= in.probe_judged_ms) continue;
    in.probe_judged_ms = obs->probe->time_ms;
    if (PolicyTracker* t = in.health->find_tracker(kHealthProbeCheck)) {
      t->observe(judge_health_probe(*obs->probe), now_ms);
    }
  }
}

BlockRunner::~BlockRunner() {
  stop();
}

BlockRunner::Instance BlockRunner::make_instance(const std::string& id, bool pushed) {
  Instance in;
  in.id = id;
  in.pushed = pushed;
  in.record = ctx_.store.ensure({config_.id, id}, limits_for(config_.settings));
  const InstanceConfig* cfg = pushed ? nullptr : config_.find_instance(id);
  in.probed = cfg != nullptr && cfg->health_url.has_value();
  in.health = std::make_unique<InstanceHealth>(
      config_.id, id, static_cast<std::size_t>(std::max(1, config_.settings.history_size)));
  set_trackers(in);
  if (config_.flapping) in.flap = std::make_unique<FlapDetector>(*config_.flapping);
  return in;
}

void BlockRunner::adopt(BlockRunner& previous) {
  paused_ = previous.paused_;
  state_index_ = previous.state_index_;
  for (Instance& old : previous.instances_) {
    auto it = std::find_if(instances_.begin(), instances_.end(),
                           [&](const Instance& in) { return in.id == old.id; });
    if (it == instances_.end()) {
      if (!old.pushed) continue;  // removed from the config
      instances_.push_back(make_instance(old.id, true));
      it = std::prev(instances_.end());
    }
    it->health = std::move(old.health);
    it->probe_judged_ms = it->probed && old.probed ? old.probe_judged_ms : 0;
    it->notified = old.notified;
    if (config_.flapping && old.flap) {
      it->flap = std::move(old.flap);
      it->flap->set_config(*config_.flapping);
    }
    set_trackers(*it);
    it->health->set_history_size(
        static_cast<std::size_t>(std::max(1, config_.settings.history_size)));
  }
  for (auto& p : policies_) {
    for (const auto& old : previous.policies_) {
      if (old->planned.handle == p->planned.handle) {
        p->quarantine = old->quarantine;
        p->calls = old->calls;
        p->errors = old->errors;
        p->timeouts = old->timeouts;
        p->skipped_busy = old->skipped_busy;
        p->last_duration_us = old->last_duration_us;
      }
    }
  }
}

void BlockRunner::start() {
  stopped_ = false;
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    const auto interval = policies_[i]->planned.config.interval;
    std::uniform_int_distribution<std::int64_t> jitter(
        0, std::max<std::int64_t>(0, interval.count() - 1));
    const std::chrono::milliseconds delay(jitter(rng_));
    policies_[i]->next_tick = now + delay;
    arm_policy_timer(i, delay);
  }
  arm_health_timer(config_.settings.interval);
  update_health_and_publish();
}

void BlockRunner::stop() {
  stopped_ = true;
  health_timer_.cancel();
  for (auto& p : policies_) {
    p->timer.cancel();
    p->deadline.cancel();
    if (p->pending && p->cancel) p->cancel->store(true);
    p->pending = false;
  }
}

void BlockRunner::arm_policy_timer(std::size_t index, std::chrono::milliseconds delay) {
  Policy& p = *policies_[index];
  p.timer.expires_after(delay);
  p.timer.async_wait([weak = weak_from_this(), index](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->tick(index);
  });
}

void BlockRunner::arm_health_timer(std::chrono::milliseconds delay) {
  health_timer_.expires_after(delay);
  health_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->update_health_and_publish();
    self->sample_flapping();
    self->arm_health_timer(self->config_.settings.interval);
  });
}

void BlockRunner::tick(std::size_t index) {
  Policy& p = *policies_[index];
  // Drift-free: the next tick is one interval after this one was due.
  p.next_tick += p.planned.config.interval;
  const auto now = std::chrono::steady_clock::now();
  if (p.next_tick < now) p.next_tick = now + p.planned.config.interval;
  p.timer.expires_at(p.next_tick);
  p.timer.async_wait([weak = weak_from_this(), index](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_) return;
    self->tick(index);
  });
  if (!paused_) start_call(index);
}

void BlockRunner::evaluate_now() {
  for (std::size_t i = 0; i < policies_.size(); ++i) start_call(i);
  if (policies_.empty()) update_health_and_publish();
}

void BlockRunner::start_call(std::size_t index) {
  Policy& p = *policies_[index];
  const std::int64_t now_ms = ctx_.clock.wall_ms();
  const std::string& use = p.planned.config.use;
  if (p.pending) return;  // the engine is still waiting for this policy
  if (p.quarantine.active(now_ms)) {
    ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kQuarantined, 0);
    apply_uniform(index, Status::kUnknown,
                  "policy " + use + " quarantined until " +
                      format_time_ms(p.quarantine.until_ms()) + ": " + p.quarantine.reason());
    update_health_and_publish();
    return;
  }
  if (p.planned.handle->busy.load() && !p.planned.handle->instance->plugin().reentrant()) {
    ++p.skipped_busy;
    ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kBusy, 0);
    apply_uniform(index, Status::kUnknown,
                  "policy " + use + " is still running a previous evaluation");
    update_health_and_publish();
    return;
  }

  std::vector<InstanceObservationsConstSharedPtr> inputs;
  std::vector<std::string> ids;
  inputs.reserve(instances_.size());
  for (const Instance& in : instances_) {
    if (!p.planned.config.applies_to(in.id)) continue;
    inputs.push_back(in.record->snapshot());
    ids.push_back(in.id);
  }
  if (inputs.empty()) return;  // no instance for this policy (yet)
  const auto timeout = p.planned.config.timeout;
  const std::int64_t started_ns = steady_ns();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  CallLimits limits{now_ms, started_ns + std::chrono::nanoseconds(timeout).count(), cancel.get()};

  const std::uint64_t call_id = ++p.call_id;
  PolicyHandleSharedPtr handle = p.planned.handle;
  handle->busy.store(true);
  auto task = [handle, inputs = std::move(inputs), ids, limits, cancel, poster = ctx_.poster,
               weak = weak_from_this(), index, call_id, started_ns]() mutable {
    EvaluateOutcome outcome = handle->instance->evaluate(inputs, limits);
    handle->busy.store(false);
    poster->post([weak, index, call_id, started_ns, outcome = std::move(outcome),
                  ids = std::move(ids)]() mutable {
      if (auto self = weak.lock()) {
        self->on_result(index, call_id, std::move(outcome), std::move(ids), started_ns);
      }
    });
  };
  if (!ctx_.executor.submit(std::move(task), &p.ticket)) {
    handle->busy.store(false);
    ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kRejected, 0);
    apply_uniform(index, Status::kUnknown,
                  "policy " + use + " not evaluated: too many evaluations queued");
    update_health_and_publish();
    return;
  }
  p.pending = true;
  p.cancel = std::move(cancel);
  ++p.calls;
  p.deadline.expires_after(timeout);
  p.deadline.async_wait(
      [weak = weak_from_this(), index, call_id](const boost::system::error_code& ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->on_deadline(index, call_id);
      });
}

void BlockRunner::on_result(std::size_t index, std::uint64_t call_id, EvaluateOutcome outcome,
                            std::vector<std::string> instance_ids, std::int64_t started_ns) {
  if (stopped_ || index >= policies_.size()) return;
  Policy& p = *policies_[index];
  if (!p.pending || p.call_id != call_id) {
    spdlog::debug("block {} policy {}: late result dropped", config_.id, p.id());
    return;
  }
  p.pending = false;
  p.deadline.cancel();
  p.last_duration_us = (steady_ns() - started_ns) / 1000;
  const double seconds = static_cast<double>(p.last_duration_us) / 1e6;
  const std::int64_t now_ms = ctx_.clock.wall_ms();
  if (outcome.ok) {
    p.quarantine.record_success();
    ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kOk, seconds);
  } else {
    ++p.errors;
    p.quarantine.record_error("policy " + p.planned.config.use + " failed: " + outcome.error,
                              now_ms);
    ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kError, seconds);
    spdlog::warn("block {} policy {} failed: {}", config_.id, p.id(), outcome.error);
  }
  for (std::size_t k = 0; k < instance_ids.size() && k < outcome.verdicts.size(); ++k) {
    for (Instance& in : instances_) {
      if (in.id != instance_ids[k]) continue;
      if (PolicyTracker* t = in.health->find_tracker(p.id()))
        t->observe(outcome.verdicts[k], now_ms);
      break;
    }
  }
  update_health_and_publish();
}

void BlockRunner::on_deadline(std::size_t index, std::uint64_t call_id) {
  if (stopped_ || index >= policies_.size()) return;
  Policy& p = *policies_[index];
  if (!p.pending || p.call_id != call_id) return;
  p.pending = false;
  p.ticket.abandon();
  if (p.cancel) p.cancel->store(true);
  ++p.timeouts;
  const std::string reason = "policy " + p.planned.config.use + " timed out after " +
                             seconds_text(p.planned.config.timeout.count());
  p.quarantine.record_timeout(reason, ctx_.clock.wall_ms());
  ctx_.listener.on_policy_call(config_.id, p.id(), CallOutcome::kTimeout,
                               static_cast<double>(p.planned.config.timeout.count()) / 1000.0);
  spdlog::warn("block {} policy {}: {}; quarantined until {}", config_.id, p.id(), reason,
               format_time_ms(p.quarantine.until_ms()));
  apply_uniform(index, Status::kUnknown, reason);
  update_health_and_publish();
}

void BlockRunner::apply_uniform(std::size_t index, Status status, const std::string& reason) {
  const std::int64_t now_ms = ctx_.clock.wall_ms();
  const std::string& id = policies_[index]->id();
  for (Instance& in : instances_) {
    if (PolicyTracker* t = in.health->find_tracker(id)) {
      t->observe(PolicyVerdict{status, reason, std::nullopt}, now_ms);
    }
  }
}

void BlockRunner::add_pushed_instance(const std::string& id) {
  if (has_instance(id)) return;
  instances_.push_back(make_instance(id, true));
  update_health_and_publish();
}

Result<void> BlockRunner::remove_pushed_instance(const std::string& id) {
  auto it = std::find_if(instances_.begin(), instances_.end(),
                         [&](const Instance& in) { return in.id == id; });
  if (it == instances_.end()) {
    return fail(ErrorCode::kNotFound, "block '" + config_.id + "' has no instance '" + id + "'");
  }
  if (!it->pushed) {
    return fail(ErrorCode::kConflict,
                "instance '" + id + "' of block '" + config_.id +
                    "' comes from the config file; remove it there and reload");
  }
  ctx_.store.remove({config_.id, id});
  instances_.erase(it);
  history_dirty_ = true;
  update_health_and_publish();
  return {};
}

bool BlockRunner::has_instance(const std::string& id) const {
  return std::any_of(instances_.begin(), instances_.end(),
                     [&](const Instance& in) { return in.id == id; });
}

void BlockRunner::set_paused(bool paused) {
  paused_ = paused;
  publish();
}

PolicyHandleSharedPtr BlockRunner::find_policy(const std::string& id_or_use) const {
  for (const auto& p : policies_) {
    if (p->id() == id_or_use) return p->planned.handle;
  }
  for (const auto& p : policies_) {
    if (p->planned.config.use == id_or_use) return p->planned.handle;
  }
  return nullptr;
}

std::chrono::milliseconds BlockRunner::policy_timeout(const std::string& id_or_use) const {
  for (const auto& p : policies_) {
    if (p->id() == id_or_use || p->planned.config.use == id_or_use)
      return p->planned.config.timeout;
  }
  return config_.settings.timeout;
}

void BlockRunner::update_health_and_publish() {
  const std::int64_t now_ms = ctx_.clock.wall_ms();
  judge_probes(now_ms);
  const std::int64_t stale_ms = config_.settings.stale_after.count();
  for (Instance& in : instances_) {
    const std::int64_t last_seen = in.record->last_seen_cell()->load(std::memory_order_relaxed);
    const bool stale = last_seen == 0 || (stale_ms > 0 && now_ms - last_seen > stale_ms);
    const std::string detail = stale ? failing_sources_text(*in.record) : std::string();
    if (auto t = in.health->update(now_ms, last_seen, stale_ms, ctx_.transition_seq, detail)) {
      history_dirty_ = true;
      t->held_by = hold_reason(in);
      if (in.notified_before_restart && t->held_by.empty() && in.notified == t->to) {
        t->held_by = "already notified before the restart";
      }
      in.notified_before_restart = false;
      spdlog::info("block {} instance {}: {} -> {} ({}){}", t->block_id, t->instance_id,
                   to_string(t->from), to_string(t->to), t->reason,
                   t->held_by.empty() ? "" : "; actions held: " + t->held_by);
      ctx_.listener.on_transition(*t);
      if (t->held_by.empty()) {
        in.notified = t->to;
        ctx_.listener.on_notify(*t, NotifyKind::kTransition);
      }
    }
  }
  publish();
}

void BlockRunner::restore_history(const std::vector<Transition>& transitions) {
  for (Instance& in : instances_) {
    std::deque<Transition> mine;
    for (const Transition& t : transitions) {
      if (t.block_id == config_.id && t.instance_id == in.id) mine.push_back(t);
    }
    if (mine.empty()) continue;
    in.notified = mine.back().to;
    in.notified_before_restart = true;
    in.health->restore_history(std::move(mine));
  }
  history_dirty_ = true;
  publish();
}

std::string BlockRunner::hold_reason(const Instance& in) const {
  if (auto m = ctx_.holds.maintenance(config_.id, in.id)) return "maintenance: " + m->reason;
  if (auto s = ctx_.holds.silence_for(config_.id, in.id)) {
    return "silenced by " + s->id + ": " + s->reason;
  }
  if (in.flap && in.flap->flapping()) {
    return "flapping (" + std::to_string(static_cast<int>(in.flap->percent())) + "% state changes)";
  }
  return "";
}

void BlockRunner::sample_flapping() {
  bool changed = false;
  for (Instance& in : instances_) {
    if (!in.flap) continue;
    const Status status = in.health->verdict().status;
    if (!in.flap->record(status)) continue;
    changed = true;
    spdlog::info("block {} instance {}: {} flapping ({:.0f}% state changes)", config_.id, in.id,
                 in.flap->flapping() ? "started" : "stopped", in.flap->percent());
    if (in.flap->flapping() || (in.notified && *in.notified == status)) continue;
    if (!hold_reason(in).empty()) continue;  // still in maintenance or silenced
    // Tell the actions where the instance settled.
    Transition t;
    t.seq = ++ctx_.transition_seq;
    t.time_ms = ctx_.clock.wall_ms();
    t.block_id = config_.id;
    t.instance_id = in.id;
    t.from = in.notified.value_or(Status::kUnknown);
    t.to = status;
    t.policy = in.health->verdict().policy;
    t.reason = in.health->verdict().reason + " (settled after flapping)";
    t.evidence = in.health->verdict().evidence;
    in.notified = status;
    ctx_.listener.on_notify(t, NotifyKind::kFlapEnded);
  }
  if (changed) publish();
}

PolicyStateView BlockRunner::policy_state(const Policy& p) const {
  PolicyStateView s;
  s.id = p.id();
  s.use = p.planned.config.use;
  s.plugin_version = p.planned.handle->instance->plugin().version();
  s.interval_ms = p.planned.config.interval.count();
  s.timeout_ms = p.planned.config.timeout.count();
  s.quarantined = p.quarantine.active(ctx_.clock.wall_ms());
  s.quarantine_until_ms = p.quarantine.until_ms();
  s.quarantine_reason = p.quarantine.reason();
  s.calls = p.calls;
  s.errors = p.errors;
  s.timeouts = p.timeouts;
  s.skipped_busy = p.skipped_busy;
  s.last_duration_us = p.last_duration_us;
  s.busy = p.planned.handle->busy.load();
  return s;
}

std::vector<PolicyStateView> BlockRunner::policy_states() const {
  std::vector<PolicyStateView> out;
  for (const auto& p : policies_) out.push_back(policy_state(*p));
  return out;
}

void BlockRunner::publish() {
  auto view = std::make_shared<BlockView>();
  view->id = config_.id;
  view->built_ms = ctx_.clock.wall_ms();
  view->paused = paused_;
  view->healthy = true;
  view->status = Status::kOk;
  std::string signature = paused_ ? "P" : "R";
  for (const Instance& in : instances_) {
    InstanceView iv;
    iv.id = in.id;
    iv.pushed = in.pushed;
    const InstanceVerdict& v = in.health->verdict();
    iv.status = v.status;
    iv.policy = v.policy;
    iv.reason = v.reason;
    iv.evidence = v.evidence;
    iv.since_ms = in.health->since_ms();
    iv.last_seen = in.record->last_seen_cell();
    iv.last_seen_ms = iv.last_seen->load(std::memory_order_relaxed);
    iv.sources = in.record->source_statuses();
    for (const SourceStatus& s : iv.sources) signature += s.ok ? "+" : "!" + s.message;
    iv.maintenance = ctx_.holds.maintenance(config_.id, in.id);
    iv.silence = ctx_.holds.silence_for(config_.id, in.id);
    iv.counted = !iv.maintenance.has_value();
    if (in.flap) {
      iv.flapping = in.flap->flapping();
      iv.flap_percent = in.flap->percent();
    }
    signature += iv.maintenance ? "M" + iv.maintenance->reason : "-";
    signature += iv.silence ? "S" + iv.silence->id : "-";
    signature += iv.flapping ? "F" : "-";
    for (std::size_t i = 0; i < in.health->policy_count(); ++i) {
      const PolicyTracker& t = in.health->tracker(i);
      iv.policies.push_back({in.health->policy_id(i), t.effective().status, t.latest().status,
                             t.streak(), t.effective().reason, t.effective().evidence, t.since_ms(),
                             t.evaluated_ms()});
      signature += '|';
      signature += to_string(t.effective().status);
      signature += t.effective().reason;
    }
    signature += '#' + in.id + std::string(to_string(v.status)) + v.reason;
    view->healthy = view->healthy && counts_as_healthy(v.status);
    if (iv.counted) {
      view->status = worst(view->status, v.status);
      ++view->quorum.counted;
      view->quorum.healthy += counts_as_healthy(v.status) ? 1 : 0;
    }
    view->instances.push_back(std::move(iv));
  }
  view->quorum.configured = config_.min_healthy.has_value();
  view->quorum.required = config_.required_healthy(view->quorum.counted);
  view->quorum.ok = view->quorum.counted > 0 && view->quorum.healthy >= view->quorum.required;
  if (instances_.empty()) {
    view->status = Status::kUnknown;  // nothing serving is not healthy
    view->healthy = false;
  }
  for (const auto& p : policies_) {
    view->policies.push_back(policy_state(*p));
    signature += view->policies.back().quarantined ? "Q" : "-";
  }
  if (signature != last_signature_) {
    ++state_index_;
    last_signature_ = std::move(signature);
  }
  view->state_index = state_index_;
  if (history_dirty_ || !history_) {
    std::vector<const Transition*> all;
    for (const Instance& in : instances_) {
      for (const Transition& t : in.health->history()) all.push_back(&t);
    }
    std::sort(all.begin(), all.end(),
              [](const Transition* a, const Transition* b) { return a->seq > b->seq; });
    auto items = std::make_shared<std::vector<std::string>>();
    items->reserve(all.size());
    for (const Transition* t : all) items->push_back(serialize_transition(*t));
    history_ = std::move(items);
    history_dirty_ = false;
  }
  view->history = history_;
  serialize_block_view(*view);
  slot_->view.store(std::move(view));
  ctx_.notifier.notify("block:" + config_.id, state_index_);
}

}  // namespace blockhealth
