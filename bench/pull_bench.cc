// pull_bench: how much CPU the pull sources use, and how late their probes
// start, when probing and scraping N instances every interval.
//
//   pull_bench --instances 1000 --seconds 60 [--warmup 5] [--interval-ms 1000]
//              [--threads 1] [--runs 3] [--max-in-flight 1024]
//     Forks a farm of N HTTP instances (bench/instance_farm.h) into a child
//     process, then drives a real SourceManager + ObservationStore in this
//     process: each instance has a health_url and a metrics_url, so 2N
//     requests per interval. After the warm-up it measures this process's
//     CPU time (getrusage: the farm is not counted) and the lateness the
//     SourceManager records (actual start - scheduled time). Prints one line
//     per run and the medians.
//
//   pull_bench --farm-only --instances N --port-file FILE
//     Only serves the farm, writing its ports (one a line) to FILE, until
//     killed (for bench/pull_daemon_bench.py, which measures blockhealthd).
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/instance_farm.h"
#include "core/config/net_address.h"
#include "core/observations/observation_store.h"
#include "core/prometheus/metrics_registry.h"
#include "core/sources/source_manager.h"

namespace {

using namespace blockhealth;
using std::chrono::milliseconds;

struct Args {
  std::size_t instances = 100;
  int seconds = 30;
  int warmup = 5;
  int interval_ms = 1000;
  int threads = 1;
  int runs = 3;
  std::size_t max_in_flight = SourceOptions{}.max_in_flight;
  bool farm_only = false;
  std::string port_file;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << k << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (k == "--instances") {
      a.instances = std::stoul(next());
    } else if (k == "--seconds") {
      a.seconds = std::stoi(next());
    } else if (k == "--warmup") {
      a.warmup = std::stoi(next());
    } else if (k == "--interval-ms") {
      a.interval_ms = std::stoi(next());
    } else if (k == "--threads") {
      a.threads = std::stoi(next());
    } else if (k == "--runs") {
      a.runs = std::stoi(next());
    } else if (k == "--max-in-flight") {
      a.max_in_flight = std::stoul(next());
    } else if (k == "--farm-only") {
      a.farm_only = true;
    } else if (k == "--port-file") {
      a.port_file = next();
    } else {
      std::cerr << "unknown argument " << k << "\n";
      std::exit(2);
    }
  }
  return a;
}

void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

// CPU seconds of another process (the farm), from /proc; 0 when unreadable.
double cpu_seconds_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; fields >> f; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(f);  // utime, stime
    if (i == 15) break;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double load_average() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : 0;
}

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

volatile std::sig_atomic_t g_stop = 0;

int farm_only(const Args& args) {
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  std::signal(SIGINT, [](int) { g_stop = 1; });
  bench::InstanceFarm farm(args.instances, 2);
  const std::string tmp = args.port_file + ".tmp";
  {
    std::ofstream out(tmp);
    for (auto p : farm.ports()) out << p << "\n";
  }
  std::rename(tmp.c_str(), args.port_file.c_str());
  while (g_stop == 0) std::this_thread::sleep_for(milliseconds(100));
  return 0;
}

