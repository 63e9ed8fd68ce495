// remote_write_bench: samples per second on one core through POST
// /api/v1/write's path, in process: snappy + the hand-rolled WriteRequest
// decoder (core/wire/remote_write.h) + the mapping and merge into the
// instances' records (server/remote_write_ingest.h), with no HTTP. The
// anchor, measured in the same run: the same body through the reference
// libraries, snappy::Uncompress + protoc's generated
// prometheus::WriteRequest::ParseFromArray (decoding only, no ingestion).
//
//   remote_write_bench [--instances 125] [--gpus 8] [--metrics 10]
//                      [--iterations 200] [--runs 5] [--plugins DIR]
//
// The body: instances x gpus x metrics series of one sample each (10,000 by
// default), labelled as dcgm-exporter's series are once Prometheus scraped
// them (13 labels: __name__, DCGM_FI_DRIVER_VERSION, Hostname, UUID, block,
// container, device, gpu, instance, job, modelName, namespace, pod), routed
// by block/pod with drop_labels [instance, job]. The engine runs (interval
// 1h, so nothing is evaluated while measuring). Each figure is samples
// divided by the measuring thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so
// other load on the box does not count; --runs windows, the median printed.
#include <snappy.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/config/config_loader.h"
#include "core/engine/engine.h"
#include "core/engine/engine_plan.h"
#include "core/plugins/plugin_catalog.h"
#include "core/wire/remote_write.h"
#include "remote.pb.h"
#include "server/remote_write_ingest.h"

namespace {

using namespace blockhealth;
namespace fs = std::filesystem;

struct Args {
  int instances = 125;
  int gpus = 8;
  int metrics = 10;
  int iterations = 200;
  int runs = 5;
  fs::path plugins;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--instances") {
      a.instances = std::stoi(next());
    } else if (arg == "--gpus") {
      a.gpus = std::stoi(next());
    } else if (arg == "--metrics") {
      a.metrics = std::stoi(next());
    } else if (arg == "--iterations") {
      a.iterations = std::stoi(next());
    } else if (arg == "--runs") {
      a.runs = std::stoi(next());
    } else if (arg == "--plugins") {
      a.plugins = next();
    } else {
      std::cerr << "unknown argument " << arg << "\n";
      std::exit(2);
    }
  }
  if (a.plugins.empty()) {
    a.plugins = fs::canonical("/proc/self/exe").parent_path().parent_path() / "lib" /
                "blockhealth" / "plugins";
  }
  return a;
}

std::string rw_bench_instance(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "node-%04d", i);
  return buf;
}

std::string rw_bench_config(const Args& a) {
  std::string y = R"(
remote_write:
  enabled: true
  block_label: block
  instance_label: pod
  drop_labels: [instance, job]
defaults:
  interval: 1h
  stale_after: 1h
blocks:
  - id: gpus
    policies:
      - use: gpu_temperature
    instances:
)";
  for (int i = 0; i < a.instances; ++i) y += "      - id: " + rw_bench_instance(i) + "\n";
  return y;
}

const char* const kRwBenchMetrics[] = {"DCGM_FI_DEV_GPU_TEMP",
                                       "DCGM_FI_DEV_MEMORY_TEMP",
                                       "DCGM_FI_DEV_POWER_USAGE",
                                       "DCGM_FI_DEV_GPU_UTIL",
                                       "DCGM_FI_DEV_MEM_COPY_UTIL",
                                       "DCGM_FI_DEV_SM_CLOCK",
                                       "DCGM_FI_DEV_MEM_CLOCK",
                                       "DCGM_FI_DEV_FB_USED",
                                       "DCGM_FI_DEV_FB_FREE",
                                       "DCGM_FI_DEV_XID_ERRORS",
                                       "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
                                       "DCGM_FI_PROF_GR_ENGINE_ACTIVE"};

