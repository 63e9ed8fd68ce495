// The daemon's metrics registry: families, handles, rendering, and that the
// rendered text reads back through our parser and passes promtool.
#include "core/prometheus/metrics_registry.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/prometheus/exposition_parser.h"
#include "tests/support/test_paths.h"

namespace blockhealth::prometheus {
namespace {

std::string render(const MetricsRegistry& registry) {
  std::string out;
  registry.render(out);
  return out;
}

TEST(MetricsRegistry, RendersFamiliesInRegistrationOrder) {
  MetricsRegistry registry;
  CounterFamily& evals =
      *registry.add_counter("bh_evaluations_total", "Policy evaluations.", {"block", "policy"})
           .value();
  GaugeFamily& up = *registry.add_gauge("bh_up", "Whether the daemon runs.", {}).value();
  HistogramFamily& latency =
      *registry.add_histogram("bh_eval_seconds", "Evaluation time.", {"block"}, {0.1, 1}).value();

  evals.with({"b2", "temp"}).add(2);
  evals.with({"b1", "log"}).inc();
  up.with({}).set(1);
  const Histogram h = latency.with({"b1"});
  h.observe(0.1);  // upper bounds are inclusive
  h.observe(0.5);
  h.observe(7);

  EXPECT_EQ(render(registry),
            "# HELP bh_evaluations_total Policy evaluations.\n"
            "# TYPE bh_evaluations_total counter\n"
            "bh_evaluations_total{block=\"b1\",policy=\"log\"} 1\n"
            "bh_evaluations_total{block=\"b2\",policy=\"temp\"} 2\n"
            "# HELP bh_up Whether the daemon runs.\n"
            "# TYPE bh_up gauge\n"
            "bh_up 1\n"
            "# HELP bh_eval_seconds Evaluation time.\n"
            "# TYPE bh_eval_seconds histogram\n"
            "bh_eval_seconds_bucket{block=\"b1\",le=\"0.1\"} 1\n"
            "bh_eval_seconds_bucket{block=\"b1\",le=\"1\"} 2\n"
            "bh_eval_seconds_bucket{block=\"b1\",le=\"+Inf\"} 3\n"
            "bh_eval_seconds_sum{block=\"b1\"} 7.6\n"
            "bh_eval_seconds_count{block=\"b1\"} 3\n");
  EXPECT_EQ(h.count(), 3U);
  EXPECT_DOUBLE_EQ(h.sum(), 7.6);
}

TEST(MetricsRegistry, HandlesShareTheirSeries) {
  MetricsRegistry registry;
  GaugeFamily& g = *registry.add_gauge("g", "G.", {"a"}).value();
  const std::vector<std::string> values = {"x"};
  Gauge first = g.with({"x"});
  Gauge second = g.with(values);
  first.set(5);
  second.add(2.5);
  second.dec();
  second.sub(0.5);
  EXPECT_EQ(first.value(), 6);
  EXPECT_EQ(g.series_count(), 1U);
  first.set(NAN);
  EXPECT_NE(render(registry).find("g{a=\"x\"} NaN\n"), std::string::npos);
}

TEST(MetricsRegistry, CounterNeverGoesDown) {
  MetricsRegistry registry;
  Counter c = registry.add_counter("c_total", "C.", {}).value()->with({});
  c.add(3);
  c.add(-1);
  c.add(NAN);
  c.inc();
  EXPECT_EQ(c.value(), 4);
}

TEST(MetricsRegistry, RemovedSeriesIsNotRenderedAndRestartsFromZero) {
  MetricsRegistry registry;
  CounterFamily& f = *registry.add_counter("r_total", "R.", {"instance"}).value();
  Counter gone = f.with({"old"});
  gone.add(10);
  f.with({"kept"}).inc();
  EXPECT_TRUE(f.remove({"old"}));
  EXPECT_FALSE(f.remove({"old"}));
  gone.inc();  // still safe
  EXPECT_EQ(gone.value(), 11);
  const std::string text = render(registry);
  EXPECT_EQ(text.find("old"), std::string::npos) << text;
  EXPECT_NE(text.find("r_total{instance=\"kept\"} 1\n"), std::string::npos) << text;
  EXPECT_EQ(f.with({"old"}).value(), 0);
  f.clear();
  EXPECT_EQ(f.series_count(), 0U);
}

TEST(MetricsRegistry, WrongNumberOfLabelValuesGivesADetachedHandle) {
  MetricsRegistry registry;
  CounterFamily& f = *registry.add_counter("d_total", "D.", {"a", "b"}).value();
  Counter c = f.with({"only-one"});
  EXPECT_FALSE(c.attached());
  c.inc();
  EXPECT_EQ(c.value(), 0);
  EXPECT_EQ(f.series_count(), 0U);
  EXPECT_TRUE(f.with({"1", "2"}).attached());
  EXPECT_FALSE(Histogram().attached());
  Histogram().observe(1);  // detached: a no-op
}

TEST(MetricsRegistry, HandlesOutliveTheRegistry) {
  Counter c;
  {
    MetricsRegistry registry;
    c = registry.add_counter("o_total", "O.", {}).value()->with({});
  }
  c.inc();
  EXPECT_EQ(c.value(), 1);
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeAndNaNGoesToInf) {
  MetricsRegistry registry;
  HistogramFamily& f = *registry.add_histogram("h", "H.", {}, {-1, 0, 2.5, HUGE_VAL}).value();
  EXPECT_EQ(f.upper_bounds(), (std::vector<double>{-1, 0, 2.5}));  // +Inf dropped
  Histogram h = f.with({});
  for (double v : {-5.0, -1.0, 0.0, 0.5, 2.5, 3.0, std::nan("")}) h.observe(v);
  const std::string text = render(registry);
  EXPECT_NE(text.find("h_bucket{le=\"-1\"} 2\n"
                      "h_bucket{le=\"0\"} 3\n"
                      "h_bucket{le=\"2.5\"} 5\n"
                      "h_bucket{le=\"+Inf\"} 7\n"
                      "h_sum NaN\n"
                      "h_count 7\n"),
            std::string::npos)
      << text;
}

TEST(MetricsRegistry, RejectsBadRegistrations) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.add_counter("taken_total", "T.", {}).has_value());
  ASSERT_TRUE(registry.add_histogram("lat_seconds", "L.", {}, {}).has_value());
  const auto error = [](const auto& result) {
    return result.has_value() ? std::string("(no error)") : result.error().message;
  };
  EXPECT_EQ(error(registry.add_gauge("1bad", "", {})),
            "metric name \"1bad\" is not valid (expected [a-zA-Z_:][a-zA-Z0-9_:]*)");
  EXPECT_EQ(error(registry.add_gauge("g", "", {"a-b"})),
            "metric \"g\": label name \"a-b\" is not valid (expected [a-zA-Z_][a-zA-Z0-9_]*)");
  EXPECT_EQ(error(registry.add_gauge("g", "", {"__x"})),
            "metric \"g\": label name \"__x\" is reserved (\"__\" prefix)");
  EXPECT_EQ(error(registry.add_gauge("g", "", {"a", "b", "a"})),
            "metric \"g\": label name \"a\" given twice");
  EXPECT_EQ(error(registry.add_histogram("h", "", {"le"}, {1})),
            "metric \"h\": a histogram cannot have a label named \"le\"");
  EXPECT_EQ(error(registry.add_counter("taken_total", "", {})),
            "metric \"taken_total\": the name \"taken_total\" is already used by another "
            "metric family");
  EXPECT_EQ(error(registry.add_counter("lat_seconds_count", "", {})),
            "metric \"lat_seconds_count\": the name \"lat_seconds_count\" is already used by "
            "another metric family");
  EXPECT_EQ(error(registry.add_histogram("taken", "", {}, {1})),
            "(no error)");  // taken_bucket/_sum/_count are free
  EXPECT_EQ(error(registry.add_histogram("h", "", {}, {1, NAN})),
            "histogram \"h\": bucket bound 1 is not finite");
  EXPECT_EQ(error(registry.add_histogram("h", "", {}, {-HUGE_VAL, 1})),
            "histogram \"h\": bucket bound 0 is not finite");
  EXPECT_EQ(error(registry.add_histogram("h", "", {}, {1, 1})),
            "histogram \"h\": bucket bounds are not strictly increasing at index 1");
  EXPECT_EQ(error(registry.add_callback_gauge("", "", {}, {})),
            "metric name \"\" is not valid (expected [a-zA-Z_:][a-zA-Z0-9_:]*)");
  EXPECT_THROW(registry.add_gauge("bad name", "", {}).value(), ErrorException);
}

