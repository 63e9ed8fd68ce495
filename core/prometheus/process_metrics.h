// The process_* metrics every Prometheus client library exports, read from
// /proc at each render: CPU seconds, resident and virtual memory, open and
// maximum file descriptors, start time.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_PROCESS_METRICS_H
#define BLOCKHEALTH_CORE_PROMETHEUS_PROCESS_METRICS_H

#include "core/prometheus/metrics_registry.h"
#include "core/util/result.h"

namespace blockhealth::prometheus {

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds in `registry`. A value that cannot be read
// (no /proc) is left out of its family. Error when a name is taken.
Result<void> add_process_metrics(MetricsRegistry& registry);

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_PROCESS_METRICS_H
