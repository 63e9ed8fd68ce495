#include "core/engine/hold_registry.h"

#include <algorithm>
#include <cstdio>

namespace blockhealth {

HoldRegistry::HoldRegistry(const Clock& clock, HoldStore* store, std::size_t max_silences)
    : clock_(clock), store_(store), max_silences_(max_silences), rng_(std::random_device{}()) {}

void HoldRegistry::restore(const std::vector<Maintenance>& maintenance,
                           const std::vector<Silence>& silences) {
  const std::int64_t now = clock_.wall_ms();
  std::lock_guard lock(mu_);
  for (const Maintenance& m : maintenance) {
    if (m.until_ms > now) maintenance_[{m.block_id, m.instance_id}] = m;
  }
  for (const Silence& s : silences) {
    if (s.until_ms > now) silences_[s.id] = s;
  }
  ++generation_;
}

Result<Maintenance> HoldRegistry::set_maintenance(const std::string& block,
                                                  const std::string& instance, std::string reason,
                                                  std::int64_t until_ms) {
  const std::int64_t now = clock_.wall_ms();
  if (until_ms <= now) return fail("until: must be in the future");
  Maintenance m{block, instance, std::move(reason), until_ms, now};
  std::lock_guard lock(mu_);
  if (store_ != nullptr) {
    if (auto stored = store_->put_maintenance(m); !stored) {
      return fail(ErrorCode::kUnavailable,
                  "cannot record the maintenance: " + stored.error().message);
    }
  }
  maintenance_[{block, instance}] = m;
  ++generation_;
  return m;
}

Result<bool> HoldRegistry::lift_maintenance(const std::string& block, const std::string& instance) {
  std::lock_guard lock(mu_);
  auto it = maintenance_.find({block, instance});
  const bool active = it != maintenance_.end() && it->second.until_ms > clock_.wall_ms();
  if (store_ != nullptr) {
    if (auto deleted = store_->delete_maintenance(block, instance); !deleted) {
      return fail(ErrorCode::kUnavailable,
                  "cannot lift the maintenance: " + deleted.error().message);
    }
  }
  if (it != maintenance_.end()) maintenance_.erase(it);
  ++generation_;
  return active;
}

std::optional<Maintenance> HoldRegistry::maintenance(const std::string& block,
                                                     const std::string& instance) const {
  std::lock_guard lock(mu_);
  auto it = maintenance_.find({block, instance});
  if (it == maintenance_.end() || it->second.until_ms <= clock_.wall_ms()) return std::nullopt;
  return it->second;
}

Result<Silence> HoldRegistry::add_silence(const std::string& block, const std::string& instance,
                                          std::string reason, std::int64_t until_ms) {
  const std::int64_t now = clock_.wall_ms();
  if (until_ms <= now) return fail("until: must be in the future");
  std::lock_guard lock(mu_);
  if (silences_.size() >= max_silences_) {
    return fail(ErrorCode::kConflict, "too many silences: " + std::to_string(max_silences_) +
                                          " are active, the most there may be; lift some "
                                          "(DELETE /v1/silences/<id>) or wait for them to end");
  }
  char id[24];
  do {
    std::snprintf(id, sizeof id, "s-%012llx",
                  static_cast<unsigned long long>(rng_() & 0xFFFFFFFFFFFFull));
  } while (silences_.contains(id));
  Silence s{id, block, instance, std::move(reason), until_ms, now};
  if (store_ != nullptr) {
    if (auto stored = store_->put_silence(s); !stored) {
      return fail(ErrorCode::kUnavailable, "cannot record the silence: " + stored.error().message);
    }
  }
  silences_[s.id] = s;
  ++generation_;
  return s;
}

Result<bool> HoldRegistry::lift_silence(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = silences_.find(id);
  if (it == silences_.end()) return false;
  if (store_ != nullptr) {
    if (auto deleted = store_->delete_silence(id); !deleted) {
      return fail(ErrorCode::kUnavailable, "cannot lift the silence: " + deleted.error().message);
    }
  }
  const bool active = it->second.until_ms > clock_.wall_ms();
  silences_.erase(it);
  ++generation_;
  return active;
}

std::optional<Silence> HoldRegistry::silence_for(const std::string& block,
                                                 const std::string& instance) const {
  const std::int64_t now = clock_.wall_ms();
  std::lock_guard lock(mu_);
  for (const auto& [id, s] : silences_) {
    if (s.until_ms > now && s.matches(block, instance)) return s;
  }
  return std::nullopt;
}

std::vector<Silence> HoldRegistry::silences() const {
  const std::int64_t now = clock_.wall_ms();
  std::vector<Silence> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : silences_) {
      if (s.until_ms > now) out.push_back(s);
    }
  }
  std::sort(out.begin(), out.end(), [](const Silence& a, const Silence& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

std::vector<Maintenance> HoldRegistry::maintenances() const {
  const std::int64_t now = clock_.wall_ms();
  std::vector<Maintenance> out;
  std::lock_guard lock(mu_);
  for (const auto& [key, m] : maintenance_) {
    if (m.until_ms > now) out.push_back(m);
  }
  return out;
}

std::int64_t HoldRegistry::next_expiry_ms(const std::string& block) const {
  const std::int64_t now = clock_.wall_ms();
  std::int64_t best = 0;
  const auto consider = [&](std::int64_t until) {
    if (until > now && (best == 0 || until < best)) best = until;
  };
  std::lock_guard lock(mu_);
  for (auto it = maintenance_.lower_bound({block, ""});
       it != maintenance_.end() && it->first.first == block; ++it) {
    consider(it->second.until_ms);
  }
  for (const auto& [id, s] : silences_) {
    if (s.block_id == block) consider(s.until_ms);
  }
  return best;
}

void HoldRegistry::prune() {
  const std::int64_t now = clock_.wall_ms();
  std::lock_guard lock(mu_);
  std::erase_if(maintenance_, [&](const auto& e) { return e.second.until_ms <= now; });
  std::erase_if(silences_, [&](const auto& e) { return e.second.until_ms <= now; });
}

}  // namespace blockhealth
