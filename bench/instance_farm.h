// InstanceFarm: many small HTTP "model server" instances in one process,
// each on its own loopback port, answering GET /health with
// {"status":"healthy"} and GET /metrics with a dcgm-exporter-like page (two
// GPUs). Keep-alive; other paths get 404. For the pull benchmarks.
#ifndef BLOCKHEALTH_BENCH_INSTANCE_FARM_H
#define BLOCKHEALTH_BENCH_INSTANCE_FARM_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace blockhealth::bench {

class InstanceFarm {
 public:
  // Listens on `count` ports of 127.0.0.1 (chosen by the OS) served by
  // `threads` threads (at least 1). Throws boost::system::system_error when
  // a port cannot be opened (e.g. out of file descriptors: raise
  // RLIMIT_NOFILE first). Thread-safe: requests() may be called from any
  // thread.
  InstanceFarm(std::size_t count, int threads);
  ~InstanceFarm();
  InstanceFarm(const InstanceFarm&) = delete;
  InstanceFarm& operator=(const InstanceFarm&) = delete;

  const std::vector<std::uint16_t>& ports() const { return ports_; }
  std::uint64_t requests() const;  // answered so far

  // The /metrics page every instance serves.
  static const std::string& metrics_page();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<std::uint16_t> ports_;
};

}  // namespace blockhealth::bench

#endif  // BLOCKHEALTH_BENCH_INSTANCE_FARM_H
