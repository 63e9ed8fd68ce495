#include "tests/core/sources/source_harness.h"

#include <gtest/gtest.h>

#include "core/config/net_address.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {

SourceOptions fast_source_options() {
  SourceOptions o;
  o.jitter = false;
  o.threads = 2;  // exercise the strands
  o.log_poll_interval = std::chrono::milliseconds(20);
  o.log_backstop_interval = std::chrono::milliseconds(50);
  o.partial_line_timeout = std::chrono::seconds(60);
  return o;
}

HttpUrl http_url(const std::string& text) {
  auto url = parse_http_url(text);
  EXPECT_TRUE(url.has_value()) << text;
  return url ? *url : HttpUrl{};
}

BlockConfig test_block(const std::string& id, std::chrono::milliseconds interval,
                       std::chrono::milliseconds timeout) {
  BlockConfig b;
  b.id = id;
  b.settings.interval = interval;
  b.settings.timeout = timeout;
  return b;
}

SourceHarness::SourceHarness(SourceOptions options, const Clock& clock)
    : store_(clock),
      manager_(std::make_unique<SourceManager>(store_, clock, &registry_, std::move(options))) {}

SourceHarness::~SourceHarness() {
  manager_->stop();
}

void SourceHarness::apply(const Config& config) {
  std::vector<InstanceKey> keep;
  for (const BlockConfig& b : config.blocks) {
    for (const InstanceConfig& i : b.instances) {
      ObservationLimits limits;
      limits.max_log_lines = static_cast<std::size_t>(b.settings.log_lines);
      store_.ensure({b.id, i.id}, limits);
      keep.push_back({b.id, i.id});
    }
  }
  store_.retain_only(keep);
  manager_->apply(config);
}

InstanceRecordSharedPtr SourceHarness::record(const std::string& block,
                                              const std::string& instance) const {
  return store_.find({block, instance});
}

InstanceObservationsConstSharedPtr SourceHarness::snapshot(const std::string& block,
                                                           const std::string& instance) const {
  const auto r = record(block, instance);
  return r ? r->snapshot() : nullptr;
}

std::optional<ProbeResult> SourceHarness::probe(const std::string& block,
                                                const std::string& instance) const {
  const auto s = snapshot(block, instance);
  return s ? s->probe : std::nullopt;
}

std::optional<SourceStatus> SourceHarness::status(const std::string& block,
                                                  const std::string& instance,
                                                  const std::string& source) const {
  const auto r = record(block, instance);
  if (!r) return std::nullopt;
  for (const SourceStatus& s : r->source_statuses()) {
    if (s.source == source) return s;
  }
  return std::nullopt;
}

std::string SourceHarness::render_metrics() const {
  std::string out;
  registry_.render(out);
  return out;
}

std::optional<ProbeResult> SourceHarness::wait_probe(const std::string& block,
                                                     const std::string& instance) {
  wait_until([&] { return probe(block, instance).has_value(); });
  return probe(block, instance);
}

}  // namespace blockhealth::test
