// TLS end to end: the real blockhealthd probes, scrapes and posts webhooks
// to real HTTPS servers on loopback (TlsTestServer) with certificates made
// by the openssl CLI at test time, and serves its own API over HTTPS
// (server.tls), client certificates and a certificate reload included.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "tests/e2e/e2e_client.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_paths.h"
#include "tests/support/tls_peer.h"
#include "tests/support/wait_until.h"

namespace blockhealth::test {
namespace {

namespace json = boost::json;

constexpr const char* kTlsProbeDefaults = R"(
defaults:
  interval: 300ms
  timeout: 300ms
  healthy_after: 1
  unhealthy_after: 1
  stale_after: 1h
)";

TlsServerOptions serving(const CertPair& pair) {
  TlsServerOptions options;
  options.cert_file = pair.cert;
  options.key_file = pair.key;
  return options;
}

// The sources entry of an instance object for `source` (null when absent).
json::value tls_source_of(const json::value& instance, const std::string& source) {
  if (!instance.is_object() || !instance.as_object().contains("sources")) return nullptr;
  for (const json::value& s : instance.at("sources").as_array()) {
    if (str(s, "source") == source) return s;
  }
  return nullptr;
}

std::uint16_t tls_port_of(const std::string& address) {
  return static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
}

TEST(Tls, HealthProbesOverHttpsSayWhichTlsCheckFailed) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  TlsTestServer good(serving(certs->server));
  TlsServerOptions metrics_options = serving(certs->server);
  metrics_options.body = "model_up 1\n";
  TlsTestServer metrics(metrics_options);
  TlsTestServer expired(serving(certs->expired));
  TlsTestServer wrong_host(serving(certs->localhost_only));
  TlsTestServer unknown_ca(serving(certs->unknown_ca));
  TlsTestServer skipped(serving(certs->unknown_ca));
  TlsServerOptions mutual = serving(certs->server);
  mutual.client_ca_file = certs->ca;
  TlsTestServer with_cert(mutual);
  TlsTestServer without_cert(mutual);

