// VerdictBuffers: the host-owned bh_verdict array of one evaluate call, with
// the reason and evidence buffers the plugin writes into, reusable from call
// to call without allocating.
#ifndef BLOCKHEALTH_CORE_PLUGINS_VERDICT_BUFFERS_H
#define BLOCKHEALTH_CORE_PLUGINS_VERDICT_BUFFERS_H

#include <blockhealth/policy_abi.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/policy_verdict.h"
#include "core/model/status.h"

namespace blockhealth {

// One verdict as the plugin left it, read from the host's own buffers
// (never through pointers the plugin could have changed). Borrows from the
// VerdictBuffers it came from: valid until its next reset().
struct VerdictRead {
  Status status = Status::kUnknown;
  // The plugin's status was out of range: status is UNKNOWN and `reason`
  // says so ("policy <name> returned invalid status N").
  bool invalid_status = false;
  std::string_view reason;  // valid UTF-8, at most kReasonCapacity - 1 bytes
  bool has_evidence = false;
  std::string_view evidence_metric;
  double evidence_observed = 0;
  double evidence_limit = 0;
  // 0 = this interval only; else Unix ms (BH_VALID_UNTIL_NEW_DATA: until
  // new data). Always 0 from a plugin of ABI 1.0 (it never writes it).
  std::int64_t valid_until_ms = 0;

  // A copy that owns its strings (allocates).
  PolicyVerdict to_verdict() const;
  // The same verdict, borrowed.
  VerdictView view() const;
};

// Not thread-safe: used by one call at a time (the thread that runs the
// call writes, the engine thread reads after the call returned).
class VerdictBuffers {
 public:
  static constexpr std::size_t kReasonCapacity = 512;
  static constexpr std::size_t kEvidenceMetricCapacity = 256;

  VerdictBuffers() = default;
  VerdictBuffers(const VerdictBuffers&) = delete;
  VerdictBuffers& operator=(const VerdictBuffers&) = delete;

  // Sizes for `count` verdicts and pre-fills each as UNKNOWN "not
  // evaluated", no evidence, valid_until_ms 0. Allocates only to grow.
  void reset(std::size_t count);

  std::size_t size() const { return count_; }
  bh_verdict* const* outputs() { return pointers_.data(); }

  // Verdict i as written. `policy_name` names the plugin in the reason of an
  // invalid status. Reasons that are not clean UTF-8 are sanitized into
  // storage this object keeps until the next reset(). REQUIRES: i < size(),
  // and the call that wrote into the buffers returned.
  VerdictRead read(std::size_t i, std::string_view policy_name);

 private:
  std::string_view text(char* buffer, std::size_t capacity);

  std::size_t count_ = 0;
  std::vector<bh_verdict> verdicts_;
  std::vector<bh_verdict*> pointers_;
  std::vector<char> reasons_;
  std::vector<char> metrics_;
  std::deque<std::string> repaired_;  // sanitized reasons and invalid-status messages
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_VERDICT_BUFFERS_H
