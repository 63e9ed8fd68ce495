// Metric families of the daemon's own metrics: a name, help, type, fixed
// label names, and one series per distinct list of label values. Created
// by MetricsRegistry (metrics_registry.h), which owns them.
//
// Thread-safety: every method is safe to call concurrently. with(),
// remove(), clear() and render() take the family's mutex briefly; the
// returned handles then update their series without any lock, so cache a
// handle where the update is frequent.
#ifndef BLOCKHEALTH_CORE_PROMETHEUS_METRIC_FAMILIES_H
#define BLOCKHEALTH_CORE_PROMETHEUS_METRIC_FAMILIES_H

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/prometheus/exposition_writer.h"
#include "core/prometheus/metric_handles.h"
#include "core/prometheus/metric_type.h"

namespace blockhealth::prometheus {

class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, MetricType type,
               std::vector<std::string> label_names);
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends HELP, TYPE and every series, series sorted by label values.
  void render(std::string& out) const;

 protected:
  virtual void render_series(std::string& out) const = 0;
  // Sets `labels` to the label names paired with `values` (same length),
  // then `extra` when it has a name (a histogram's "le").
  void bind_labels(std::span<const std::string> values, std::vector<LabelView>& labels,
                   LabelView extra = {}) const;

 private:
  std::string name_;
  std::string help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// The with/remove part shared by counter, gauge and histogram families.
template <typename Cell, typename Handle>
class SeriesFamily : public MetricFamily {
 public:
  using MetricFamily::MetricFamily;

  // The series with these label values (in label_names() order), created
  // at zero when new. REQUIRES: as many values as label names; otherwise
  // (a programming error) returns a detached handle and creates nothing.
  Handle with(std::initializer_list<std::string_view> label_values) {
    return with_key({label_values.begin(), label_values.end()});
  }
  Handle with(std::span<const std::string> label_values) {
    return with_key({label_values.begin(), label_values.end()});
  }

  // Drops the series (e.g. an instance gone after a reload): it is no
  // longer rendered, and a later with() starts it again from zero. Handles
  // to it stay safe to use. Returns whether it existed.
  bool remove(std::initializer_list<std::string_view> label_values) {
    return remove_key({label_values.begin(), label_values.end()});
  }
  bool remove(std::span<const std::string> label_values) {
    return remove_key({label_values.begin(), label_values.end()});
  }
  void clear() {
    std::lock_guard lock(mutex_);
    series_.clear();
  }
  std::size_t series_count() const {
    std::lock_guard lock(mutex_);
    return series_.size();
  }

 protected:
  virtual std::shared_ptr<Cell> make_cell() const = 0;

  // Calls f(const std::vector<std::string>& label_values, const Cell&) for
  // each series in label-value order, under the family's mutex.
  template <typename F>
  void for_each_series(F&& f) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, cell] : series_) f(values, *cell);
  }

 private:
  Handle with_key(std::vector<std::string> key) {
    if (key.size() != label_names().size()) return Handle();
    std::lock_guard lock(mutex_);
    auto [it, inserted] = series_.try_emplace(std::move(key));
    if (inserted) it->second = make_cell();
    return Handle(it->second);
  }
  bool remove_key(const std::vector<std::string>& key) {
    std::lock_guard lock(mutex_);
    return series_.erase(key) > 0;
  }

  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::shared_ptr<Cell>> series_;  // GUARDED_BY(mutex_)
};

class CounterFamily final : public SeriesFamily<detail::ValueCell, Counter> {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);

 private:
  std::shared_ptr<detail::ValueCell> make_cell() const override;
  void render_series(std::string& out) const override;
};

class GaugeFamily final : public SeriesFamily<detail::ValueCell, Gauge> {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);

 private:
  std::shared_ptr<detail::ValueCell> make_cell() const override;
  void render_series(std::string& out) const override;
};

// Renders name_bucket{...,le="b"} (cumulative, ending with le="+Inf"),
// name_sum and name_count. An observation racing with render() may show in
// the buckets and not yet in _sum; _count always equals the +Inf bucket.
class HistogramFamily final : public SeriesFamily<detail::HistogramCell, Histogram> {
 public:
  // REQUIRES: upper_bounds finite and strictly increasing (the registry checks).
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);
  const std::vector<double>& upper_bounds() const { return *bounds_; }

 private:
  std::shared_ptr<detail::HistogramCell> make_cell() const override;
  void render_series(std::string& out) const override;

  std::shared_ptr<const std::vector<double>> bounds_;
};

struct GaugeReading {
  std::vector<std::string> label_values;  // in label_names() order
  double value = 0;
};
// Appends the current readings to `out`. Called by render() on the
// rendering thread, never by two threads at once for one family; it must
// not call into the registry. Readings with the wrong number of label
// values are dropped, and of readings with equal label values only the
// first is kept.
using GaugeCallback = std::function<void(std::vector<GaugeReading>& out)>;

// A family whose series are computed at render time: a gauge, or (type
// kCounter) a counter kept elsewhere that the callback reads, such as the
// process's CPU seconds.
class CallbackGaugeFamily final : public MetricFamily {
 public:
  CallbackGaugeFamily(std::string name, std::string help, std::vector<std::string> label_names,
                      GaugeCallback callback, MetricType type = MetricType::kGauge);

 private:
  void render_series(std::string& out) const override;

  mutable std::mutex mutex_;  // serializes calls of callback_
  GaugeCallback callback_;
};

}  // namespace blockhealth::prometheus

#endif  // BLOCKHEALTH_CORE_PROMETHEUS_METRIC_FAMILIES_H
