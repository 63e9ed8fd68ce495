#include "core/model/status.h"

namespace blockhealth {

std::string_view to_string(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kDegraded:
      return "degraded";
    case Status::kUnhealthy:
      return "unhealthy";
    case Status::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<Status> status_from_string(std::string_view name) {
  for (Status s : {Status::kOk, Status::kDegraded, Status::kUnhealthy, Status::kUnknown}) {
    if (to_string(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<Status> from_abi_status(bh_status s) {
  if (s < BH_STATUS_OK || s > BH_STATUS_UNKNOWN) return std::nullopt;
  return static_cast<Status>(s);
}

int severity(Status s) {
  switch (s) {
    case Status::kOk:
      return 0;
    case Status::kDegraded:
      return 1;
    case Status::kUnknown:
      return 2;
    case Status::kUnhealthy:
      return 3;
  }
  return 2;
}

}  // namespace blockhealth