// The WriteRequest, encoded by protoc's generated code. Series are
// interleaved across instances, as Prometheus's shards send them.
std::string rw_bench_body(const Args& a) {
  prometheus::WriteRequest req;
  const int metrics = std::min<int>(a.metrics, std::size(kRwBenchMetrics));
  for (int m = 0; m < metrics; ++m) {
    for (int g = 0; g < a.gpus; ++g) {
      for (int i = 0; i < a.instances; ++i) {
        prometheus::TimeSeries* ts = req.add_timeseries();
        auto label = [ts](const char* n, const std::string& v) {
          prometheus::Label* l = ts->add_labels();
          l->set_name(n);
          l->set_value(v);
        };
        const std::string pod = rw_bench_instance(i);
        label("__name__", kRwBenchMetrics[m]);
        label("DCGM_FI_DRIVER_VERSION", "535.129.03");
        label("Hostname", pod);
        label("UUID", "GPU-" + std::to_string(i) + "-8a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c" +
                          std::to_string(g));
        label("block", "gpus");
        label("container", "model-server");
        label("device", "nvidia" + std::to_string(g));
        label("gpu", std::to_string(g));
        label("instance",
              "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":9400");
        label("job", "dcgm-exporter");
        label("modelName", "NVIDIA H100 80GB HBM3");
        label("namespace", "serving");
        label("pod", pod);
        prometheus::Sample* s = ts->add_samples();
        s->set_value(40.0 + (i + g) % 20);
        s->set_timestamp(1'700'000'000'000LL);
      }
    }
  }
  std::string bytes = req.SerializeAsString();
  std::string body;
  snappy::Compress(bytes.data(), bytes.size(), &body);
  std::printf("body: %d series, %zu bytes protobuf, %zu bytes snappy\n", req.timeseries_size(),
              bytes.size(), body.size());
  return body;
}

double rw_bench_thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double rw_bench_median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

struct RwBenchListener final : EngineListener {};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  auto config = load_config_string(rw_bench_config(args), "remote-write-bench.yaml");
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 1;
  }
  const RemoteWriteConfig rw = config->remote_write;
  auto catalog = std::make_shared<const PluginCatalog>(PluginCatalog::scan({args.plugins}));
  auto plan = build_engine_plan(std::move(*config), catalog, nullptr, SystemClock::instance());
  if (!plan) {
    std::cerr << plan.error().message << "\n";
    return 1;
  }
  RwBenchListener listener;
  Engine engine(EngineOptions{}, SystemClock::instance(), listener);
  engine.apply(*plan);

  const std::string body = rw_bench_body(args);
  wire::RemoteWriteRequest decoded;
  // Warm up (the first ingestion creates every series) and check the path.
  {
    const auto status = wire::decode_remote_write(body, 64 << 20, decoded);
    if (!status.ok()) {
      std::cerr << status.message << "\n";
      return 1;
    }
    const auto tally =
        server::ingest_remote_write(engine, rw, decoded, SystemClock::instance().wall_ms());
    if (tally.accepted != decoded.sample_total()) {
      std::cerr << "only " << tally.accepted << " of " << decoded.sample_total()
                << " samples accepted (" << tally.first_limit_error << ")\n";
      return 1;
    }
  }
  const double samples = static_cast<double>(decoded.sample_total()) * args.iterations;
  std::vector<double> full;
  std::vector<double> decode_only;
  std::vector<double> reference;
  std::string scratch;
  prometheus::WriteRequest message;
  for (int run = 0; run < args.runs; ++run) {
    double t0 = rw_bench_thread_cpu_s();
    for (int i = 0; i < args.iterations; ++i) {
      (void)wire::decode_remote_write(body, 64 << 20, decoded);
      (void)server::ingest_remote_write(engine, rw, decoded, SystemClock::instance().wall_ms());
    }
    full.push_back(samples / (rw_bench_thread_cpu_s() - t0));

    t0 = rw_bench_thread_cpu_s();
    for (int i = 0; i < args.iterations; ++i) {
      (void)wire::decode_remote_write(body, 64 << 20, decoded);
    }
    decode_only.push_back(samples / (rw_bench_thread_cpu_s() - t0));

    t0 = rw_bench_thread_cpu_s();
    for (int i = 0; i < args.iterations; ++i) {
      snappy::Uncompress(body.data(), body.size(), &scratch);
      message.ParseFromArray(scratch.data(), static_cast<int>(scratch.size()));
    }
    reference.push_back(samples / (rw_bench_thread_cpu_s() - t0));
    std::printf(
        "run %d: decode+ingest %.3g samples/s, decode only %.3g, reference decode "
        "(snappy::Uncompress + ParseFromArray) %.3g\n",
        run + 1, full.back(), decode_only.back(), reference.back());
  }
  const double f = rw_bench_median(full);
  const double d = rw_bench_median(decode_only);
  const double r = rw_bench_median(reference);
  std::printf(
      "median of %d runs, samples/s on one core: decode+ingest %.3g, decode only %.3g, "
      "reference decode %.3g\n",
      args.runs, f, d, r);
  std::printf("ratio: decode+ingest / reference decode %.2f; decode only / reference decode %.2f\n",
              f / r, d / r);
  engine.stop();
  return 0;
}
