#include "core/sources/health_probe.h"

#include <algorithm>

#include "core/sources/health_judgement.h"

namespace blockhealth {

PullSpec HealthProbe::spec_for(const BlockConfig& block, const InstanceConfig& instance,
                               const SourceOptions& options) {
  PullSpec spec;
  spec.key = {block.id, instance.id};
  spec.source = "health";
  spec.fetch.url = *instance.health_url;
  spec.fetch.tls = instance.tls;
  spec.fetch.timeout = block.settings.timeout;
  spec.fetch.body_limit = std::min(options.health_body_limit, block.settings.scrape_body_limit);
  spec.fetch.accept = "application/json, */*;q=0.5";
  spec.interval = block.settings.interval;
  return spec;
}

const PolicyVerdict& HealthProbe::judge(const ProbeResult& probe) {
  if (probe.outcome == last_answer_.outcome && probe.http_status == last_answer_.http_status &&
      probe.error == last_answer_.error && probe.body == last_answer_.body) {
    return last_verdict_;
  }
  last_verdict_ = judge_health_probe(probe);
  last_answer_ = {probe.outcome, probe.http_status, probe.error, probe.body};
  return last_verdict_;
}

void HealthProbe::on_result(const FetchResult& result, std::int64_t now_ms) {
  ProbeResult probe;
  probe.outcome = result.outcome;
  probe.http_status = result.http_status;
  probe.latency_us = result.latency_us;
  probe.time_ms = now_ms;
  probe.url = spec().fetch.url.text;
  probe.error = result.error;
  probe.body = result.body;
  const PolicyVerdict& verdict = judge(probe);
  const bool ok = verdict.status == Status::kOk;
  if (!ok) {
    env().counters.failed += 1;
    metrics().failures.inc();
  }
  const InstanceRecordSharedPtr record = env().store.find(spec().key);
  if (!record) return;
  SourceStatus status;
  status.source = spec().source;
  status.target = spec().fetch.url.text;
  status.ok = ok;
  if (!ok) {
    // The verdict's reason without its "GET <url>: " prefix (target says it).
    const std::string prefix = "GET " + probe.url + ": ";
    status.message =
        verdict.reason.starts_with(prefix) ? verdict.reason.substr(prefix.size()) : verdict.reason;
  }
  status.time_ms = now_ms;
  status.last_success_ms = ok ? now_ms : last_success_ms_;
  if (ok) last_success_ms_ = now_ms;
  record->record_probe(std::move(probe), verdict);
  record->set_source_status(std::move(status));
}

}  // namespace blockhealth
