// The four health statuses of an instance or a policy result.
#ifndef BLOCKHEALTH_CORE_MODEL_STATUS_H
#define BLOCKHEALTH_CORE_MODEL_STATUS_H

#include <blockhealth/policy_abi.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace blockhealth {

// Values equal the ABI's BH_STATUS_* so a bh_status converts by cast once it
// has been range-checked (see from_abi_status).
enum class Status : std::int32_t {
  kOk = BH_STATUS_OK,               // "ok"
  kDegraded = BH_STATUS_WARN,       // "degraded"
  kUnhealthy = BH_STATUS_CRITICAL,  // "unhealthy"
  kUnknown = BH_STATUS_UNKNOWN,     // "unknown"
};

// "ok", "degraded", "unhealthy", "unknown": the names the HTTP API and
// metrics use.
std::string_view to_string(Status s);
std::optional<Status> status_from_string(std::string_view name);

// A plugin's raw bh_status, or nullopt when it is out of range (a plugin
// bug the caller reports).
std::optional<Status> from_abi_status(bh_status s);

// Severity for "worst of": ok < degraded < unknown < unhealthy.
int severity(Status s);
inline Status worst(Status a, Status b) {
  return severity(a) >= severity(b) ? a : b;
}

// Whether the AIOS-compatible endpoint reports the instance as healthy:
// ok and degraded (still serving) are healthy; unhealthy and unknown are not.
inline bool counts_as_healthy(Status s) {
  return s == Status::kOk || s == Status::kDegraded;
}

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_MODEL_STATUS_H
