#include "core/discovery/discovery_manager.h"

#include <blockhealth/policy_abi.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <set>

#include "core/config/config_loader.h"
#include "core/discovery/discovered_set.h"
#include "core/discovery/target_groups.h"
#include "core/discovery/target_mapping.h"
#include "core/sources/http_fetcher.h"
#include "core/sources/inotify_watcher.h"

namespace blockhealth {

namespace net = boost::asio;

// One `discovery:` item of one block. Touched on the discovery thread only,
// except `set` and `status`, which are also read under mu_ (and written
// under it).
struct DiscoveryManager::Source {
  Source(net::io_context& io, std::string block_id, DiscoveryConfig c, std::filesystem::path base,
         std::size_t most)
      : block(std::move(block_id)),
        config(std::move(c)),
        base_dir(std::move(base)),
        max_targets(most),
        set(config.grace),
        timer(io) {
    status.source = config.describe();
  }
  bool same_as(const Source& o) const {
    return block == o.block && config == o.config && base_dir == o.base_dir &&
           max_targets == o.max_targets;
  }

  std::string block;
  DiscoveryConfig config;
  std::filesystem::path base_dir;
  std::size_t max_targets;
  std::optional<TargetMapping> mapping;
  DiscoveredSet set;
  DiscoverySourceStatus status;
  std::string last_text;  // of the last good list
  bool stopped = false;
  net::steady_timer timer;
  std::shared_ptr<HttpFetcher> fetcher;
  std::optional<std::uint64_t> watch;
};

DiscoveryManager::DiscoveryManager(const Clock& clock, std::function<void()> changed)
    : clock_(clock),
      changed_(std::move(changed)),
      grace_timer_(std::make_unique<net::steady_timer>(io_)),
      thread_([this] {
        auto work = net::make_work_guard(io_);
        io_.run();
      }) {}

DiscoveryManager::~DiscoveryManager() {
  stop();
}

void DiscoveryManager::stop() {
  std::lock_guard once(stop_mu_);
  if (!thread_.joinable()) return;
  io_.stop();
  thread_.join();
  // The thread is gone: stop every source, then run what the cancellations
  // completed (handlers see their source stopped and return), so that no
  // handler holds a source, a timer or a fetcher once this returns.
  stopping_ = true;
  changed_ = nullptr;
  {
    std::lock_guard lock(mu_);
    for (const SourcePtr& s : sources_) stop(*s);
  }
  grace_timer_->cancel();
  if (inotify_) inotify_->stop();
  io_.restart();
  io_.poll();
  std::lock_guard lock(mu_);
  sources_.clear();
}

void DiscoveryManager::configure(const Config& config) {
  if (stopping_) return;
  std::vector<SourcePtr> wanted;
  for (const BlockConfig& block : config.blocks) {
    for (const DiscoveryConfig& d : block.discovery) {
      wanted.push_back(std::make_shared<Source>(io_, block.id, d, config.base_dir,
                                                config.server.max_instances_per_block));
    }
  }
  net::post(io_, [this, wanted = std::move(wanted)]() mutable { apply_config(std::move(wanted)); });
}

void DiscoveryManager::apply_config(std::vector<SourcePtr> wanted) {
  if (stopping_) return;
  std::vector<SourcePtr> started;
  bool removed_instances = false;
  {
    std::lock_guard lock(mu_);
    std::vector<SourcePtr> old = std::move(sources_);
    sources_.clear();
    for (SourcePtr& w : wanted) {
      auto same = std::find_if(old.begin(), old.end(),
                               [&](const SourcePtr& o) { return o && o->same_as(*w); });
      if (same != old.end()) {
        sources_.push_back(std::move(*same));
        *same = nullptr;
      } else {
        sources_.push_back(w);
        started.push_back(w);
      }
    }
    for (const SourcePtr& o : old) {
      if (!o) continue;
      removed_instances = removed_instances || o->set.listed() + o->set.vanished() > 0;
      stop(*o);
    }
  }
  for (const SourcePtr& s : started) start(s);
  if (removed_instances) notify();
}

void DiscoveryManager::start(const SourcePtr& s) {
  auto mapping = TargetMapping::make(s->config, s->base_dir);
  if (!mapping) {  // the config reader checks the templates: not expected
    std::lock_guard lock(mu_);
    s->status.error = "discovery: " + mapping.error().message;
    return;
  }
  s->mapping = std::move(*mapping);
  if (s->config.kind == DiscoveryConfig::Kind::kFile) {
    if (!inotify_) {
      if (auto created = InotifyWatcher::create(io_.get_executor())) {
        inotify_ = std::move(*created);
      } else {
        spdlog::warn("discovery: no inotify ({}); target files are read every refresh only",
                     created.error().message);
      }
    }
    if (inotify_) {
      std::weak_ptr<Source> weak = s;
      auto watch = inotify_->subscribe(s->config.file.parent_path(), [this, weak] {
        if (SourcePtr source = weak.lock()) read_file(source);
      });
      if (watch) {
        s->watch = *watch;
      } else {
        spdlog::warn("discovery for block {}: {} is read every {} s only: {}", s->block,
                     s->config.file.string(), s->config.refresh.count() / 1000,
                     watch.error().message);
      }
    }
    read_file(s);
  } else {
    FetchSpec spec;
    spec.url = s->config.url;
    spec.timeout = s->config.timeout;
    spec.body_limit = std::uint64_t{16} << 20;
    spec.accept = "application/json";
    spec.tls = s->config.tls;
    s->fetcher = std::make_shared<HttpFetcher>(io_.get_executor(), std::move(spec));
    fetch(s);
  }
  arm_refresh(s);
}

void DiscoveryManager::stop(Source& s) {
  s.stopped = true;
  s.timer.cancel();
  if (s.fetcher) s.fetcher->close();
  if (s.watch && inotify_) inotify_->unsubscribe(*s.watch);
  s.watch.reset();
}

void DiscoveryManager::arm_refresh(const SourcePtr& s) {
  s->timer.expires_after(s->config.refresh);
  s->timer.async_wait([this, s](const boost::system::error_code& ec) {
    if (ec || s->stopped) return;
    if (s->config.kind == DiscoveryConfig::Kind::kFile) {
      read_file(s);
    } else if (!s->fetcher->busy()) {
      fetch(s);
    }
    arm_refresh(s);
  });
}

void DiscoveryManager::read_file(const SourcePtr& s) {
  if (s->stopped) return;
  auto text = read_config_text(s->config.file);
  take(*s, text.has_value(), text ? *text : text.error().message);
}

void DiscoveryManager::fetch(const SourcePtr& s) {
  s->fetcher->fetch([this, s](const FetchResult& r) {
    if (s->stopped) return;
    if (r.outcome != BH_PROBE_RESPONSE) {
      take(*s, false, s->config.url.text + ": " + r.error);
    } else if (r.http_status != 200) {
      take(*s, false,
           s->config.url.text + ": answered HTTP " + std::to_string(r.http_status) +
               " (a target list is a 200 with a JSON list of target groups)");
    } else {
      take(*s, true, r.body);
    }
  });
}

void DiscoveryManager::take(Source& s, bool ok, const std::string& text_or_error) {
  if (!s.mapping) return;
  const std::int64_t now = clock_.wall_ms();
  const std::string where =
      s.config.kind == DiscoveryConfig::Kind::kFile ? s.config.file.string() : s.config.url.text;
  std::optional<std::vector<InstanceConfig>> list;
  std::string error;
  if (!ok) {
    error = text_or_error;
  } else if (text_or_error == s.last_text && s.status.ok) {
    std::lock_guard lock(mu_);
    s.status.last_read_ms = now;
    return;
  } else {
    const bool yaml =
        s.config.kind == DiscoveryConfig::Kind::kFile && s.config.file.extension() != ".json";
    auto targets = parse_target_groups(
        text_or_error, yaml ? TargetFormat::kYaml : TargetFormat::kJson, s.max_targets);
    if (!targets) {
      error = where + ": " + targets.error().message;
    } else if (auto mapped = map_targets(*targets, *s.mapping); !mapped) {
      error = where + ": " + mapped.error().message;
    } else {
      list = std::move(*mapped);
    }
  }
  bool changed = false;
  {
    std::lock_guard lock(mu_);
    s.status.last_read_ms = now;
    if (!list) {
      if (s.status.error != error) {
        spdlog::warn("discovery for block {}: keeping the last good list ({} instances): {}",
                     s.block, s.set.listed(), error);
      }
      s.status.ok = false;
      s.status.error = error;
      return;
    }
    s.last_text = text_or_error;
    if (!s.status.ok && !s.status.error.empty()) {
      spdlog::info("discovery for block {}: {} reads again", s.block, where);
    }
    s.status.ok = true;
    s.status.error.clear();
    s.status.last_ok_ms = now;
    changed = s.set.update(std::move(*list), now);
    s.status.listed = s.set.listed();
    s.status.vanished = s.set.vanished();
  }
  if (changed) {
    arm_grace();
    notify();
  }
}

void DiscoveryManager::arm_grace() {
  std::optional<std::int64_t> next;
  {
    std::lock_guard lock(mu_);
    for (const SourcePtr& s : sources_) {
      const auto at = s->set.next_expiry_ms();
      if (at && (!next || *at < *next)) next = at;
    }
  }
  if (!next) {
    grace_timer_->cancel();
    return;
  }
  const std::int64_t delay = std::max<std::int64_t>(0, *next - clock_.wall_ms());
  grace_timer_->expires_after(std::chrono::milliseconds(delay));
  grace_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    bool any = false;
    {
      std::lock_guard lock(mu_);
      const std::int64_t now = clock_.wall_ms();
      for (const SourcePtr& s : sources_) {
        std::vector<std::string> dropped;
        if (!s->set.expire(now, &dropped)) continue;
        any = true;
        s->status.vanished = s->set.vanished();
        for (const std::string& id : dropped) {
          spdlog::info("discovery for block {}: instance {} dropped (gone from {} for {} s)",
                       s->block, id, s->status.source, s->config.grace.count() / 1000);
        }
      }
    }
    if (any) notify();
    arm_grace();
  });
}

void DiscoveryManager::notify() {
  if (changed_) changed_();
}

std::map<std::string, std::vector<InstanceConfig>> DiscoveryManager::snapshot() const {
  std::map<std::string, std::vector<InstanceConfig>> out;
  std::lock_guard lock(mu_);
  std::map<std::string, std::set<std::string>> ids;
  for (const SourcePtr& s : sources_) {
    std::vector<InstanceConfig>& list = out[s->block];
    std::set<std::string>& seen = ids[s->block];
    for (InstanceConfig& in : s->set.instances()) {
      if (seen.insert(in.id).second) list.push_back(std::move(in));
    }
  }
  return out;
}

std::vector<DiscoverySourceStatus> DiscoveryManager::status(std::string_view block) const {
  std::vector<DiscoverySourceStatus> out;
  std::lock_guard lock(mu_);
  for (const SourcePtr& s : sources_) {
    if (s->block == block) out.push_back(s->status);
  }
  return out;
}

}  // namespace blockhealth
