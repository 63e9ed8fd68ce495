#include "core/prometheus/metrics_registry.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/prometheus/names.h"

namespace blockhealth::prometheus {

namespace {

// The sample names a family of this type renders.
std::vector<std::string> rendered_names(std::string_view name, MetricType type) {
  std::vector<std::string> names;
  if (type == MetricType::kHistogram) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      names.push_back(std::string(name) + std::string(suffix));
    }
  } else {
    names.emplace_back(name);
  }
  return names;
}

Result<void> check_bounds(std::string_view name, std::vector<double>& upper_bounds) {
  if (!upper_bounds.empty() && std::isinf(upper_bounds.back()) && upper_bounds.back() > 0) {
    upper_bounds.pop_back();
  }
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i])) {
      return fail("histogram \"" + std::string(name) + "\": bucket bound " + std::to_string(i) +
                  " is not finite");
    }
    if (i > 0 && !(upper_bounds[i - 1] < upper_bounds[i])) {
      return fail("histogram \"" + std::string(name) + "\": bucket bounds are not strictly " +
                  "increasing at index " + std::to_string(i));
    }
  }
  return {};
}

}  // namespace

Result<void> MetricsRegistry::check_new(std::string_view name,
                                        const std::vector<std::string>& label_names,
                                        MetricType type) const {
  // "metric \"<name>\": <a><b><c>"
  const auto problem = [&](std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    std::string message = "metric \"";
    message.append(name).append("\": ").append(a).append(b).append(c);
    return fail(std::move(message));
  };
  if (!is_valid_metric_name(name)) {
    std::string message = "metric name \"";
    message.append(name).append("\" is not valid (expected [a-zA-Z_:][a-zA-Z0-9_:]*)");
    return fail(std::move(message));
  }
  for (std::size_t i = 0; i < label_names.size(); ++i) {
    const std::string& label = label_names[i];
    if (!is_valid_label_name(label)) {
      return problem("label name \"", label, "\" is not valid (expected [a-zA-Z_][a-zA-Z0-9_]*)");
    }
    if (is_reserved_label_name(label)) {
      return problem("label name \"", label, "\" is reserved (\"__\" prefix)");
    }
    if (type == MetricType::kHistogram && label == "le") {
      return problem("a histogram cannot have a label named \"le\"");
    }
    const auto before = label_names.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(label_names.begin(), before, label) != before) {
      return problem("label name \"", label, "\" given twice");
    }
  }
  for (const std::string& rendered : rendered_names(name, type)) {
    if (rendered_names_.contains(rendered)) {
      return problem("the name \"", rendered, "\" is already used by another metric family");
    }
  }
  return {};
}

template <typename Family>
Family* MetricsRegistry::add(std::unique_ptr<Family> family) {
  for (std::string& rendered : rendered_names(family->name(), family->type())) {
    rendered_names_.insert(std::move(rendered));
  }
  Family* raw = family.get();
  families_.push_back(std::move(family));
  return raw;
}

Result<CounterFamily*> MetricsRegistry::add_counter(std::string name, std::string help,
                                                    std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::kCounter); !ok) return ok.error();
  return add(
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)));
}

Result<GaugeFamily*> MetricsRegistry::add_gauge(std::string name, std::string help,
                                                std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::kGauge); !ok) return ok.error();
  return add(
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names)));
}

Result<HistogramFamily*> MetricsRegistry::add_histogram(std::string name, std::string help,
                                                        std::vector<std::string> label_names,
                                                        std::vector<double> upper_bounds) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::kHistogram); !ok) return ok.error();
  if (auto ok = check_bounds(name, upper_bounds); !ok) return ok.error();
  return add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names), std::move(upper_bounds)));
}

Result<CallbackGaugeFamily*> MetricsRegistry::add_callback_gauge(
    std::string name, std::string help, std::vector<std::string> label_names,
    GaugeCallback callback) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::kGauge); !ok) return ok.error();
  return add(std::make_unique<CallbackGaugeFamily>(std::move(name), std::move(help),
                                                   std::move(label_names), std::move(callback)));
}

Result<CallbackGaugeFamily*> MetricsRegistry::add_callback_counter(
    std::string name, std::string help, std::vector<std::string> label_names,
    GaugeCallback callback) {
  std::lock_guard lock(mutex_);
  if (auto ok = check_new(name, label_names, MetricType::kCounter); !ok) return ok.error();
  return add(std::make_unique<CallbackGaugeFamily>(std::move(name), std::move(help),
                                                   std::move(label_names), std::move(callback),
                                                   MetricType::kCounter));
}

void MetricsRegistry::render(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) family->render(out);
}

}  // namespace blockhealth::prometheus
