#include "core/sources/metrics_scrape.h"

#include <blockhealth/policy_abi.h>

#include <boost/beast/http/status.hpp>

#include "core/config/duration.h"

namespace blockhealth {

PullSpec MetricsScrape::spec_for(const BlockConfig& block, const InstanceConfig& instance) {
  PullSpec spec;
  spec.key = {block.id, instance.id};
  spec.source = "metrics";
  spec.fetch.url = *instance.metrics_url;
  spec.fetch.tls = instance.tls;
  spec.fetch.timeout = block.settings.timeout;
  spec.fetch.body_limit = block.settings.scrape_body_limit;
  spec.fetch.accept = "text/plain;version=0.0.4;q=1,*/*;q=0.1";
  spec.interval = block.settings.interval;
  return spec;
}

void MetricsScrape::on_result(const FetchResult& result, std::int64_t now_ms) {
  if (result.outcome != BH_PROBE_RESPONSE) return failed(result.error, now_ms);
  if (result.http_status < 200 || result.http_status > 299) {
    std::string message = "HTTP " + std::to_string(result.http_status);
    const auto phrase = boost::beast::http::obsolete_reason(
        boost::beast::http::int_to_status(static_cast<unsigned>(result.http_status)));
    if (phrase != "<unknown-status>") message += " " + std::string(phrase);
    return failed(std::move(message), now_ms);
  }
  auto parsed = prometheus::parse_exposition(result.body, parse_options_);
  if (!parsed) return failed("unparsable exposition: " + parsed.error().message, now_ms);
  const InstanceRecordSharedPtr record = env().store.find(spec().key);
  if (!record) return;
  // The parser refuses invalid UTF-8 and NUL bytes: no second check.
  if (auto stored =
          record->replace_samples(parsed->samples, now_ms, InstanceRecord::Text::kValidUtf8);
      !stored) {
    return failed(stored.error().message, now_ms);
  }
  last_success_ms_ = now_ms;
  record->set_source_status({spec().source, spec().fetch.url.text, true, "", now_ms, now_ms});
}

void MetricsScrape::failed(std::string message, std::int64_t now_ms) {
  env().counters.failed += 1;
  metrics().failures.inc();
  const InstanceRecordSharedPtr record = env().store.find(spec().key);
  if (!record) return;
  // Before the first success, count from when this source started.
  const std::int64_t since = last_success_ms_ != 0 ? last_success_ms_ : started_wall_ms();
  if (now_ms - since >= stale_after_.count()) {
    record->clear_samples();
    message += "; samples cleared (no successful scrape for " + format_duration(stale_after_) + ")";
  }
  record->set_source_status(
      {spec().source, spec().fetch.url.text, false, std::move(message), now_ms, last_success_ms_});
}

}  // namespace blockhealth
