// ViewMemo: lets readers keep what they derive from an immutable view (its
// serialized bodies) with the view itself, computed once by the first
// reader that needs it and shared by the rest.
#ifndef BLOCKHEALTH_CORE_ENGINE_VIEW_MEMO_H
#define BLOCKHEALTH_CORE_ENGINE_VIEW_MEMO_H

#include <atomic>
#include <memory>
#include <mutex>

namespace blockhealth {

// Thread-safe. Holds one value of one type T per memo: every get<T>() on a
// memo must name the same T (the engine does not know T; the module that
// derives it does). After the first get(), later ones are an atomic load.
class ViewMemo {
 public:
  // `make` returns a std::shared_ptr<const T> (or one convertible to it).
  template <typename T, typename Make>
  const T& get(Make&& make) const {
    if (!ready_.load(std::memory_order_acquire)) {
      std::lock_guard lock(mu_);
      if (!ready_.load(std::memory_order_relaxed)) {
        value_ = std::shared_ptr<const void>(std::shared_ptr<const T>(make()));
        ready_.store(true, std::memory_order_release);
      }
    }
    return *static_cast<const T*>(value_.get());
  }

 private:
  mutable std::mutex mu_;
  mutable std::shared_ptr<const void> value_;  // written once, under mu_, before ready_
  mutable std::atomic<bool> ready_{false};
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_VIEW_MEMO_H
