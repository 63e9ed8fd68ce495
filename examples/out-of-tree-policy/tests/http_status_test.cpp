// Offline tests of http_status.so (a C policy), through the same C++ harness.
#include <blockhealth/testing.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                 \
    }                                                                               \
  } while (0)

namespace {

using bh::Status;
namespace bt = bh::testing;

bt::Observations probed(std::int32_t outcome, std::int32_t http_status, std::int64_t latency_us,
                        std::string error = "") {
  bt::Observations o;
  o.instance_id = "executor";
  o.probe = bt::Probe{};
  o.probe->outcome = outcome;
  o.probe->http_status = http_status;
  o.probe->latency_us = latency_us;
  o.probe->error = std::move(error);
  o.probe->body = R"({"status": "ok"})";
  return o;
}

}  // namespace

int main() try {
  const bt::Plugin plugin = bt::Plugin::load(BH_POLICY_FILE_http_status);
  CHECK(plugin.name() == "http_status");
  CHECK(!plugin.has_manage());
  CHECK(plugin.params_schema().find("expect_status") != std::string::npos);

  bt::PolicyUnderTest policy(plugin, R"({"slow_ms": 250})");

  const bh::Verdict ok = policy.evaluate_one(probed(BH_PROBE_RESPONSE, 200, 12'000));
  CHECK(ok.status == Status::kOk);
  CHECK(ok.reason == "GET http://127.0.0.1:18001/health answered 200 in 12 ms");

  const bh::Verdict slow = policy.evaluate_one(probed(BH_PROBE_RESPONSE, 200, 900'000));
  CHECK(slow.status == Status::kWarn);
  CHECK(slow.evidence && slow.evidence->observed == 900 && slow.evidence->limit == 250);

  const bh::Verdict error = policy.evaluate_one(probed(BH_PROBE_RESPONSE, 503, 1'000));
  CHECK(error.status == Status::kCritical);
  CHECK(error.reason == "GET http://127.0.0.1:18001/health answered 503, expected 200");

  const bh::Verdict refused =
      policy.evaluate_one(probed(BH_PROBE_REFUSED, 0, 50, "connection refused"));
  CHECK(refused.status == Status::kCritical);
  CHECK(refused.reason == "GET http://127.0.0.1:18001/health failed: connection refused");

  bt::Observations no_probe;
  CHECK(policy.evaluate_one(no_probe).status == Status::kUnknown);

  CHECK(bt::create_error(plugin, R"({"slow_ms": 0})").find("slow_ms must be greater than 0") !=
        std::string::npos);
  CHECK(bt::create_error(plugin, R"({"expect_status": "200"})")
            .find("expect_status and slow_ms must be numbers") != std::string::npos);

  std::puts("http_status: all checks passed");
  return 0;
} catch (const std::exception& e) {  // e.g. bh::Error from the harness
  std::fprintf(stderr, "FAILED: %s\n", e.what());
  return 1;
}
