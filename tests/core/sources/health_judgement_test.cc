#include "core/sources/health_judgement.h"

#include <blockhealth/policy_abi.h>
#include <gtest/gtest.h>

#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

const std::string kUrl = "http://10.0.0.5:18001/health";

ProbeResult response(int status, std::string body) {
  ProbeResult p;
  p.outcome = BH_PROBE_RESPONSE;
  p.http_status = status;
  p.url = kUrl;
  p.body = std::move(body);
  return p;
}

ProbeResult failure(std::int32_t outcome, std::string error) {
  ProbeResult p;
  p.outcome = outcome;
  p.url = kUrl;
  p.error = std::move(error);
  return p;
}

TEST(JudgeHealthProbe, NoProbeYetIsUnknown) {
  const PolicyVerdict v = judge_health_probe(failure(BH_PROBE_NONE, ""));
  EXPECT_EQ(v.status, Status::kUnknown);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": no probe yet");
}

TEST(JudgeHealthProbe, EveryTransportFailureIsUnhealthyWithItsError) {
  const std::pair<std::int32_t, std::string> cases[] = {
      {BH_PROBE_REFUSED, "connection refused"},
      {BH_PROBE_DNS, "name did not resolve"},
      {BH_PROBE_TIMEOUT, "timeout after 2s"},
      {BH_PROBE_PROTOCOL, "connection reset"},
      {BH_PROBE_PROTOCOL, "response body over 64KiB limit"},
      {BH_PROBE_PROTOCOL, "malformed HTTP response: bad version"},
      {BH_PROBE_TLS, "certificate expired"},
      {BH_PROBE_OTHER_ERROR, "network unreachable"},
  };
  for (const auto& [outcome, error] : cases) {
    const PolicyVerdict v = judge_health_probe(failure(outcome, error));
    EXPECT_EQ(v.status, Status::kUnhealthy) << error;
    EXPECT_EQ(v.reason, "GET " + kUrl + ": " + error);
  }
}

TEST(JudgeHealthProbe, TheIssueExampleReason) {
  EXPECT_EQ(judge_health_probe(failure(BH_PROBE_TIMEOUT, "timeout after 2s")).reason,
            "GET http://10.0.0.5:18001/health: timeout after 2s");
}

TEST(JudgeHealthProbe, FailureWithoutErrorTextStillSaysWhich) {
  EXPECT_EQ(judge_health_probe(failure(BH_PROBE_REFUSED, "")).reason,
            "GET " + kUrl + ": connection refused");
  EXPECT_EQ(judge_health_probe(failure(BH_PROBE_TIMEOUT, "")).reason, "GET " + kUrl + ": timeout");
  EXPECT_EQ(judge_health_probe(failure(99, "")).status, Status::kUnhealthy);
}

TEST(JudgeHealthProbe, Non2xxIsUnhealthyWithStatusAndBody) {
  PolicyVerdict v = judge_health_probe(response(503, "model still loading\n"));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 503 Service Unavailable: model still loading");

  v = judge_health_probe(response(404, ""));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 404 Not Found");

  v = judge_health_probe(response(302, ""));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 302 Found");

  v = judge_health_probe(response(199, ""));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 199");
}

TEST(JudgeHealthProbe, HealthyJsonIsOk) {
  PolicyVerdict v = judge_health_probe(response(200, R"({"status":"healthy"})"));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, status \"healthy\"");
  for (const char* word : {"ok", "OK", "Up", "pass", "passing", "SERVING", "Healthy"}) {
    v = judge_health_probe(response(200, std::string(R"({"status":")") + word + R"("})"));
    EXPECT_EQ(v.status, Status::kOk) << word;
  }
  EXPECT_EQ(judge_health_probe(response(200, R"({"status":true})")).status, Status::kOk);
}

TEST(JudgeHealthProbe, UnhealthyJsonStatusIsUnhealthyWithTheBody) {
  const std::string body = R"({"status":"unhealthy","detail":"CUDA error"})";
  const PolicyVerdict v = judge_health_probe(response(200, body));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK but status is \"unhealthy\": " + body);
}

TEST(JudgeHealthProbe, AnyOtherStatusValueIsUnhealthy) {
  for (const char* body :
       {R"({"status":"degraded"})", R"({"status":"starting"})", R"({"status":""})",
        R"({"status":false})", R"({"status":null})", R"({"status":1})"}) {
    const PolicyVerdict v = judge_health_probe(response(200, body));
    EXPECT_EQ(v.status, Status::kUnhealthy) << body;
    EXPECT_TRUE(v.reason.starts_with("GET " + kUrl + ": HTTP 200 OK but status is ")) << v.reason;
    EXPECT_NE(v.reason.find(body), std::string::npos) << v.reason;
  }
}

TEST(JudgeHealthProbe, AiosHealthyMember) {
  EXPECT_EQ(judge_health_probe(response(200, R"({"healthy":true})")).status, Status::kOk);
  const PolicyVerdict v = judge_health_probe(response(200, R"({"healthy":false})"));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_EQ(v.reason, "GET " + kUrl + R"(: HTTP 200 OK but healthy is false: {"healthy":false})");
}

