#include "core/config/settings_reader.h"

#include "core/config/byte_size.h"
#include "core/config/duration.h"
#include "core/config/tls_reader.h"

namespace blockhealth {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kSecond{1000};
constexpr milliseconds kDay{24LL * 3600 * 1000};

// The allowed ranges; docs/configuration.md lists the same.
constexpr milliseconds kMinInterval{100};
constexpr milliseconds kMaxInterval = kDay;
constexpr milliseconds kMinTimeout{1};
constexpr milliseconds kMaxTimeout{3600LL * 1000};
constexpr int kMaxCount = 100;  // unhealthy_after, healthy_after, degraded_after
constexpr milliseconds kMinStale = kSecond;
constexpr milliseconds kMaxStale = 7 * kDay;
constexpr milliseconds kMaxRepeat = 30 * kDay;
constexpr int kMaxHistorySize = 100'000;
constexpr int kMaxLogLines = 100'000;

void read_thresholds(const MapReader& map, Thresholds& t) {
  if (auto v = map.integer("unhealthy_after", 1, kMaxCount))
    t.unhealthy_after = static_cast<int>(*v);
  if (auto v = map.integer("healthy_after", 1, kMaxCount)) t.healthy_after = static_cast<int>(*v);
  if (auto v = map.integer("degraded_after", 1, kMaxCount)) t.degraded_after = static_cast<int>(*v);
}

// Reports "timeout (10s) must not be longer than interval (5s)" at the key
// this map set (timeout preferred) when the effective values break it.
void check_timeout(const MapReader& map, milliseconds interval, milliseconds timeout) {
  if (timeout <= interval) return;
  const auto f = map.has("timeout") ? map.get("timeout") : map.get("interval");
  if (!f) return;
  map.report(*f, "timeout (" + format_duration(timeout) + ") must not be longer than interval (" +
                     format_duration(interval) + ")");
}

}  // namespace

const std::vector<std::string_view>& block_setting_keys() {
  static const std::vector<std::string_view> keys = {
      "interval",    "timeout",           "unhealthy_after", "healthy_after", "degraded_after",
      "stale_after", "scrape_body_limit", "repeat_after",    "history_size",  "log_lines",
      "tls"};
  return keys;
}

const std::vector<std::string_view>& policy_setting_keys() {
  static const std::vector<std::string_view> keys = {"interval", "timeout", "unhealthy_after",
                                                     "healthy_after", "degraded_after"};
  return keys;
}

void read_block_settings(const MapReader& map, BlockSettings& s,
                         const std::filesystem::path& base_dir) {
  if (auto tls = read_client_tls(map, base_dir)) s.tls = std::move(*tls);
  const auto interval = map.duration("interval", kMinInterval, kMaxInterval);
  const auto timeout = map.duration("timeout", kMinTimeout, kMaxTimeout);
  const auto stale_after = map.duration("stale_after", kMinStale, kMaxStale);
  if (interval) s.interval = *interval;
  if (timeout) s.timeout = *timeout;
  if (stale_after) s.stale_after = *stale_after;
  read_thresholds(map, s.thresholds);
  if (auto v = map.byte_size("scrape_body_limit", kMinBodyLimit, kMaxBodyLimit)) {
    s.scrape_body_limit = *v;
  }
  if (auto v = map.duration("repeat_after", milliseconds{0}, kMaxRepeat)) s.repeat_after = *v;
  if (auto v = map.integer("history_size", 1, kMaxHistorySize))
    s.history_size = static_cast<int>(*v);
  if (auto v = map.integer("log_lines", 0, kMaxLogLines)) s.log_lines = static_cast<int>(*v);

  // A wrong value is reported already; comparing the inherited one would
  // only add noise.
  if (map.has("interval") != interval.has_value() || map.has("timeout") != timeout.has_value() ||
      map.has("stale_after") != stale_after.has_value()) {
    return;
  }
  check_timeout(map, s.interval, s.timeout);
  if (s.stale_after < s.interval) {
    const auto f = map.has("stale_after") ? map.get("stale_after") : map.get("interval");
    if (f) {
      map.report(*f, "stale_after (" + format_duration(s.stale_after) +
                         ") must not be shorter than interval (" + format_duration(s.interval) +
                         "), or every observation goes stale between two evaluations");
    }
  }
}

void read_policy_settings(const MapReader& map, milliseconds& interval, milliseconds& timeout,
                          Thresholds& thresholds) {
  const auto own_interval = map.duration("interval", kMinInterval, kMaxInterval);
  const auto own_timeout = map.duration("timeout", kMinTimeout, kMaxTimeout);
  if (own_interval) interval = *own_interval;
  if (own_timeout) timeout = *own_timeout;
  read_thresholds(map, thresholds);
  if (map.has("interval") == own_interval.has_value() &&
      map.has("timeout") == own_timeout.has_value()) {
    check_timeout(map, interval, timeout);
  }
}

}  // namespace blockhealth
