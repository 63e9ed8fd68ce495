#include "core/config/aios_reader.h"

#include "core/util/text.h"

namespace blockhealth {

const std::vector<std::string_view>& aios_keys() {
  static const std::vector<std::string_view> keys = {"last_metrics", "executor_row", "membership",
                                                     "mgmt_listen", "mgmt_block"};
  return keys;
}

AiosConfig read_aios(const MapReader& r) {
  AiosConfig out;
  if (auto v = r.choice("last_metrics", {"string", "number"})) {
    out.shape.last_metrics =
        *v == "number" ? AiosShape::LastMetrics::kNumber : AiosShape::LastMetrics::kString;
  }
  if (auto v = r.choice("membership", {"configured", "aios"})) {
    out.shape.membership =
        *v == "aios" ? AiosShape::Membership::kAios : AiosShape::Membership::kConfigured;
  }
  if (auto v = r.boolean("executor_row")) out.shape.executor_row = *v;
  out.mgmt_listen = r.listen_address("mgmt_listen", "0.0.0.0:19001");
  if (const auto f = r.get("mgmt_block")) {
    if (auto id = r.string("mgmt_block")) {
      if (is_valid_id(*id)) {
        out.mgmt_block = std::move(*id);
      } else {
        r.report(*f, "expected a block id (1 to 128 of A-Z a-z 0-9 . _ -), got '" +
                         sanitize_utf8(*id, 64) + "'");
      }
    }
  }
  if (out.mgmt_block && !out.mgmt_listen) {
    r.report_missing("mgmt_listen", " (mgmt_block names the block of the /mgmt listener)");
  }
  return out;
}

}  // namespace blockhealth
