// The built-in verdict on an instance's last /health probe, which the engine
// applies to every instance with a health_url (docs/policies.md).
#ifndef BLOCKHEALTH_CORE_SOURCES_HEALTH_JUDGEMENT_H
#define BLOCKHEALTH_CORE_SOURCES_HEALTH_JUDGEMENT_H

#include <string_view>

#include "core/model/observation.h"
#include "core/model/policy_verdict.h"

namespace blockhealth {

// Judges one probe. The reason always starts "GET <probe.url>: ".
//
// - BH_PROBE_NONE: kUnknown, "no probe yet".
// - Any failure (refused, DNS, timeout, protocol, TLS, other): kUnhealthy,
//   with probe.error ("GET http://10.0.0.5:18001/health: timeout after 2s").
// - A response outside 2xx: kUnhealthy, "HTTP 503 Service Unavailable",
//   followed by the start of the body when there is one.
// - A 2xx response whose body is a JSON object:
//   - with a "success" member, the AIOS instance envelope
//     {"success": true, "data": {"status": "healthy", ...}}: kOk only when
//     `success` is truthy (Python's truth value) and data.status is exactly
//     the string "healthy", as AIOS's block health checker judges it;
//     anything else is kUnhealthy, naming what was found
//     ("... but data.status is \"unreachable\": {...}");
//   - else with a "status" member: kOk when it is a string naming health
//     (is_healthy_status_word) or the boolean true; anything else is
//     kUnhealthy with the body's text in the reason;
//   - else with a boolean "healthy" member (the AIOS shape): its value;
//   - else kOk, noted as "JSON without a status".
// - A 2xx response with an empty, non-JSON or non-object body: kOk, noted.
// Body text in reasons is made valid UTF-8 and cut to 256 bytes. Never
// throws except std::bad_alloc; thread-safe (pure).
PolicyVerdict judge_health_probe(const ProbeResult& probe);

// Whether a /health "status" word means healthy: "healthy", "ok", "up",
// "pass", "passing", "serving" in any letter case.
bool is_healthy_status_word(std::string_view word);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_HEALTH_JUDGEMENT_H