  TempDir dir;
  const std::string config = std::string(kTlsProbeDefaults) +
                             "  tls:\n    ca_file: " + certs->ca.string() + R"(
blocks:
  - id: secure
    instances:
      - id: good
        health_url: )" + good.url("/health") +
                             R"(
        metrics_url: )" + metrics.url("/metrics") +
                             R"(
      - id: expired
        health_url: )" + expired.url("/health") +
                             R"(
      - id: wrong-host
        health_url: )" + wrong_host.url("/health") +
                             R"(
      - id: unknown-ca
        health_url: )" + unknown_ca.url("/health") +
                             R"(
      - id: skip-verify
        health_url: )" + skipped.url("/health") +
                             R"(
        tls:
          insecure_skip_verify: true
      - id: client-cert
        health_url: )" + with_cert.url("/health") +
                             R"(
        tls:
          ca_file: )" + certs->ca.string() +
                             R"(
          cert_file: )" + certs->client.cert.string() +
                             R"(
          key_file: )" + certs->client.key.string() +
                             R"(
      - id: no-client-cert
        health_url: )" + without_cert.url("/health") +
                             "\n";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());

  const std::map<std::string, std::string> expected = {{"good", "ok"},
                                                       {"expired", "unhealthy"},
                                                       {"wrong-host", "unhealthy"},
                                                       {"unknown-ca", "unhealthy"},
                                                       {"skip-verify", "ok"},
                                                       {"client-cert", "ok"},
                                                       {"no-client-cert", "unhealthy"}};
  const json::value view = wait_for_view(daemon.address(), "secure", [&](const json::value& v) {
    for (const auto& [id, status] : expected) {
      if (str(instance_of(v, id), "status") != status) return false;
    }
    return tls_source_of(instance_of(v, "good"), "metrics").is_object() &&
           tls_source_of(instance_of(v, "good"), "metrics").at("ok").as_bool();
  });
  for (const auto& [id, status] : expected) {
    EXPECT_EQ(str(instance_of(view, id), "status"), status) << id << ": " << instance_of(view, id);
  }
  const auto reason = [&](const std::string& id) { return str(instance_of(view, id), "reason"); };
  EXPECT_EQ(reason("good"),
            "health_probe: GET " + good.url("/health") + R"(: HTTP 200 OK, status "ok")");
  EXPECT_EQ(reason("expired"), "health_probe: GET " + expired.url("/health") +
                                   ": TLS: certificate verify failed (certificate has expired)");
  EXPECT_EQ(reason("wrong-host"), "health_probe: GET " + wrong_host.url("/health") +
                                      ": TLS: certificate is for localhost, not 127.0.0.1");
  EXPECT_EQ(reason("unknown-ca"),
            "health_probe: GET " + unknown_ca.url("/health") +
                ": TLS: certificate verify failed (unable to get local issuer certificate)");
  EXPECT_EQ(reason("skip-verify"),
            "health_probe: GET " + skipped.url("/health") + R"(: HTTP 200 OK, status "ok")");
  const std::string no_cert = reason("no-client-cert");
  EXPECT_EQ(no_cert.rfind("health_probe: GET " + without_cert.url("/health") + ": TLS: ", 0), 0U)
      << no_cert;
  EXPECT_NE(no_cert.find("certificate required"), std::string::npos) << no_cert;
  // The source status says TLS too (its message is the reason without the URL).
  const json::value health_source = tls_source_of(instance_of(view, "expired"), "health");
  ASSERT_TRUE(health_source.is_object()) << instance_of(view, "expired");
  EXPECT_FALSE(health_source.at("ok").as_bool());
  EXPECT_EQ(str(health_source, "message"),
            "TLS: certificate verify failed (certificate has expired)");
  // The client certificate was presented and accepted; the other server saw none.
  EXPECT_EQ(with_cert.last_client_cn(), "blockhealth test client");
  EXPECT_GE(with_cert.requests(), 1U);
  EXPECT_EQ(without_cert.requests(), 0U);
  EXPECT_GE(metrics.requests(), 1U);
  // Probes keep their TLS connection alive: far fewer handshakes than requests.
  EXPECT_TRUE(wait_until([&] { return good.requests() >= 4; })) << good.requests();
  EXPECT_LT(good.handshakes_ok(), good.requests());
}

TEST(Tls, AnHttpsWebhookIsDelivered) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  TlsTestServer expired(serving(certs->expired));
  TlsTestServer hook(serving(certs->server));
  TempDir dir;
  // The webhook's own tls: (the block has none).
  const std::string config = std::string(kTlsProbeDefaults) + R"(
blocks:
  - id: hooked
    instances:
      - id: in-tls
        health_url: )" + expired.url("/health") +
                             R"(
        tls:
          ca_file: )" + certs->ca.string() +
                             R"(
    on_transition:
      - webhook: )" + hook.url("/hook") +
                             R"(
        to: [unhealthy]
        tls:
          ca_file: )" + certs->ca.string() +
                             "\n";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  ASSERT_TRUE(wait_until([&] { return !hook.bodies().empty(); })) << daemon.log();
  const std::string body = hook.bodies().front();
  EXPECT_NE(body.find("\"in-tls\""), std::string::npos) << body;
  EXPECT_NE(body.find("certificate has expired"), std::string::npos) << body;
}

TEST(Tls, AnHttpsWebhookToAnUntrustedServerFailsWithATlsReason) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  TlsTestServer expired(serving(certs->expired));
  TlsTestServer hook(serving(certs->unknown_ca));
  TempDir dir;
  const std::string config = std::string(kTlsProbeDefaults) +
                             "  tls:\n    ca_file: " + certs->ca.string() + R"(
blocks:
  - id: hooked
    instances:
      - id: in-tls
        health_url: )" + expired.url("/health") +
                             R"(
    on_transition:
      - webhook: )" + hook.url("/hook") +
                             R"(
        to: [unhealthy]
        max_attempts: 1
)";
  DaemonProcess daemon(dir.path(), config);
  ASSERT_TRUE(daemon.started());
  EXPECT_TRUE(wait_until([&] {
    return daemon.log().find(
               "TLS: certificate verify failed (unable to get local issuer "
               "certificate)") != std::string::npos &&
           hook.handshakes_failed() >= 1;
  })) << daemon.log();
  EXPECT_TRUE(hook.bodies().empty());
}

