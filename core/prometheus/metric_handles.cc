#include "core/prometheus/metric_handles.h"

#include <algorithm>
#include <cmath>

namespace blockhealth::prometheus {

void Counter::add(double delta) const {
  if (cell_ == nullptr || !(delta >= 0)) return;
  cell_->value.fetch_add(delta, std::memory_order_relaxed);
}

double Counter::value() const {
  return cell_ == nullptr ? 0 : cell_->value.load(std::memory_order_relaxed);
}

void Gauge::set(double value) const {
  if (cell_ != nullptr) cell_->value.store(value, std::memory_order_relaxed);
}

void Gauge::add(double delta) const {
  if (cell_ != nullptr) cell_->value.fetch_add(delta, std::memory_order_relaxed);
}

double Gauge::value() const {
  return cell_ == nullptr ? 0 : cell_->value.load(std::memory_order_relaxed);
}

void Histogram::observe(double value) const {
  if (cell_ == nullptr) return;
  const std::vector<double>& bounds = *cell_->bounds;
  const std::size_t bucket =
      std::isnan(value)
          ? bounds.size()
          : static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) -
                                     bounds.begin());
  cell_->counts[bucket].fetch_add(1, std::memory_order_relaxed);
  cell_->sum.fetch_add(value, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
  if (cell_ == nullptr) return 0;
  std::uint64_t total = 0;
  for (const auto& c : cell_->counts) total += c.load(std::memory_order_relaxed);
  return total;
}

double Histogram::sum() const {
  return cell_ == nullptr ? 0 : cell_->sum.load(std::memory_order_relaxed);
}

}  // namespace blockhealth::prometheus
