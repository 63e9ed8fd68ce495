// A real ObservationStore and SourceManager, with records created for every
// configured instance the way the engine does, for the tests of
// core/sources.
#ifndef BLOCKHEALTH_TESTS_CORE_SOURCES_SOURCE_HARNESS_H
#define BLOCKHEALTH_TESTS_CORE_SOURCES_SOURCE_HARNESS_H

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/config/config.h"
#include "core/observations/observation_store.h"
#include "core/prometheus/metrics_registry.h"
#include "core/sources/source_manager.h"
#include "core/util/clock.h"

namespace blockhealth::test {

// Options for fast tests: no jitter, short log timings.
SourceOptions fast_source_options();

// An http:// URL split the way the config loader splits it.
HttpUrl http_url(const std::string& text);

// A block with the given settings and no instances.
BlockConfig test_block(const std::string& id, std::chrono::milliseconds interval,
                       std::chrono::milliseconds timeout);

class SourceHarness {
 public:
  explicit SourceHarness(SourceOptions options = fast_source_options(),
                         const Clock& clock = SystemClock::instance());
  ~SourceHarness();

  // Creates the records of every instance in `config` (as the engine
  // does), then applies it to the manager.
  void apply(const Config& config);

  InstanceRecordSharedPtr record(const std::string& block, const std::string& instance) const;
  InstanceObservationsConstSharedPtr snapshot(const std::string& block,
                                              const std::string& instance) const;
  std::optional<ProbeResult> probe(const std::string& block, const std::string& instance) const;
  std::optional<SourceStatus> status(const std::string& block, const std::string& instance,
                                     const std::string& source) const;
  std::string render_metrics() const;

  // Waits (up to the default deadline) for a probe of the instance; the
  // last one recorded, or nullopt on timeout.
  std::optional<ProbeResult> wait_probe(const std::string& block, const std::string& instance);

  ObservationStore& store() { return store_; }
  SourceManager& manager() { return *manager_; }

 private:
  ObservationStore store_;
  prometheus::MetricsRegistry registry_;
  std::unique_ptr<SourceManager> manager_;
};

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_CORE_SOURCES_SOURCE_HARNESS_H
