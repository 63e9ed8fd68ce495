// Remote-written samples into the instances' records: the mapping of
// docs/configuration.md "remote_write:" from series labels to a block and
// an instance, then the push path's InstanceRecord::merge_samples, once per
// instance. No HTTP here (server/routes_remote_write.cc answers).
#ifndef BLOCKHEALTH_SERVER_REMOTE_WRITE_INGEST_H
#define BLOCKHEALTH_SERVER_REMOTE_WRITE_INGEST_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.h"
#include "core/engine/engine.h"
#include "core/wire/remote_write.h"

namespace blockhealth::server {

// Where the samples of one WriteRequest went, counted per sample (a series
// with 3 samples counts 3). Every sample lands in exactly one count.
struct RemoteWriteTally {
  std::uint64_t accepted = 0;           // merged into an instance's record
  std::uint64_t no_block_label = 0;     // the series has no block label
  std::uint64_t no_instance_label = 0;  // ... or no instance label
  std::uint64_t unknown_block = 0;      // the block label names no block
  std::uint64_t unknown_instance = 0;   // the block has no such instance
  std::uint64_t limit = 0;              // the instance's limits refused them (series, labels)
  std::uint64_t stale = 0;              // the series' newest sample is a staleness marker
  std::vector<std::pair<std::string, std::uint64_t>> accepted_by_block;  // block, samples
  std::string first_limit_error;  // the first refusal's message, for the log
};

// Maps every series of `request` to the instance its labels name and merges
// each instance's series in one merge_samples call (one lock, one news
// raise per instance): a series becomes one sample, its newest (the latest
// timestamp) with that timestamp, named by __name__, with every label but
// __name__, the block and instance labels and config.drop_labels. A series
// that names no known block or instance is dropped and counted, never an
// error. Thread-safe (its scratch space is per thread); the records take
// their own locks.
RemoteWriteTally ingest_remote_write(const Engine& engine, const RemoteWriteConfig& config,
                                     const wire::RemoteWriteRequest& request, std::int64_t now_ms);

}  // namespace blockhealth::server

#endif  // BLOCKHEALTH_SERVER_REMOTE_WRITE_INGEST_H
