#include "core/policy_cases/case_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/config/config_problem.h"
#include "core/config/duration.h"
#include "core/config/yaml_reader.h"
#include "core/prometheus/exposition_parser.h"

namespace blockhealth {
namespace {

constexpr std::size_t kMaxSteps = 100'000;
constexpr std::chrono::milliseconds kMinCaseInterval{100};
constexpr std::chrono::milliseconds kMaxCaseInterval{24LL * 3600 * 1000};

std::optional<double> number(std::string_view token) {
  if (token == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (token == "Inf" || token == "+Inf") return std::numeric_limits<double>::infinity();
  if (token == "-Inf") return -std::numeric_limits<double>::infinity();
  double v = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || end != token.data() + token.size()) return std::nullopt;
  return v;
}

// "at:" of an expectation, a log line or a probe: a duration from the start.
std::optional<std::int64_t> read_at(const MapReader& r) {
  const auto at = r.duration("at", std::chrono::milliseconds(0), std::chrono::hours(24 * 365));
  if (!at && !r.has("at")) r.report_missing("at", " (when, from the start: 0s, 30s, 2m)");
  return at ? std::optional<std::int64_t>(at->count()) : std::nullopt;
}

void note_instance(CaseTest& t, const std::string& id) {
  if (std::find(t.instances.begin(), t.instances.end(), id) == t.instances.end()) {
    t.instances.push_back(id);
  }
}

void read_series(const YAML::Node& map, const std::string& where, CaseTest& test,
                 ProblemList& problems) {
  for (const auto& per_instance : map) {
    const std::string id = per_instance.first.Scalar();
    note_instance(test, id);
    if (!per_instance.second.IsMap()) {
      problems.add(per_instance.second.Mark(),
                   where + ": series: " + id + ": expected a map of series to values");
      continue;
    }
    for (const auto& s : per_instance.second) {
      const std::string spec = s.first.Scalar();
      auto parsed = prometheus::parse_exposition(spec + " 0\n");
      if (!parsed || parsed->samples.size() != 1) {
        problems.add(s.first.Mark(), where + ": series '" + spec +
                                         "': expected a series like name{label=\"v\"}" +
                                         (parsed ? "" : ": " + parsed.error().message));
        continue;
      }
      auto values = expand_values(s.second.IsScalar() ? s.second.Scalar() : "");
      if (!values) {
        problems.add(s.second.Mark(), where + ": series '" + spec + "': " + values.error().message);
        continue;
      }
      test.series[id].push_back(
          {parsed->samples[0].name, std::move(parsed->samples[0].labels), std::move(*values)});
    }
  }
}

std::optional<CaseTest> read_test(const YAML::Node& item, int index, ProblemList& problems) {
  const std::string where = "tests[" + std::to_string(index) + "]";
  if (!item.IsMap()) {
    problems.add(item.Mark(), where + ": expected a map with name, series and expect");
    return std::nullopt;
  }
  const MapReader r(item, to_source_mark(item.Mark()), where,
                    {"name", "series", "logs", "probes", "expect"}, problems);
  CaseTest t;
  t.name = r.string("name").value_or(where);
  if (auto s = r.map("series")) read_series(*s, where, t, problems);
  if (auto logs = r.map("logs")) {
    for (const auto& per_instance : *logs) {
      const std::string id = per_instance.first.Scalar();
      note_instance(t, id);
      for (const YAML::Node& l : per_instance.second) {
        const MapReader lr(l, to_source_mark(l.Mark()), where + ": logs: " + id, {"at", "line"},
                           problems);
        const auto at = read_at(lr);
        const auto line = lr.string("line");
        if (at && line) t.logs[id].push_back({*at, *line});
      }
    }
  }
  if (auto probes = r.map("probes")) {
    for (const auto& per_instance : *probes) {
      const std::string id = per_instance.first.Scalar();
      note_instance(t, id);
      for (const YAML::Node& p : per_instance.second) {
        const MapReader pr(p, to_source_mark(p.Mark()), where + ": probes: " + id,
                           {"at", "status", "body"}, problems);
        const auto at = read_at(pr);
        const auto status = pr.integer("status", 0, 599);
        if (at) {
          t.probes[id].push_back(
              {*at, static_cast<int>(status.value_or(0)), pr.string("body").value_or("")});
        }
      }
    }
  }
  if (auto expect = r.list("expect")) {
    for (const YAML::Node& e : *expect) {
      const MapReader er(e, to_source_mark(e.Mark()), where + ": expect",
                         {"at", "instance", "status", "reason"}, problems);
      CaseExpectation x;
      x.line = static_cast<int>(e.Mark().line) + 1;
      const auto at = read_at(er);
      const auto instance = er.string("instance");
      const auto status = er.string("status");
      if (!instance) er.report_missing("instance");
      std::optional<Status> s;
      if (status) {
        s = status_from_string(*status == "warn"       ? "degraded"
                               : *status == "critical" ? "unhealthy"
                                                       : *status);
        if (!s) {
          er.report(*er.get("status"),
                    "expected ok, degraded (warn), unhealthy (critical) or "
                    "unknown, got '" +
                        *status + "'");
        }
      } else {
        er.report_missing("status");
      }
      if (!at || !instance || !s) continue;
      x.at_ms = *at;
      x.instance = *instance;
      x.status = *s;
      x.reason = er.string("reason").value_or("");
      note_instance(t, x.instance);
      t.expect.push_back(std::move(x));
    }
  }
  if (t.expect.empty() && !r.has("expect")) {
    r.report_missing("expect",
                     " (the statuses expected, e.g. [{at: 30s, instance: a, "
                     "status: unhealthy}])");
  }
  std::stable_sort(
      t.expect.begin(), t.expect.end(),
      [](const CaseExpectation& a, const CaseExpectation& b) { return a.at_ms < b.at_ms; });
  return t;
}

}  // namespace

Result<std::vector<std::optional<double>>> expand_values(std::string_view text) {
  std::vector<std::optional<double>> out;
  std::istringstream in{std::string(text)};
  for (std::string token; in >> token;) {
    std::size_t repeat = 0;
    std::optional<double> start;
    std::optional<double> step;
    const auto x = token.find('x');
    const std::string head = x == std::string::npos ? token : token.substr(0, x);
    if (x != std::string::npos) {
      const std::string count = token.substr(x + 1);
      const auto [end, ec] = std::from_chars(count.data(), count.data() + count.size(), repeat);
      if (ec != std::errc() || end != count.data() + count.size()) {
        return fail("value '" + token + "': expected a count after 'x'");
      }
    }
    if (head == "_") {
      for (std::size_t i = 0; i <= repeat; ++i) out.emplace_back(std::nullopt);
    } else {
      // "a+b" or "a-b" (the sign after the first character), or "a".
      const auto sign = head.find_first_of("+-", 1);
      const bool exponent =
          sign != std::string::npos && (head[sign - 1] == 'e' || head[sign - 1] == 'E');
      if (sign != std::string::npos && !exponent) {
        start = number(std::string_view(head).substr(0, sign));
        step = number(std::string_view(head).substr(sign + 1));
        if (step && head[sign] == '-') step = -*step;
      } else {
        start = number(head);
        step = 0;
      }
      if (!start || !step) {
        return fail("value '" + token + "': expected a number, NaN, Inf, _, a+bxN or a-bxN");
      }
      for (std::size_t i = 0; i <= repeat; ++i)
        out.emplace_back(*start + *step * static_cast<double>(i));
    }
    if (out.size() > kMaxSteps) return fail("more than " + std::to_string(kMaxSteps) + " values");
  }
  if (out.empty()) return fail("expected values like '1 2 3' or '0+1x10'");
  return out;
}

Result<CaseFile> read_case_file(const std::string& text, const std::string& file,
                                const std::filesystem::path& base_dir) {
  ProblemList problems(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    problems.add(e.mark, "YAML syntax error: " + e.msg);
    return problems_to_error(problems.sorted());
  }
  if (!root.IsMap()) {
    problems.add(root.Mark(), "expected a map with policy, with and tests");
    return problems_to_error(problems.sorted());
  }
  const MapReader r(
      root, to_source_mark(root.Mark()), "",
      {"policy", "with", "interval", "unhealthy_after", "healthy_after", "degraded_after", "tests"},
      problems);
  CaseFile out;
  if (auto policy = r.string("policy")) {
    out.policy = policy->find('/') != std::string::npos || policy->ends_with(".so")
                     ? (base_dir / *policy).lexically_normal().string()
                     : *policy;
  } else if (!r.has("policy")) {
    r.report_missing("policy", " (a built-in policy's name, or the path of a .so)");
  }
  if (auto with = r.get("with")) {
    out.with = with->value;
    check_duplicate_keys(out.with, "with", problems);
  }
  if (auto i = r.duration("interval", kMinCaseInterval, kMaxCaseInterval)) out.interval = *i;
  if (auto v = r.integer("unhealthy_after", 1, 100))
    out.thresholds.unhealthy_after = static_cast<int>(*v);
  if (auto v = r.integer("healthy_after", 1, 100))
    out.thresholds.healthy_after = static_cast<int>(*v);
  if (auto v = r.integer("degraded_after", 1, 100))
    out.thresholds.degraded_after = static_cast<int>(*v);
  if (auto tests = r.list("tests")) {
    int index = 0;
    for (const YAML::Node& t : *tests) {
      if (auto test = read_test(t, index++, problems)) out.tests.push_back(std::move(*test));
    }
  } else if (!r.has("tests")) {
    r.report_missing("tests");
  }
  if (!problems.empty()) return problems_to_error(problems.sorted());
  return out;
}

}  // namespace blockhealth
