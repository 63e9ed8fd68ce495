#include "core/engine/change_notifier.h"

namespace blockhealth {

std::uint64_t ChangeNotifier::wait(const std::string& key, std::uint64_t after, Callback callback) {
  {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    const std::uint64_t current = it == index_.end() ? 0 : it->second;
    if (current <= after) {
      const std::uint64_t token = next_token_++;
      waiters_[key].emplace(token, Waiter{after, std::move(callback)});
      key_of_.emplace(token, key);
      return token;
    }
  }
  callback();
  return 0;
}

bool ChangeNotifier::cancel(std::uint64_t token) {
  std::lock_guard lock(mu_);
  auto key = key_of_.find(token);
  if (key == key_of_.end()) return false;
  auto list = waiters_.find(key->second);
  list->second.erase(token);
  if (list->second.empty()) waiters_.erase(list);
  key_of_.erase(key);
  return true;
}

void ChangeNotifier::cancel_all() {
  std::map<std::string, std::map<std::uint64_t, Waiter>, std::less<>> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(waiters_);
    key_of_.clear();
  }
}

void ChangeNotifier::notify(const std::string& key, std::uint64_t index) {
  std::vector<Callback> due;
  {
    std::lock_guard lock(mu_);
    std::uint64_t& current = index_[key];
    if (index > current) current = index;
    auto list = waiters_.find(key);
    if (list == waiters_.end()) return;
    for (auto it = list->second.begin(); it != list->second.end();) {
      if (current > it->second.after) {
        due.push_back(std::move(it->second.callback));
        key_of_.erase(it->first);
        it = list->second.erase(it);
      } else {
        ++it;
      }
    }
    if (list->second.empty()) waiters_.erase(list);
  }
  for (Callback& cb : due) cb();
}

std::uint64_t ChangeNotifier::index(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  return it == index_.end() ? 0 : it->second;
}

std::size_t ChangeNotifier::waiting() const {
  std::lock_guard lock(mu_);
  return key_of_.size();
}

}  // namespace blockhealth