// Starts the farm in a child process; returns its pid and ports.
pid_t fork_farm(std::size_t instances, std::vector<std::uint16_t>& ports) {
  int fds[2];
  if (pipe(fds) != 0) std::exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    close(fds[0]);
    std::signal(SIGTERM, [](int) { _exit(0); });
    bench::InstanceFarm farm(instances, 2);
    std::string text;
    for (auto p : farm.ports()) text += std::to_string(p) + "\n";
    text += "end\n";
    for (std::size_t off = 0; off < text.size();) {
      const ssize_t n = write(fds[1], text.data() + off, text.size() - off);
      if (n <= 0) _exit(1);
      off += static_cast<std::size_t>(n);
    }
    close(fds[1]);
    for (;;) pause();
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  while (text.find("end\n") == std::string::npos) {
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) {
      std::cerr << "the farm did not start\n";
      std::exit(1);
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  std::size_t at = 0;
  while (true) {
    const auto nl = text.find('\n', at);
    const std::string line = text.substr(at, nl - at);
    if (line == "end") break;
    ports.push_back(static_cast<std::uint16_t>(std::stoi(line)));
    at = nl + 1;
  }
  return pid;
}

Config bench_config(const std::vector<std::uint16_t>& ports, int interval_ms) {
  Config config;
  BlockConfig block;
  block.id = "bench";
  block.settings.interval = milliseconds(interval_ms);
  block.settings.timeout = milliseconds(interval_ms);
  block.settings.stale_after = milliseconds(std::max(30'000, interval_ms * 3));
  for (std::size_t i = 0; i < ports.size(); ++i) {
    InstanceConfig in;
    in.id = "i" + std::to_string(i);
    const std::string base = "http://127.0.0.1:" + std::to_string(ports[i]);
    in.health_url = *parse_http_url(base + "/health");
    in.metrics_url = *parse_http_url(base + "/metrics");
    block.instances.push_back(std::move(in));
  }
  config.blocks.push_back(std::move(block));
  return config;
}

struct RunResult {
  double cpu_percent = 0;
  double farm_cpu_percent = 0;
  double load_before = 0;
  double load_after = 0;
  SourceStats stats;
  std::size_t samples = 0;  // store-wide, at the end
};

RunResult run_once(const Args& args, const std::vector<std::uint16_t>& ports, pid_t farm) {
  ObservationStore store(SystemClock::instance());
  prometheus::MetricsRegistry registry;
  const Config config = bench_config(ports, args.interval_ms);
  for (const InstanceConfig& in : config.blocks[0].instances) {
    store.ensure({"bench", in.id}, ObservationLimits{});
  }
  SourceOptions options;
  options.threads = args.threads;
  options.max_in_flight = args.max_in_flight;
  SourceManager manager(store, SystemClock::instance(), &registry, options);
  manager.apply(config);
  std::this_thread::sleep_for(std::chrono::seconds(args.warmup));
  manager.reset_stats();
  RunResult r;
  r.load_before = load_average();
  const double farm0 = cpu_seconds_of(farm);
  const double cpu0 = cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(args.seconds));
  const double cpu1 = cpu_seconds();
  const double farm1 = cpu_seconds_of(farm);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  r.load_after = load_average();
  r.stats = manager.stats();
  r.cpu_percent = 100.0 * (cpu1 - cpu0) / wall;
  r.farm_cpu_percent = 100.0 * (farm1 - farm0) / wall;
  for (const InstanceConfig& in : config.blocks[0].instances) {
    r.samples += store.find({"bench", in.id})->snapshot()->samples.size();
  }
  manager.stop();
  return r;
}

// Microseconds as milliseconds, for printing.
double ms(std::int64_t us) {
  return static_cast<double>(us) / 1e3;
}

template <typename T, typename F>
double median_of(const std::vector<T>& v, F f) {
  std::vector<double> xs;
  xs.reserve(v.size());
  for (const T& x : v) xs.push_back(static_cast<double>(f(x)));
  std::sort(xs.begin(), xs.end());
  return xs.empty() ? 0 : xs[xs.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  raise_fd_limit();
  if (args.farm_only) {
    if (args.port_file.empty()) {
      std::cerr << "--farm-only needs --port-file\n";
      return 2;
    }
    return farm_only(args);
  }
  std::vector<std::uint16_t> ports;
  const pid_t farm = fork_farm(args.instances, ports);
  std::printf(
      "pull_bench: %zu instances (health + metrics = %zu requests per %d ms), "
      "%d io thread(s), %d s measured after %d s warm-up, %d run(s)\n",
      ports.size(), 2 * ports.size(), args.interval_ms, args.threads, args.seconds, args.warmup,
      args.runs);
  std::vector<RunResult> results;
  for (int run = 0; run < args.runs; ++run) {
    const RunResult r = run_once(args, ports, farm);
    const SourceStats& s = r.stats;
    std::printf(
        "run %d: cpu %.1f%% of one core | lateness p50 %.2f ms p90 %.2f ms p99 %.2f ms max "
        "%.2f ms | duration p50 %.2f ms p99 %.2f ms | started %llu completed %llu failed %llu "
        "skipped %llu new connections %llu peak in flight %zu | samples in store %zu | farm cpu "
        "%.1f%% | load average %.1f -> %.1f\n",
        run + 1, r.cpu_percent, ms(s.lateness.p50_us), ms(s.lateness.p90_us), ms(s.lateness.p99_us),
        ms(s.lateness.max_us), ms(s.duration.p50_us), ms(s.duration.p99_us),
        static_cast<unsigned long long>(s.started), static_cast<unsigned long long>(s.completed),
        static_cast<unsigned long long>(s.failed), static_cast<unsigned long long>(s.skipped_ticks),
        static_cast<unsigned long long>(s.connections_opened), s.peak_in_flight, r.samples,
        r.farm_cpu_percent, r.load_before, r.load_after);
    std::fflush(stdout);
    results.push_back(r);
  }
  std::printf(
      "median of %d: cpu %.1f%% | lateness p50 %.2f ms p99 %.2f ms max %.2f ms | "
      "failed %.0f skipped %.0f\n",
      args.runs, median_of(results, [](const RunResult& r) { return r.cpu_percent; }),
      median_of(results, [](const RunResult& r) { return r.stats.lateness.p50_us; }) / 1e3,
      median_of(results, [](const RunResult& r) { return r.stats.lateness.p99_us; }) / 1e3,
      median_of(results, [](const RunResult& r) { return r.stats.lateness.max_us; }) / 1e3,
      median_of(results, [](const RunResult& r) { return r.stats.failed; }),
      median_of(results, [](const RunResult& r) { return r.stats.skipped_ticks; }));
  kill(farm, SIGTERM);
  waitpid(farm, nullptr, 0);
  return 0;
}
