// HealthProbe: an instance's health_url, GET every interval; each outcome
// becomes the instance's ProbeResult (what policies see through the ABI)
// and its "health" source status.
#ifndef BLOCKHEALTH_CORE_SOURCES_HEALTH_PROBE_H
#define BLOCKHEALTH_CORE_SOURCES_HEALTH_PROBE_H

#include <memory>

#include "core/config/config.h"
#include "core/sources/periodic_pull.h"

namespace blockhealth {

class HealthProbe final : public PeriodicPull {
 public:
  // The pull spec of `instance`'s health_url in `block`: timeout
  // settings.timeout, body limit the smaller of options.health_body_limit
  // and settings.scrape_body_limit. REQUIRES: instance.health_url.
  static PullSpec spec_for(const BlockConfig& block, const InstanceConfig& instance,
                           const SourceOptions& options);

  HealthProbe(SourceEnv& env, PullSpec spec) : PeriodicPull(env, std::move(spec)) {}

 private:
  // Records the probe (outcome, status, latency, error, body) on the
  // instance's record, skipped when the record is gone, and sets the
  // "health" status: ok when judge_health_probe says ok, else its reason.
  void on_result(const FetchResult& result, std::int64_t now_ms) override;

  // The verdict on the last answer, kept with what it judged: a server
  // that answers the same thing each time is judged once (no JSON parse per
  // probe). On the strand.
  struct LastAnswer {
    std::int32_t outcome = -1;
    int http_status = 0;
    std::string error;
    std::string body;
  };
  const PolicyVerdict& judge(const ProbeResult& probe);

  std::int64_t last_success_ms_ = 0;  // on the strand
  LastAnswer last_answer_;            // on the strand
  PolicyVerdict last_verdict_;        // on the strand, of last_answer_
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_HEALTH_PROBE_H
