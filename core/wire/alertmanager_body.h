// The body an `alertmanager:` action POSTs to Alertmanager's
// /api/v2/alerts: a JSON array of its OpenAPI "postableAlert" objects
// (docs/actions.md). Pure functions; thread-safe.
#ifndef BLOCKHEALTH_CORE_WIRE_ALERTMANAGER_BODY_H
#define BLOCKHEALTH_CORE_WIRE_ALERTMANAGER_BODY_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blockhealth::wire {

// One alert as Alertmanager takes it. Its labels are its identity there:
// two posts with the same labels are the same alert.
struct PostableAlert {
  std::vector<std::pair<std::string, std::string>> labels;       // in this order
  std::vector<std::pair<std::string, std::string>> annotations;  // in this order
  std::int64_t starts_ms = 0;
  // Firing: a time ahead (Alertmanager resolves the alert by itself then,
  // unless it is sent again). Resolved: when it ended (not after the post).
  std::int64_t ends_ms = 0;
  std::string generator_url;  // "" = no "generatorURL" member
  friend bool operator==(const PostableAlert&, const PostableAlert&) = default;
};

// [{"labels":{"alertname":"...",...},"annotations":{"reason":"...",...},
//   "startsAt":"2026-01-15T08:00:00.000Z","endsAt":"2026-01-15T08:04:00.000Z",
//   "generatorURL":"http://host:30201/v1/blocks/b"}, ...]
// Times are RFC 3339 with milliseconds in UTC (format_time_ms); strings
// that are not valid UTF-8 are repaired (Alertmanager refuses them).
std::string alertmanager_body(const std::vector<PostableAlert>& alerts);

// `body` (alertmanager_body's, built at `built_ms`) as sent at `now_ms`:
// every alert that was firing when built (its endsAt after built_ms) has
// its endsAt moved later by now_ms - built_ms, so that a post sent late (a
// retry, a delivery resumed after a restart) does not tell Alertmanager an
// alert ended that has not. Resolved alerts, an earlier now_ms, and a body
// that does not read back as such an array are returned unchanged.
std::string alertmanager_body_at(std::string_view body, std::int64_t built_ms, std::int64_t now_ms);

}  // namespace blockhealth::wire

#endif  // BLOCKHEALTH_CORE_WIRE_ALERTMANAGER_BODY_H
