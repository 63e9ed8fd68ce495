// The judgement of a /health answer (AIOS envelope, bare status) on
// arbitrary bodies and statuses: a verdict with a reason, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/sources/health_judgement.h"
#include <blockhealth/policy_abi.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  blockhealth::ProbeResult probe;
  probe.outcome = BH_PROBE_RESPONSE;
  probe.http_status = 100 + data[0] % 5 * 100 + data[1] % 100;  // 100..599
  probe.url = "http://fuzz/health";
  probe.body.assign(reinterpret_cast<const char*>(data) + 2, size - 2);
  const blockhealth::PolicyVerdict v = blockhealth::judge_health_probe(probe);
  if (v.reason.empty()) std::abort();
  return 0;
}
