#include "core/prometheus/metric_families.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace blockhealth::prometheus {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help, MetricType type,
                           std::vector<std::string> label_names)
    : name_(std::move(name)),
      help_(std::move(help)),
      type_(type),
      label_names_(std::move(label_names)) {}

void MetricFamily::render(std::string& out) const {
  write_help(out, name_, help_);
  write_type(out, name_, type_);
  render_series(out);
}

void MetricFamily::bind_labels(std::span<const std::string> values, std::vector<LabelView>& labels,
                               LabelView extra) const {
  labels.clear();
  for (std::size_t i = 0; i < label_names_.size() && i < values.size(); ++i) {
    labels.push_back({label_names_[i], values[i]});
  }
  if (!extra.name.empty()) labels.push_back(extra);
}

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), MetricType::kCounter, std::move(label_names)) {
}

std::shared_ptr<detail::ValueCell> CounterFamily::make_cell() const {
  return std::make_shared<detail::ValueCell>();
}

void CounterFamily::render_series(std::string& out) const {
  std::vector<LabelView> labels;
  for_each_series([&](const std::vector<std::string>& values, const detail::ValueCell& cell) {
    bind_labels(values, labels);
    write_sample(out, name(), labels, cell.value.load(std::memory_order_relaxed));
  });
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : SeriesFamily(std::move(name), std::move(help), MetricType::kGauge, std::move(label_names)) {}

std::shared_ptr<detail::ValueCell> GaugeFamily::make_cell() const {
  return std::make_shared<detail::ValueCell>();
}

void GaugeFamily::render_series(std::string& out) const {
  std::vector<LabelView> labels;
  for_each_series([&](const std::vector<std::string>& values, const detail::ValueCell& cell) {
    bind_labels(values, labels);
    write_sample(out, name(), labels, cell.value.load(std::memory_order_relaxed));
  });
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : SeriesFamily(std::move(name), std::move(help), MetricType::kHistogram,
                   std::move(label_names)),
      bounds_(std::make_shared<const std::vector<double>>(std::move(upper_bounds))) {}

std::shared_ptr<detail::HistogramCell> HistogramFamily::make_cell() const {
  return std::make_shared<detail::HistogramCell>(bounds_);
}

void HistogramFamily::render_series(std::string& out) const {
  const std::string bucket_name = name() + "_bucket";
  const std::string sum_name = name() + "_sum";
  const std::string count_name = name() + "_count";
  std::vector<LabelView> labels;
  std::string le;
  for_each_series([&](const std::vector<std::string>& values, const detail::HistogramCell& cell) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < cell.counts.size(); ++i) {
      cumulative += cell.counts[i].load(std::memory_order_relaxed);
      le.clear();
      if (i < bounds_->size()) {
        append_double(le, (*bounds_)[i]);
      } else {
        append_double(le, kInf);
      }
      bind_labels(values, labels, {"le", le});
      write_sample(out, bucket_name, labels, static_cast<double>(cumulative));
    }
    bind_labels(values, labels);
    write_sample(out, sum_name, labels, cell.sum.load(std::memory_order_relaxed));
    write_sample(out, count_name, labels, static_cast<double>(cumulative));
  });
}

CallbackGaugeFamily::CallbackGaugeFamily(std::string name, std::string help,
                                         std::vector<std::string> label_names,
                                         GaugeCallback callback, MetricType type)
    : MetricFamily(std::move(name), std::move(help), type, std::move(label_names)),
      callback_(std::move(callback)) {}

void CallbackGaugeFamily::render_series(std::string& out) const {
  std::vector<GaugeReading> readings;
  {
    std::lock_guard lock(mutex_);
    if (callback_) callback_(readings);
  }
  std::erase_if(readings, [&](const GaugeReading& r) {
    return r.label_values.size() != label_names().size();
  });
  std::stable_sort(
      readings.begin(), readings.end(),
      [](const GaugeReading& a, const GaugeReading& b) { return a.label_values < b.label_values; });
  std::vector<LabelView> labels;
  const std::vector<std::string>* previous = nullptr;
  for (const GaugeReading& reading : readings) {
    if (previous != nullptr && *previous == reading.label_values) continue;
    previous = &reading.label_values;
    bind_labels(reading.label_values, labels);
    write_sample(out, name(), labels, reading.value);
  }
}

}  // namespace blockhealth::prometheus
