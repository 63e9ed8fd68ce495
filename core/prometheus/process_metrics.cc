#include "core/prometheus/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace blockhealth::prometheus {
namespace {

// /proc/self/stat's fields after the command name: field 3 (state) first.
std::optional<std::vector<std::string>> stat_fields() {
  std::ifstream in("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  if (fields.size() < 22) return std::nullopt;
  return fields;
}

// Field N of /proc/<pid>/stat as numbered in proc(5), from stat_fields().
std::optional<double> field_of(const std::vector<std::string>& fields, int n) {
  try {
    return std::stod(fields.at(static_cast<std::size_t>(n - 3)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<double> stat_field(int n) {
  auto fields = stat_fields();
  if (!fields) return std::nullopt;
  return field_of(*fields, n);
}

std::optional<double> boot_time_seconds() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

std::optional<double> statm_pages(int index) {
  std::ifstream in("/proc/self/statm");
  double value = 0;
  for (int i = 0; i <= index; ++i) {
    if (!(in >> value)) return std::nullopt;
  }
  return value;
}

GaugeCallback reading(std::optional<double> (*read)()) {
  return [read](std::vector<GaugeReading>& out) {
    if (auto v = read()) out.push_back({{}, *v});
  };
}

}  // namespace

Result<void> add_process_metrics(MetricsRegistry& registry) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  // Read once: the start never changes.
  std::optional<double> start;
  if (auto since_boot = stat_field(22), boot = boot_time_seconds(); since_boot && boot) {
    start = *boot + *since_boot / ticks;
  }
  auto cpu = registry.add_callback_counter("process_cpu_seconds_total",
                                           "Total user and system CPU time spent in seconds.", {},
                                           [ticks](std::vector<GaugeReading>& out) {
                                             // utime and stime from one read
                                             auto fields = stat_fields();
                                             if (!fields) return;
                                             auto user = field_of(*fields, 14);
                                             auto system = field_of(*fields, 15);
                                             if (user && system)
                                               out.push_back({{}, (*user + *system) / ticks});
                                           });
  if (!cpu) return cpu.error();
  auto rss =
      registry.add_callback_gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                                  {}, [page](std::vector<GaugeReading>& out) {
                                    if (auto pages = statm_pages(1))
                                      out.push_back({{}, *pages * page});
                                  });
  if (!rss) return rss.error();
  auto vsz =
      registry.add_callback_gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                                  {}, [page](std::vector<GaugeReading>& out) {
                                    if (auto pages = statm_pages(0))
                                      out.push_back({{}, *pages * page});
                                  });
  if (!vsz) return vsz.error();
  auto open = registry.add_callback_gauge(
      "process_open_fds", "Number of open file descriptors.", {},
      reading(+[]() -> std::optional<double> {
        std::error_code ec;
        double n = 0;
        for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
             !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
          ++n;
        }
        if (ec) return std::nullopt;
        return n - 1;  // the iterator's own descriptor
      }));
  if (!open) return open.error();
  auto max = registry.add_callback_gauge(
      "process_max_fds", "Maximum number of open file descriptors.", {},
      reading(+[]() -> std::optional<double> {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
          return std::nullopt;
        }
        return static_cast<double>(limit.rlim_cur);
      }));
  if (!max) return max.error();
  auto started = registry.add_callback_gauge(
      "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", {},
      [start](std::vector<GaugeReading>& out) {
        if (start) out.push_back({{}, *start});
      });
  if (!started) return started.error();
  return {};
}

}  // namespace blockhealth::prometheus
