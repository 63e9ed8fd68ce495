// MetricsScrape: an instance's metrics_url, GET every interval; a Prometheus
// text answer replaces the instance's samples. A failed or unparsable
// scrape keeps the previous samples until the last success is older than
// the block's stale_after, then clears them; the "metrics" source status
// says why.
#ifndef BLOCKHEALTH_CORE_SOURCES_METRICS_SCRAPE_H
#define BLOCKHEALTH_CORE_SOURCES_METRICS_SCRAPE_H

#include <chrono>
#include <memory>

#include "core/config/config.h"
#include "core/prometheus/exposition_parser.h"
#include "core/sources/periodic_pull.h"

namespace blockhealth {

class MetricsScrape final : public PeriodicPull {
 public:
  // The pull spec of `instance`'s metrics_url in `block` (timeout
  // settings.timeout, body limit settings.scrape_body_limit).
  // REQUIRES: instance.metrics_url.
  static PullSpec spec_for(const BlockConfig& block, const InstanceConfig& instance);

  MetricsScrape(SourceEnv& env, PullSpec spec, std::chrono::milliseconds stale_after)
      : PeriodicPull(env, std::move(spec)), stale_after_(stale_after) {}

 private:
  // Status messages on failure: the fetch error ("connection refused"),
  // "HTTP 503 Service Unavailable", "unparsable exposition: line 3,
  // column 5: ...", or the store's refusal ("... series; at most ...").
  void on_result(const FetchResult& result, std::int64_t now_ms) override;
  void failed(std::string message, std::int64_t now_ms);

  const std::chrono::milliseconds stale_after_;
  prometheus::ParseOptions parse_options_;
  std::int64_t last_success_ms_ = 0;  // on the strand
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_SOURCES_METRICS_SCRAPE_H
