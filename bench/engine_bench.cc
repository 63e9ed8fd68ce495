// engine_bench: what the engine costs per tick and per instance, in
// process, with the real scheduler, the real built-in policies and their
// real .so files (no HTTP, so the numbers are the engine's alone).
//
//   engine_bench --instances 10000 [--per-block 10] [--seconds 10] [--warmup 3]
//                [--runs 3] [--plugins DIR] [--workers 4] [--window-ms W] [--memory-only]
//
// N push-fed instances in N/per-block blocks, each block with the three
// built-in policies (gpu_temperature, log_pattern, last_request_age), one
// interval of 1 s. It prints:
//   - memory: heap bytes in use (mallinfo2) per instance once the
//     configuration runs and before any observation ("idle"), and after
//     every instance got its samples and was judged, with the part the
//     observation store holds (the samples and the frames) shown apart;
//   - CPU per tick when every instance changes every second: a pusher
//     thread writes 3 samples (a GPU temperature, a request timestamp, a
//     queue length) into every record once a second, exactly like push
//     ingestion does after parsing; the engine's CPU is the process's CPU
//     (getrusage) minus the pusher thread's own (CLOCK_THREAD_CPUTIME_ID);
//   - CPU per tick when nothing changes (no pushes; verdicts hold).
// Each window is --seconds long after --warmup; --runs windows each, the
// median printed last. Timing lives here, never in tests.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/config/config_loader.h"
#include "core/engine/engine.h"
#include "core/engine/engine_plan.h"
#include "core/plugins/plugin_catalog.h"

namespace {

using namespace blockhealth;
namespace fs = std::filesystem;

struct Args {
  std::size_t instances = 10'000;
  std::size_t per_block = 10;
  int seconds = 10;
  int warmup = 3;
  int runs = 3;
  std::size_t workers = 4;
  fs::path plugins;
  bool memory_only = false;
  int window_ms = -1;  // the engine's batch window; -1: its default
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
      a.instances = std::stoul(next());
    } else if (arg == "--per-block") {
      a.per_block = std::stoul(next());
    } else if (arg == "--seconds") {
      a.seconds = std::stoi(next());
    } else if (arg == "--warmup") {
      a.warmup = std::stoi(next());
    } else if (arg == "--runs") {
      a.runs = std::stoi(next());
    } else if (arg == "--workers") {
      a.workers = std::stoul(next());
    } else if (arg == "--window-ms") {
      a.window_ms = std::stoi(next());
    } else if (arg == "--memory-only") {
      a.memory_only = true;
    } else if (arg == "--plugins") {
      a.plugins = next();
    } else {
      std::cerr << "unknown argument " << arg << "\n";
      std::exit(2);
    }
  }
  if (a.plugins.empty()) {
    // The build tree's layout: <build>/bin/engine_bench, <build>/lib/blockhealth/plugins.
    a.plugins = fs::canonical("/proc/self/exe").parent_path().parent_path() / "lib" /
                "blockhealth" / "plugins";
  }
  return a;
}

std::string block_id(std::size_t b) {
  return "block-" + std::to_string(b);
}
std::string instance_id(std::size_t i) {
  return "in-" + std::to_string(i);
}

std::string config_yaml(const Args& a, std::size_t blocks) {
  std::string y =
      "state_dir: /tmp/engine-bench-state\n"
      "defaults:\n"
      "  interval: 1s\n"
      "  timeout: 1s\n"
      "  stale_after: 1h\n"
      "  unhealthy_after: 2\n"
      "  healthy_after: 2\n"
      "blocks:\n";
  std::size_t next = 0;
  for (std::size_t b = 0; b < blocks; ++b) {
    y += "  - id: " + block_id(b) + "\n    instances:\n";
    for (std::size_t k = 0; k < a.per_block && next < a.instances; ++k, ++next) {
      y += "      - id: " + instance_id(next) + "\n";
    }
    y += "    policies:\n"
         "      - use: gpu_temperature\n"
         "        with: { warn_celsius: 83, critical_celsius: 88 }\n"
         "      - use: log_pattern\n"
         "        with: { critical: [\"CUDA error\", \"out of memory\"], window: 60s }\n"
         "      - use: last_request_age\n"
         "        with: { max_age: 120s }\n";
  }
  return y;
}

std::size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

double process_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds of this process's threads named `name` (bh-engine, bh-eval),
// from /proc/self/task/*/schedstat (nanoseconds on a CPU; /proc's stat
// counts only clock ticks).
double threads_cpu_s(const std::string& name) {
  double total = 0;
  for (const auto& task : fs::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string c;
    std::getline(comm, c);
    if (c != name) continue;
    std::ifstream stat(task.path() / "schedstat");
    std::uint64_t on_cpu_ns = 0;
    stat >> on_cpu_ns;
    total += static_cast<double>(on_cpu_ns) / 1e9;
  }
  return total;
}

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// The three samples an instance pushes: a steady temperature (so the
// verdict text stays put), the time of its last request, a queue length.
std::vector<MetricSample> samples_for(std::size_t i, std::int64_t now_ms) {
  MetricSample temp;
  temp.name = "DCGM_FI_DEV_GPU_TEMP";
  temp.labels = {{"gpu", "0"}, {"UUID", "GPU-" + std::to_string(i)}};
  temp.value = 60 + static_cast<double>(i % 7);
  MetricSample request;
  request.name = "last_request_timestamp_seconds";
  request.value = static_cast<double>(now_ms / 1000);
  MetricSample queue;
  queue.name = "queue_length";
  queue.value = static_cast<double>(i % 3);
  return {temp, request, queue};
}

