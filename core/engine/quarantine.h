// Quarantine: keeps a misbehaving policy from being called, with a capped
// exponential backoff.
#ifndef BLOCKHEALTH_CORE_ENGINE_QUARANTINE_H
#define BLOCKHEALTH_CORE_ENGINE_QUARANTINE_H

#include <cstdint>
#include <string>

namespace blockhealth {

struct QuarantinePolicy {
  int errors_before_quarantine = 3;       // consecutive failed calls (a timeout counts at once)
  std::int64_t base_backoff_ms = 5'000;   // first quarantine lasts this long
  std::int64_t max_backoff_ms = 300'000;  // doubling stops here
};

// Not thread-safe: used by the engine thread only.
class Quarantine {
 public:
  explicit Quarantine(QuarantinePolicy policy = {}) : policy_(policy) {}

  // A call that returned normally: clears the error streak and the backoff
  // level.
  void record_success();
  // A call that failed (error result). Quarantines after
  // errors_before_quarantine in a row.
  void record_error(const std::string& reason, std::int64_t now_ms);
  // A call that overran its deadline: quarantines at once.
  void record_timeout(const std::string& reason, std::int64_t now_ms);

  // Whether calls are held back at `now_ms`.
  bool active(std::int64_t now_ms) const { return until_ms_ > now_ms; }
  std::int64_t until_ms() const { return until_ms_; }
  const std::string& reason() const { return reason_; }
  int consecutive_errors() const { return consecutive_errors_; }
  int level() const { return level_; }  // quarantines in a row without a success
  std::uint64_t total_quarantines() const { return total_; }

 private:
  void enter(const std::string& reason, std::int64_t now_ms);

  QuarantinePolicy policy_;
  int consecutive_errors_ = 0;
  int level_ = 0;
  std::int64_t until_ms_ = 0;
  std::string reason_;
  std::uint64_t total_ = 0;
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_ENGINE_QUARANTINE_H