TEST(Tls, TheListenerServesHttpsAndReloadsItsCertificate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  TempDir dir;
  const auto config_for = [&](const CertPair& pair) {
    return "server:\n  tls:\n    cert_file: " + pair.cert.string() +
           "\n    key_file: " + pair.key.string() + "\nblocks: []\n";
  };
  DaemonProcess daemon(dir.path(), config_for(certs->server), {}, DaemonProcess::Wait::kListening);
  ASSERT_TRUE(daemon.started());
  const std::uint16_t port = tls_port_of(daemon.address());
  TlsGetOptions trust;
  trust.ca_file = certs->ca;
  TlsGetResult got;
  ASSERT_TRUE(wait_until([&] {
    got = tls_get(port, "/readyz", trust);
    return got.status == 200;
  })) << got.error
      << "\n"
      << daemon.log();
  got = tls_get(port, "/healthz", trust);
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_EQ(got.server_cn, "blockhealth test server");
  // Plain HTTP gets no answer from an HTTPS listener; it keeps serving.
  EXPECT_NE(http_get(daemon.address(), "/healthz").status, 200);
  EXPECT_EQ(tls_get(port, "/healthz", trust).status, 200);

  // A reload with a new certificate: new connections get it.
  daemon.write_config(config_for(certs->server2));
  daemon.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] {
    got = tls_get(port, "/healthz", trust);
    return got.server_cn == "blockhealth test server 2";
  })) << got.error
      << " " << got.server_cn << "\n"
      << daemon.log();

  // A reload with a certificate that does not load is refused: the running
  // certificate stays.
  const std::string bad = dir.write("bad.pem", "not a certificate\n").string();
  daemon.write_config("server:\n  tls:\n    cert_file: " + bad +
                      "\n    key_file: " + certs->server2.key.string() + "\nblocks: []\n");
  daemon.signal(SIGHUP);
  EXPECT_TRUE(wait_until([&] {
    return daemon.log().find("holds no PEM certificate") != std::string::npos;
  })) << daemon.log();
  got = tls_get(port, "/healthz", trust);
  EXPECT_EQ(got.status, 200) << got.error;
  EXPECT_EQ(got.server_cn, "blockhealth test server 2");
}

TEST(Tls, TheListenerWithClientCaFileRequiresAClientCertificate) {
  const TestCerts* certs = test_certs();
  ASSERT_NE(certs, nullptr);
  TempDir dir;
  DaemonProcess daemon(dir.path(),
                       "server:\n  tls:\n    cert_file: " + certs->server.cert.string() +
                           "\n    key_file: " + certs->server.key.string() +
                           "\n    client_ca_file: " + certs->ca.string() + "\nblocks: []\n",
                       {}, DaemonProcess::Wait::kListening);
  ASSERT_TRUE(daemon.started());
  const std::uint16_t port = tls_port_of(daemon.address());
  TlsGetOptions with_cert;
  with_cert.ca_file = certs->ca;
  with_cert.cert_file = certs->client.cert;
  with_cert.key_file = certs->client.key;
  TlsGetResult got;
  ASSERT_TRUE(wait_until([&] {
    got = tls_get(port, "/readyz", with_cert);
    return got.status == 200;
  })) << got.error
      << "\n"
      << daemon.log();
  TlsGetOptions without_cert;
  without_cert.ca_file = certs->ca;
  got = tls_get(port, "/healthz", without_cert);
  EXPECT_EQ(got.status, 0);
  EXPECT_NE(got.error, "");
  // A client with a certificate from another CA is refused as well.
  TlsGetOptions stranger = with_cert;
  stranger.cert_file = certs->unknown_ca.cert;
  stranger.key_file = certs->unknown_ca.key;
  EXPECT_EQ(tls_get(port, "/healthz", stranger).status, 0);
  // The refusals closed those connections only.
  got = tls_get(port, "/healthz", with_cert);
  EXPECT_EQ(got.status, 200) << got.error;
}

}  // namespace
}  // namespace blockhealth::test