TEST(MetricsRegistry, CallbackGaugeIsComputedAtRenderTime) {
  MetricsRegistry registry;
  std::atomic<int> calls{0};
  ASSERT_TRUE(registry
                  .add_callback_gauge("instances", "Instances by status.", {"status"},
                                      [&](std::vector<GaugeReading>& out) {
                                        ++calls;
                                        out.push_back({{"ok"}, 3});
                                        out.push_back({{"critical"}, 1});
                                        out.push_back({{"ok"}, 99});     // duplicate: dropped
                                        out.push_back({{"a", "b"}, 5});  // wrong arity
                                      })
                  .has_value());
  EXPECT_EQ(render(registry),
            "# HELP instances Instances by status.\n"
            "# TYPE instances gauge\n"
            "instances{status=\"critical\"} 1\n"
            "instances{status=\"ok\"} 3\n");
  render(registry);
  EXPECT_EQ(calls.load(), 2);
}

// Updates from several threads while others render, add and remove series.
TEST(MetricsRegistry, ConcurrentUpdatesAreNotLost) {
  MetricsRegistry registry;
  CounterFamily& counters = *registry.add_counter("ticks_total", "T.", {"worker"}).value();
  HistogramFamily& hist = *registry.add_histogram("work_seconds", "W.", {}, {0.5}).value();
  GaugeFamily& churn = *registry.add_gauge("churn", "C.", {"id"}).value();
  const Counter shared = counters.with({"all"});
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::atomic<bool> done{false};
  std::thread renderer([&] {
    std::string out;
    while (!done.load()) {
      out.clear();
      registry.render(out);
      churn.with({std::to_string(out.size() % 7)}).inc();
      churn.remove({std::to_string(out.size() % 5)});
    }
  });
  std::vector<std::thread> workers;
  workers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      const Counter mine = counters.with({"w" + std::to_string(t)});
      const Histogram h = hist.with({});
      for (int i = 0; i < kIterations; ++i) {
        shared.inc();
        mine.inc();
        h.observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  done = true;
  renderer.join();
  EXPECT_EQ(shared.value(), kThreads * kIterations);
  EXPECT_EQ(counters.with({"w0"}).value(), kIterations);
  EXPECT_EQ(hist.with({}).count(), static_cast<std::uint64_t>(kThreads * kIterations));
  const std::string text = render(registry);
  EXPECT_NE(text.find("work_seconds_bucket{le=\"0.5\"} 40000\n"), std::string::npos) << text;
}

// A registry exercising every feature, with lint-clean names.
void fill(MetricsRegistry& registry) {
  CounterFamily& evals =
      *registry
           .add_counter("blockhealth_evaluations_total",
                        "Policy evaluations.\nBy block and policy.", {"block", "policy"})
           .value();
  evals.with({"gemma3-27b-block", "gpu_temperature"}).add(41);
  evals.with({"quote\"back\\slash\nnewline", "caf\xC3\xA9"}).inc();
  GaugeFamily& status =
      *registry.add_gauge("blockhealth_instance_healthy", "1 when healthy.", {"instance"}).value();
  status.with({"executor"}).set(1);
  status.with({"in-vkkv"}).set(NAN);
  status.with({"inf"}).set(-HUGE_VAL);
  registry.add_gauge("blockhealth_build_info", "Build information.", {}).value()->with({}).set(1);
  HistogramFamily& latency =
      *registry
           .add_histogram("blockhealth_evaluation_duration_seconds", "Evaluation duration.",
                          {"block"}, {0.001, 0.01, 0.1, 1})
           .value();
  for (double v : {0.0005, 0.002, 0.05, 0.05, 3.0}) latency.with({"gemma3-27b-block"}).observe(v);
  latency.with({"idle"});
  ASSERT_TRUE(registry
                  .add_callback_gauge("blockhealth_plugins_loaded", "Loaded plugins.", {},
                                      [](std::vector<GaugeReading>& out) {
                                        out.push_back({{}, 3});
                                      })
                  .has_value());
}

TEST(MetricsRegistry, RenderedTextParsesBackToTheSameValues) {
  MetricsRegistry registry;
  fill(registry);
  const std::string text = render(registry);
  auto parsed = parse_exposition(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message << "\n" << text;
  const ParsedExposition& p = *parsed;
  ASSERT_EQ(p.families.size(), 5U);
  EXPECT_EQ(p.families[0].type, MetricType::kCounter);
  EXPECT_EQ(p.families[0].help, "Policy evaluations.\nBy block and policy.");
  EXPECT_EQ(p.families[3].name, "blockhealth_evaluation_duration_seconds");
  EXPECT_EQ(p.families[3].type, MetricType::kHistogram);
  EXPECT_EQ(p.families[3].sample_count, 2U * (5 + 2));
  EXPECT_EQ(p.families[4].type, MetricType::kGauge);
  ASSERT_EQ(p.samples.size(), 2U + 3 + 1 + 14 + 1);

  EXPECT_EQ(p.samples[0].labels,
            (std::vector<Label>{{"block", "gemma3-27b-block"}, {"policy", "gpu_temperature"}}));
  EXPECT_EQ(p.samples[0].value, 41);
  EXPECT_EQ(p.samples[1].labels, (std::vector<Label>{{"block", "quote\"back\\slash\nnewline"},
                                                     {"policy", "caf\xC3\xA9"}}));
  EXPECT_EQ(p.samples[1].value, 1);
  EXPECT_EQ(p.samples[2].labels[0].value, "executor");
  EXPECT_EQ(p.samples[2].value, 1);
  EXPECT_TRUE(std::isnan(p.samples[3].value));  // sorted: executor, in-vkkv, inf
  EXPECT_EQ(p.samples[4].value, -HUGE_VAL);
  // gemma3 histogram: buckets 0.001, 0.01, 0.1, 1, +Inf, then _sum, _count.
  const std::vector<double> cumulative = {1, 2, 4, 4, 5};
  for (std::size_t i = 0; i < cumulative.size(); ++i) {
    EXPECT_EQ(p.samples[6 + i].name, "blockhealth_evaluation_duration_seconds_bucket");
    EXPECT_EQ(p.samples[6 + i].value, cumulative[i]) << i;
  }
  EXPECT_EQ(p.samples[10].labels.back(), (Label{"le", "+Inf"}));
  EXPECT_DOUBLE_EQ(p.samples[11].value, 3.1025);
  EXPECT_EQ(p.samples[12].value, 5);
  EXPECT_EQ(p.samples[19].value, 0);  // "idle": _count
  EXPECT_EQ(p.samples[20].name, "blockhealth_plugins_loaded");
  EXPECT_EQ(p.samples[20].value, 3);
}

TEST(MetricsRegistry, RenderedTextPassesPromtool) {
  const std::filesystem::path promtool =
      test::source_dir() / ".deps" / "prometheus" / "usr" / "bin" / "promtool";
  if (!std::filesystem::exists(promtool)) {
    GTEST_SKIP() << "promtool not found at " << promtool << "; cannot check the rendered text";
  }
  MetricsRegistry registry;
  fill(registry);
  const test::TempDir dir;
  const std::filesystem::path input = dir.write("metrics.prom", render(registry));
  const std::filesystem::path output = dir.path() / "promtool.out";
  const std::string command = "'" + promtool.string() + "' check metrics < '" + input.string() +
                              "' > '" + output.string() + "' 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "promtool said:\n"
                                    << test::read_file(output) << "\non:\n"
                                    << test::read_file(input);
}

}  // namespace
}  // namespace blockhealth::prometheus
