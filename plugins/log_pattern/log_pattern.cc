// log_pattern: CRITICAL or WARN when enough recent log lines of an instance
// match the configured RE2 patterns. See docs/policies.md.
#include <algorithm>
#include <blockhealth/policy.hpp>
#include <string>
#include <unordered_map>

#include "log_pattern_schema.h"  // BH_PARAMS_SCHEMA, from log_pattern.schema.json
#include "plugins/common/text_format.h"
#include "plugins/log_pattern/line_matcher.h"
#include "plugins/log_pattern/pattern_list.h"

namespace blockhealth::policies::log_pattern {
namespace {

constexpr std::int64_t kDefaultWindowMs = 5LL * 60'000;
constexpr std::size_t kQuoteBytes = 160;
// Instances not evaluated for this long are forgotten (bounded memory).
constexpr std::int64_t kForgetAfterMs = 24 * 3'600'000LL;
constexpr std::int64_t kPruneEveryMs = 10LL * 60'000;

std::string lines_match(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " line matches" : " lines match");
}

std::size_t parse_min_count(const bh::Json& params) {
  const std::int64_t n = params.integer_or("min_count", 1);
  if (n < 1) throw bh::Error("min_count must be at least 1, not " + std::to_string(n));
  return static_cast<std::size_t>(n);
}

class LogPatternPolicy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "log_pattern",
      .version = "1.1.0",
      .description = "Recent log lines matching critical or warn RE2 patterns",
      .params_schema = BH_PARAMS_SCHEMA};
  // What evaluate reads: new data of another kind does not call it.
  static constexpr std::uint32_t kInputs = BH_INPUT_LOGS;

  LogPatternPolicy(const bh::Json& params, const bh::Host& /*host*/)
      : critical_("critical", params.strings_or_empty("critical"),
                  params.bool_or("case_insensitive", false)),
        warn_("warn", params.strings_or_empty("warn"), params.bool_or("case_insensitive", false)),
        window_ms_(bh::duration_ms_or(params, "window", kDefaultWindowMs)),
        min_count_(parse_min_count(params)),
        require_logs_(params.bool_or("require_logs", false)) {
    if (critical_.empty() && warn_.empty())
      throw bh::Error("no patterns: give at least one in critical or warn");
    if (window_ms_ <= 0) throw bh::Error("window must be longer than 0s");
  }

  // The verdict holds until the oldest counted line leaves the window, or
  // until new lines arrive when none is counted; never longer than half the
  // time after which require_logs forgets an instance, so its memory of
  // the instance stays fresh.
  bh::Verdict evaluate(const bh::Instance& in, const bh::Context& ctx) {
    const std::int64_t now = ctx.now_ms();
    bh::Verdict v = judge(in, now);
    const std::int64_t until = last_match_.oldest_ms == 0 ? bh::Verdict::kUntilNewData
                                                          : last_match_.oldest_ms + window_ms_;
    return std::move(v).valid_until(require_logs_ ? std::min(until, now + kForgetAfterMs / 2)
                                                  : until);
  }

 private:
  bh::Verdict judge(const bh::Instance& in, std::int64_t now) {
    last_match_ = WindowMatches{};
    if (require_logs_ && !remember_logs(in, now)) {
      return bh::Verdict::unknown("no log lines ever received from this instance (require_logs)");
    }
    last_match_ = count_matches(in.log_lines(), now - window_ms_, critical_, warn_);
    const WindowMatches& m = last_match_;
    if (m.critical.count >= min_count_)
      return report(bh::Status::kCritical, "critical", m.critical);
    if (m.warn.count >= min_count_) return report(bh::Status::kWarn, "warn", m.warn);
    if (m.critical.count > 0) return below_min_count("critical", m.critical.count);
    if (m.warn.count > 0) return below_min_count("warn", m.warn.count);
    return bh::Verdict{bh::Status::kOk, "no matching log lines in the last " + window_text(),
                       evidence(0)};
  }

  // "2 lines match critical patterns in the last 60s; latest: "..."".
  bh::Verdict report(bh::Status status, const char* level, const LevelMatches& m) const {
    std::string reason = lines_match(m.count) + " " + level + " patterns in the last " +
                         window_text() + "; latest: " + quote_text(m.latest->text, kQuoteBytes);
    return bh::Verdict{status, std::move(reason), evidence(m.count)};
  }

  // OK, but say that some lines matched.
  bh::Verdict below_min_count(const char* level, std::size_t count) const {
    return bh::Verdict{bh::Status::kOk,
                       lines_match(count) + " " + level + " patterns in the last " + window_text() +
                           ", below min_count " + std::to_string(min_count_),
                       evidence(count)};
  }

  std::string window_text() const { return format_duration_ms(window_ms_); }

  bh::Evidence evidence(std::size_t count) const {
    return bh::Evidence{"log_lines_matching", static_cast<double>(count),
                        static_cast<double>(min_count_)};
  }

  // Whether `in` has ever delivered a log line to this policy instance;
  // remembers it. Forgets instances not seen for kForgetAfterMs.
  bool remember_logs(const bh::Instance& in, std::int64_t now) {
    if (now - last_prune_ms_ >= kPruneEveryMs) {
      std::erase_if(seen_,
                    [&](const auto& e) { return now - e.second.evaluated_ms > kForgetAfterMs; });
      last_prune_ms_ = now;
    }
    Seen& seen = seen_[std::string(in.id())];
    seen.evaluated_ms = now;
    seen.had_logs = seen.had_logs || !in.log_lines().empty();
    return seen.had_logs;
  }

  struct Seen {
    bool had_logs = false;
    std::int64_t evaluated_ms = 0;
  };

  PatternList critical_;
  PatternList warn_;
  std::int64_t window_ms_;
  std::size_t min_count_;
  bool require_logs_;
  std::unordered_map<std::string, Seen> seen_;  // by instance id; only with require_logs
  std::int64_t last_prune_ms_ = 0;
  WindowMatches last_match_;  // of the instance judge() last looked at
};

}  // namespace
}  // namespace blockhealth::policies::log_pattern

BH_POLICY(blockhealth::policies::log_pattern::LogPatternPolicy)
