#include "plugins/log_pattern/pattern_list.h"

#include <blockhealth/policy.hpp>
#include <map>
#include <mutex>

namespace blockhealth::policies::log_pattern {
namespace {

// What a list compiles to, by case flag and patterns ("i2:p15:p2..."); the
// entries expire with the last list that uses them. create() may run on
// several host threads: the mutex guards the map.
template <typename Compiled>
struct CompiledCache {
  std::mutex mu;
  std::map<std::string, std::weak_ptr<const Compiled>, std::less<>> by_key;
};

}  // namespace

PatternList::PatternList(std::string_view level, const std::vector<std::string>& patterns,
                         bool case_insensitive) {
  static CompiledCache<Compiled> cache;
  std::string key(1, case_insensitive ? 'i' : 's');
  for (const std::string& p : patterns) {  // length-prefixed: no two lists alike
    key += std::to_string(p.size());
    key += ':';
    key += p;
  }
  {
    std::lock_guard lock(cache.mu);
    if (auto it = cache.by_key.find(key); it != cache.by_key.end()) {
      if ((compiled_ = it->second.lock())) return;
    }
  }
  re2::RE2::Options options;
  options.set_log_errors(false);  // errors are reported through the thrown message
  options.set_case_sensitive(!case_insensitive);
  auto compiled = std::make_shared<Compiled>();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    auto re = std::make_unique<const re2::RE2>(patterns[i], options);
    if (!re->ok()) {
      throw bh::Error("pattern " + std::to_string(i + 1) + " of " + std::string(level) + " '" +
                      patterns[i] + "' does not compile: " + re->error());
    }
    compiled->push_back(std::move(re));
  }
  compiled_ = std::move(compiled);
  std::lock_guard lock(cache.mu);
  std::erase_if(cache.by_key, [](const auto& e) { return e.second.expired(); });
  cache.by_key.insert_or_assign(std::move(key), compiled_);
}

bool PatternList::matches(std::string_view line) const {
  const re2::StringPiece text(line.data(), line.size());
  for (const auto& re : *compiled_) {
    if (re2::RE2::PartialMatch(text, *re)) return true;
  }
  return false;
}

}  // namespace blockhealth::policies::log_pattern
