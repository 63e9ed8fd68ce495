// HoldRegistry: the maintenance windows and silences operators set, with
// their expiries; persisted through a HoldStore when one is given.
#ifndef BLOCKHEALTH_CORE_ENGINE_HOLD_REGISTRY_H
#define BLOCKHEALTH_CORE_ENGINE_HOLD_REGISTRY_H

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/model/silence.h"
#include "core/util/clock.h"
#include "core/util/result.h"

namespace blockhealth {

// Where holds are made durable (the daemon implements it over its SQLite
// state store). Called with the registry's lock held; must be quick.
class HoldStore {
 public:
  virtual ~HoldStore() = default;
  virtual Result<void> put_maintenance(const Maintenance& m) = 0;
  virtual Result<bool> delete_maintenance(const std::string& block,
                                          const std::string& instance) = 0;
  virtual Result<void> put_silence(const Silence& s) = 0;
  virtual Result<bool> delete_silence(const std::string& id) = 0;
};

// Thread-safe. A change is persisted before it is made: when the store
// refuses it, the error is returned and nothing changes. Expired holds are
// treated as absent by every query (and forgotten by prune()).
class HoldRegistry {
 public:
  // `clock` must outlive the registry; `store` may be nullptr (memory only).
  // At most this many silences at once (each is stored, listed by GET
  // /v1/silences and checked on every transition).
  static constexpr std::size_t kMaxSilences = 10'000;

  HoldRegistry(const Clock& clock, HoldStore* store, std::size_t max_silences = kMaxSilences);

  // Loads holds read back from the store at startup (expired ones dropped).
  void restore(const std::vector<Maintenance>& maintenance, const std::vector<Silence>& silences);

  // REQUIRES (checked by the caller, the engine): the instance exists.
  // Error when until_ms is not in the future.
  Result<Maintenance> set_maintenance(const std::string& block, const std::string& instance,
                                      std::string reason, std::int64_t until_ms);
  // false when there was none.
  Result<bool> lift_maintenance(const std::string& block, const std::string& instance);
  std::optional<Maintenance> maintenance(const std::string& block,
                                         const std::string& instance) const;

  // instance "" silences the whole block.
  Result<Silence> add_silence(const std::string& block, const std::string& instance,
                              std::string reason, std::int64_t until_ms);
  Result<bool> lift_silence(const std::string& id);
  // The first active silence matching the instance, if any.
  std::optional<Silence> silence_for(const std::string& block, const std::string& instance) const;
  std::vector<Silence> silences() const;  // active, by creation
  // When the first active hold of `block` (any of its instances, or the
  // whole block) ends; 0 when it has none.
  std::int64_t next_expiry_ms(const std::string& block) const;
  std::vector<Maintenance> maintenances() const;  // active

  // Forgets expired holds (memory only; the store prunes its own).
  void prune();
  // Grows with every change; lets readers notice one cheaply.
  std::uint64_t generation() const { return generation_.load(); }

 private:
  const Clock& clock_;
  HoldStore* store_;
  std::size_t max_silences_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Maintenance> maintenance_;  // GUARDED_BY(mu_)
  std::map<std::string, Silence> silences_;                                 // GUARDED_BY(mu_)
  std::mt19937_64 rng_;                                                     // GUARDED_BY(mu_)
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_HOLD_REGISTRY_H
