// A C++ SDK policy in the richest shapes the SDK accepts: evaluate_batch
// (it compares a block's instances), kReentrant, a constructor that takes the
// host, and manage with a context. Loaded by sdk_harness_test.
//
// Every instance reports `load`; an instance whose load is more than
// `factor` times the block's mean is WARN ("outlier"), an instance without
// `load` is left UNKNOWN "not evaluated" by not touching its verdict.
#include <atomic>
#include <blockhealth/policy.hpp>
#include <cstddef>
#include <span>
#include <string>

namespace {

class SdkBatch {
 public:
  static constexpr bh::Descriptor kDescriptor{.name = "sdk_batch",
                                              .version = "0.3.0",
                                              .description =
                                                  "Flags instances far above their "
                                                  "block's mean load",
                                              .params_schema = nullptr};
  static constexpr bool kReentrant = true;

  SdkBatch(const bh::Json& params, const bh::Host& host) : factor_(params.number_or("factor", 2)) {
    host.info(bh::format("factor %g", factor_.load()));
  }

  void evaluate_batch(std::span<const bh::Instance> in, std::span<bh::Verdict> out,
                      const bh::Context& /*ctx*/) const {
    double sum = 0;
    std::size_t n = 0;
    for (const bh::Instance& i : in) {
      if (const auto s = i.sample("load")) {
        sum += s->value();
        ++n;
      }
    }
    if (n == 0) return;
    const double mean = sum / static_cast<double>(n);
    for (std::size_t k = 0; k < in.size(); ++k) {
      const auto s = in[k].sample("load");
      if (!s) continue;
      const double limit = mean * factor_.load();
      out[k] = s->value() > limit
                   ? bh::Verdict::warn("outlier").with_evidence("load", s->value(), limit)
                   : bh::Verdict::ok("in line");
    }
  }

  std::string manage(std::string_view action, const bh::Json& data, const bh::Context& ctx) {
    if (action == "set_factor") {
      factor_ = data.number_or("factor", factor_.load());
      return "{\"factor\":" + bh::number_to_string(factor_.load()) + "}";
    }
    if (action == "now") return "{\"now_ms\":" + std::to_string(ctx.now_ms()) + "}";
    if (action == "silent") return "";
    if (action == "not_json") return "factor=2";
    throw bh::Error("unknown action " + bh::Json::quote(action));
  }

 private:
  std::atomic<double> factor_;  // reentrant: manage may race with evaluate
};

}  // namespace

BH_POLICY(SdkBatch)
