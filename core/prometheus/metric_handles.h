// Handles to one series of the daemon's own metrics (see metrics_registry.h).
// A handle is cheap to copy and keeps its series' storage alive: it stays
// safe to use after its family removed the series (updates then go nowhere
// visible) and after the registry is gone. A default-constructed handle is
// detached: updates are dropped and reads give 0.
//
// Thread-safety: every method of every handle is safe to call concurrently
// from any thread, without locks (std::atomic; lock-free on x86-64/arm64).
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_METRIC_HANDLES_H
#define BLOCKHEALTH_CORE_PROMETHEUS_METRIC_HANDLES_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace blockhealth::prometheus {

namespace detail {

struct ValueCell {
  std::atomic<double> value{0};
};

struct HistogramCell {
  explicit HistogramCell(std::shared_ptr<const std::vector<double>> upper_bounds)
      : bounds(std::move(upper_bounds)), counts(bounds->size() + 1) {}
  std::shared_ptr<const std::vector<double>> bounds;  // finite, increasing; +Inf implied
  std::vector<std::atomic<std::uint64_t>> counts;     // per bucket, not cumulative; last: +Inf
  std::atomic<double> sum{0};
};

}  // namespace detail

class Counter {
 public:
  Counter() = default;
  explicit Counter(std::shared_ptr<detail::ValueCell> cell) : cell_(std::move(cell)) {}

  void inc() const { add(1); }
  // Ignores a negative or NaN delta (a counter never goes down).
  void add(double delta) const;
  double value() const;
  bool attached() const { return cell_ != nullptr; }

 private:
  std::shared_ptr<detail::ValueCell> cell_;
};

class Gauge {
 public:
  Gauge() = default;
  explicit Gauge(std::shared_ptr<detail::ValueCell> cell) : cell_(std::move(cell)) {}

  void set(double value) const;
  void add(double delta) const;
  void sub(double delta) const { add(-delta); }
  void inc() const { add(1); }
  void dec() const { add(-1); }
  double value() const;
  bool attached() const { return cell_ != nullptr; }

 private:
  std::shared_ptr<detail::ValueCell> cell_;
};

class Histogram {
 public:
  Histogram() = default;
  explicit Histogram(std::shared_ptr<detail::HistogramCell> cell) : cell_(std::move(cell)) {}

  // Counts `value` in the first bucket whose upper bound is >= value (NaN:
  // only in +Inf) and adds it to the sum. O(log buckets).
  void observe(double value) const;
  std::uint64_t count() const;  // observations so far
  double sum() const;
  bool attached() const { return cell_ != nullptr; }

 private:
  std::shared_ptr<detail::HistogramCell> cell_;
};

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_METRIC_HANDLES_H
