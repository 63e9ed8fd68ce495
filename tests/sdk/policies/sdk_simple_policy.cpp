// A minimal C++ SDK policy in the shortest shapes the SDK accepts: a
// constructor from params only, evaluate(const bh::Instance&) without a
// context, no manage. Loaded by sdk_harness_test.
//
// with: {metric: "...", limit: N, keep_labels: ["gpu"], max_age: "30s"}
// Judges the largest sample of `metric`: CRITICAL above `limit`, UNKNOWN when
// absent or older than max_age; evaluating an instance that has a "boom"
// sample throws (the SDK must turn that into a failed call).
#include <blockhealth/policy.hpp>
#include <string>
#include <vector>

namespace {

class SdkSimple {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "sdk_simple",
      .version = "2.0.0",
      .description = "Largest sample of a metric against a limit",
      .params_schema = R"({"type": "object", "required": ["metric", "limit"]})"};

  explicit SdkSimple(const bh::Json& params)
      : metric_(params.string_or("metric", "")),
        limit_(params.number_or("limit", 0)),
        keep_labels_(params.strings_or_empty("keep_labels")),
        max_age_ms_(bh::duration_ms_or(params, "max_age", 30'000)) {
    if (metric_.empty()) throw bh::Error("metric must not be empty");
  }

  bh::Verdict evaluate(const bh::Instance& in) const {
    if (in.sample("boom")) throw std::runtime_error("boom sample on " + std::string(in.id()));
    std::optional<bh::Sample> top;
    for (const bh::Sample& s : in.samples_named(metric_)) {
      if (!top || s.value() > top->value()) top = s;
    }
    if (!top) return bh::Verdict::unknown("no " + metric_);
    if (in.last_seen_ms() - top->timestamp_ms() > max_age_ms_) {
      return bh::Verdict::unknown(bh::format("%s is stale", metric_.c_str()));
    }
    std::string series = top->series();
    if (keep_labels_.size() == 1) series = top->series({keep_labels_[0]});
    if (top->value() > limit_) {
      return bh::Verdict::critical(series + " = " + bh::number_to_string(top->value()))
          .with_evidence(series, top->value(), limit_);
    }
    return bh::Verdict::ok(series + " = " + bh::number_to_string(top->value()));
  }

 private:
  std::string metric_;
  double limit_;
  std::vector<std::string> keep_labels_;
  std::int64_t max_age_ms_;
};

}  // namespace

BH_POLICY(SdkSimple)
