// metric_threshold: checks without code. Named rules select series with a
// PromQL-style selector, reduce them per instance (max, min, avg, sum,
// count, last; a ratio of two reductions; the rate of a counter), and
// compare with fixed limits or with limits relative to the block's other
// instances (`> 1.5 * median`, `> median + 3 * mad`). The instance's
// verdict is the worst rule's; the reason and evidence name the rule, the
// series, the value and the limit. See docs/policies.md.
#include <blockhealth/policy.hpp>
#include <span>
#include <vector>

#include "metric_threshold_schema.h"  // BH_PARAMS_SCHEMA, from metric_threshold.schema.json
#include "plugins/metric_threshold/rule.h"

namespace blockhealth::policies::metric_threshold {
namespace {

int rank(bh::Status s) {
  switch (s) {
    case bh::Status::kOk:
      return 0;
    case bh::Status::kWarn:
      return 1;
    case bh::Status::kUnknown:
      return 2;
    case bh::Status::kCritical:
      return 3;
  }
  return 2;
}

class MetricThresholdPolicy {
 public:
  static constexpr bh::Descriptor kDescriptor{
      .name = "metric_threshold",
      .version = "1.0.0",
      .description =
          "named rules over the instance's metrics: select, reduce, compare with fixed "
          "limits or with the block's peers",
      .params_schema = BH_PARAMS_SCHEMA};
  static constexpr std::uint32_t kInputs = BH_INPUT_SAMPLES;
  // Peer limits compare an instance with the block's others: see them all.
  static constexpr bool kWholeBlock = true;

  MetricThresholdPolicy(const bh::Json& params, const bh::Host& /*host*/) {
    const bh::Json* rules = params.find("rules");
    if (rules == nullptr || !rules->is_array() || rules->as_array().empty()) {
      throw bh::Error("rules: give at least one rule");
    }
    for (std::size_t i = 0; i < rules->as_array().size(); ++i) {
      rules_.emplace_back(rules->as_array()[i], i);
    }
  }

  void evaluate_batch(std::span<const bh::Instance> in, std::span<bh::Verdict> out,
                      const bh::Context& ctx) {
    std::vector<bh::Verdict> worst(in.size(), bh::Verdict::ok());
    std::vector<bool> any(in.size(), false);
    for (Rule& rule : rules_) {
      std::vector<RuleValue> values;
      values.reserve(in.size());
      std::vector<double> present;
      for (const bh::Instance& i : in) {
        values.push_back(rule.value_of(i, ctx.now_ms()));
        if (values.back().value) present.push_back(*values.back().value);
      }
      const PeerStats peers = rule.uses_peers() ? peer_stats(present) : PeerStats{};
      for (std::size_t i = 0; i < in.size(); ++i) {
        bh::Verdict v = rule.judge(values[i], peers);
        if (!any[i] || rank(v.status) > rank(worst[i].status)) worst[i] = std::move(v);
        any[i] = true;
      }
      if (ctx.should_stop()) break;
    }
    for (std::size_t i = 0; i < in.size(); ++i) out[i] = std::move(worst[i]);
  }

 private:
  std::vector<Rule> rules_;
};

}  // namespace
}  // namespace blockhealth::policies::metric_threshold

BH_POLICY(blockhealth::policies::metric_threshold::MetricThresholdPolicy)