// The AIOS instance envelope, judged as AIOS's block health checker does
// (fixtures from the aios_instance SDK's answers).
TEST(JudgeHealthProbe, AiosEnvelopeHealthyOnlyWithSuccessAndDataStatusHealthy) {
  PolicyVerdict v =
      judge_health_probe(response(200, test::read_fixture("aios-instance-health-ok.json")));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, success true, data.status \"healthy\"");

  const std::string unreachable = test::read_fixture("aios-instance-health-unreachable.json");
  v = judge_health_probe(response(200, unreachable));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_TRUE(
      v.reason.starts_with("GET " + kUrl + ": HTTP 200 OK but data.status is \"unreachable\": "))
      << v.reason;

  v = judge_health_probe(
      response(200, test::read_fixture("aios-instance-health-sdk-example.json")));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_NE(v.reason.find("data has no status"), std::string::npos) << v.reason;

  v = judge_health_probe(response(500, test::read_fixture("aios-instance-health-failed.json")));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  EXPECT_NE(v.reason.find("HTTP 500"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("CUDA error"), std::string::npos) << v.reason;
}

TEST(JudgeHealthProbe, AiosEnvelopeSuccessIsPythonTruthAndStatusIsExact) {
  for (const char* body : {R"({"success":false,"data":{"status":"healthy"}})",
                           R"({"success":null,"data":{"status":"healthy"}})",
                           R"({"success":0,"data":{"status":"healthy"}})",
                           R"({"success":"","data":{"status":"healthy"}})"}) {
    const PolicyVerdict v = judge_health_probe(response(200, body));
    EXPECT_EQ(v.status, Status::kUnhealthy) << body;
    EXPECT_NE(v.reason.find("but success is "), std::string::npos) << v.reason;
  }
  for (const char* body : {R"({"success":1,"data":{"status":"healthy"}})",
                           R"({"success":"yes","data":{"status":"healthy"}})"}) {
    EXPECT_EQ(judge_health_probe(response(200, body)).status, Status::kOk) << body;
  }
  // AIOS compares data.status with == "healthy": no other word, no other case;
  // a top-level status does not count once the envelope is there.
  for (const char* body :
       {R"({"success":true,"data":{"status":"ok"}})",
        R"({"success":true,"data":{"status":"Healthy"}})",
        R"({"success":true,"data":{"status":true}})", R"({"success":true,"status":"healthy"})",
        R"({"success":true,"data":"healthy"})", R"({"success":true,"data":null})"}) {
    const PolicyVerdict v = judge_health_probe(response(200, body));
    EXPECT_EQ(v.status, Status::kUnhealthy) << body;
    EXPECT_NE(v.reason.find(body), std::string::npos) << v.reason;
  }
}

TEST(JudgeHealthProbe, NonJsonOrUncheckableBodiesAreOkButNoted) {
  PolicyVerdict v = judge_health_probe(response(200, "OK"));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, body is not JSON (not checked)");

  v = judge_health_probe(response(200, ""));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, empty body");

  v = judge_health_probe(response(204, ""));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 204 No Content, empty body");

  v = judge_health_probe(response(200, R"(["healthy"])"));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, JSON body is not an object (not checked)");

  v = judge_health_probe(response(200, R"({"uptime":12})"));
  EXPECT_EQ(v.status, Status::kOk);
  EXPECT_EQ(v.reason, "GET " + kUrl + ": HTTP 200 OK, JSON without a status (not checked)");
}

TEST(JudgeHealthProbe, BodyTextInReasonsIsCutAndMadeValidUtf8) {
  const std::string body = "\xff\xfe" + std::string(10'000, 'e');
  const PolicyVerdict v = judge_health_probe(response(500, body));
  EXPECT_EQ(v.status, Status::kUnhealthy);
  const std::string prefix = "GET " + kUrl + ": HTTP 500 Internal Server Error: ";
  ASSERT_TRUE(v.reason.starts_with(prefix)) << v.reason;
  EXPECT_LE(v.reason.size(), prefix.size() + 256);
  EXPECT_TRUE(v.reason.ends_with("…"));
  EXPECT_NE(v.reason.find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD for the bad bytes

  const std::string unhealthy =
      R"({"status":"unhealthy","log":")" + std::string(5'000, 'x') + "\"}";
  const PolicyVerdict u = judge_health_probe(response(200, unhealthy));
  EXPECT_EQ(u.status, Status::kUnhealthy);
  EXPECT_LT(u.reason.size(), 600u);
}

TEST(IsHealthyStatusWord, Words) {
  EXPECT_TRUE(is_healthy_status_word("healthy"));
  EXPECT_TRUE(is_healthy_status_word("OK"));
  EXPECT_FALSE(is_healthy_status_word("unhealthy"));
  EXPECT_FALSE(is_healthy_status_word("okay?"));
  EXPECT_FALSE(is_healthy_status_word(""));
}

}  // namespace
}  // namespace blockhealth