struct Listener final : EngineListener {
  std::atomic<std::uint64_t> calls{0};
  void on_policy_call(std::string_view, std::string_view, CallOutcome, double) override {
    calls.fetch_add(1, std::memory_order_relaxed);
  }
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const std::size_t blocks = (args.instances + args.per_block - 1) / args.per_block;
  std::printf("engine_bench: %zu instances in %zu blocks x 3 policies, workers %zu, plugins %s\n",
              args.instances, blocks, args.workers, args.plugins.c_str());

  const std::size_t heap_start = heap_in_use();
  auto config = load_config_string(config_yaml(args, blocks), "engine-bench.yaml");
  if (!config) {
    std::cerr << config.error().message << "\n";
    return 1;
  }
  const std::size_t heap_config = heap_in_use();
  auto catalog = std::make_shared<const PluginCatalog>(PluginCatalog::scan({args.plugins}));
  if (catalog->plugins().size() < 3) {
    std::cerr << "built-in plugins not found in " << args.plugins << "\n";
    return 1;
  }
  auto plan = build_engine_plan(std::move(*config), catalog, nullptr, SystemClock::instance());
  if (!plan) {
    std::cerr << plan.error().message << "\n";
    return 1;
  }
  const std::size_t heap_plan = heap_in_use();
  Listener listener;
  EngineOptions options;
  options.eval_workers = args.workers;
  if (args.window_ms >= 0) options.batch_window = std::chrono::milliseconds(args.window_ms);
  Engine engine(options, SystemClock::instance(), listener);
  const std::size_t heap_engine = heap_in_use();
  engine.apply(*plan);
  const std::size_t heap_idle = heap_in_use();

  std::vector<InstanceRecordSharedPtr> records;
  records.reserve(args.instances);
  for (std::size_t i = 0; i < args.instances; ++i) {
    records.push_back(*engine.find_record(block_id(i / args.per_block), instance_id(i)));
  }
  const auto n = static_cast<double>(args.instances);
  std::printf(
      "memory: loading the config %.0f B/instance (the YAML tree, freed once planned); the plan "
      "%.0f (config, plugin instances); engine idle %.0f B/instance\n",
      static_cast<double>(heap_config - heap_start) / n,
      static_cast<double>(heap_plan - heap_start) / n,
      static_cast<double>(heap_idle - heap_engine) / n);

  if (args.memory_only) {
    engine.stop();
    return 0;
  }

  std::atomic<bool> pushing{false};
  std::atomic<bool> quit{false};
  std::atomic<double> pusher_cpu{0};
  std::thread pusher([&] {
    while (!quit.load()) {
      const auto start = std::chrono::steady_clock::now();
      if (pushing.load()) {
        const double before = thread_cpu_s();
        const std::int64_t now = SystemClock::instance().wall_ms();
        for (std::size_t i = 0; i < records.size(); ++i) {
          (void)records[i]->merge_samples(samples_for(i, now), now);
        }
        pusher_cpu.store(pusher_cpu.load() + thread_cpu_s() - before);
      }
      std::this_thread::sleep_until(start + std::chrono::seconds(1));
    }
  });

  // First data for all, then wait until every policy judged every block.
  pushing.store(true);
  std::this_thread::sleep_for(std::chrono::seconds(args.warmup));
  std::size_t store_bytes = 0;
  for (const auto& r : records) store_bytes += r->heap_bytes();
  const std::size_t heap_data = heap_in_use();
  std::printf(
      "memory with data: %.0f B/instance in all, of which the store (samples, frames) %.0f; "
      "the rest %.0f\n",
      static_cast<double>(heap_data - heap_engine) / n, static_cast<double>(store_bytes) / n,
      static_cast<double>(heap_data - heap_engine - store_bytes) / n);

  auto window = [&](bool with_pushes) {
    pushing.store(with_pushes);
    std::this_thread::sleep_for(std::chrono::seconds(args.warmup));
    const double cpu0 = process_cpu_s();
    const double push0 = pusher_cpu.load();
    const double engine0 = threads_cpu_s("bh-engine");
    const double eval0 = threads_cpu_s("bh-eval");
    const std::uint64_t calls0 = listener.calls.load();
    std::this_thread::sleep_for(std::chrono::seconds(args.seconds));
    const double cpu = process_cpu_s() - cpu0;
    const double push = pusher_cpu.load() - push0;
    const double engine_thread = threads_cpu_s("bh-engine") - engine0;
    const double eval_threads = threads_cpu_s("bh-eval") - eval0;
    const std::uint64_t calls = listener.calls.load() - calls0;
    const double per_tick_ms = (cpu - push) * 1000.0 / args.seconds;
    const double per_s = 1000.0 / args.seconds;
    std::printf(
        "  %s: engine %.2f ms CPU per 1 s tick (engine thread %.1f, plugin calls %.1f; process "
        "%.2f, pusher %.2f), %.0f calls/s\n",
        with_pushes ? "every instance changed" : "nothing changed", per_tick_ms,
        engine_thread * per_s, eval_threads * per_s, cpu * per_s, push * per_s,
        static_cast<double>(calls) / args.seconds);
    return per_tick_ms;
  };
  std::vector<double> changed;
  std::vector<double> unchanged;
  for (int r = 0; r < args.runs; ++r) {
    std::printf("run %d\n", r + 1);
    changed.push_back(window(true));
    unchanged.push_back(window(false));
  }
  std::printf(
      "median over %d runs: every instance changed %.2f ms per tick (%.3f us per instance); "
      "nothing changed %.3f ms per tick\n",
      args.runs, median(changed), median(changed) * 1000.0 / n, median(unchanged));
  quit.store(true);
  pusher.join();
  engine.stop();
  return 0;
}
