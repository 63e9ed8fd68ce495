// `tls:` maps: where they may be written, which one wins, and every way a
// value or a file is refused at load (naming file:line:col). Files are
// real certificates made with the openssl CLI (tests/support/test_certs.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/config/config_loader.h"
#include "tests/core/config/config_test_util.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_paths.h"

namespace blockhealth {
namespace {

using test::config_problems;
using ::testing::ElementsAre;

Config load_ok(const std::string& yaml) {
  std::vector<ConfigProblem> problems;
  auto config = load_config_string(yaml, "test.yaml", &problems);
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message);
  return config ? *config : Config{};
}

TEST(TlsConfig, TheNearestTlsMapWinsWhole) {
  const test::TestCerts* certs = test::test_certs();
  ASSERT_NE(certs, nullptr);
  const std::string ca = certs->ca.string();
  const Config config = load_ok(R"(
defaults:
  tls:
    ca_file: )" + ca + R"(
    server_name: model.internal
blocks:
  - id: plain
    instances:
      - id: inherits
        health_url: https://127.0.0.1:8443/health
      - id: own
        health_url: https://127.0.0.1:8443/health
        tls:
          insecure_skip_verify: true
    on_transition:
      - webhook: https://hooks.example/x
      - webhook: https://hooks.example/y
        tls:
          cert_file: )" + certs->client.cert.string() +
                                R"(
          key_file: )" + certs->client.key.string() +
                                R"(
  - id: own-block
    tls:
      ca_file: )" + certs->other_ca.string() +
                                R"(
    instances:
      - id: i
        health_url: https://127.0.0.1:8443/health
)");
  ASSERT_EQ(config.blocks.size(), 2U);
  EXPECT_EQ(config.defaults.tls.ca_file, certs->ca);
  const BlockConfig& plain = config.blocks[0];
  EXPECT_TRUE(plain.instances[0].health_url->tls);
  EXPECT_EQ(plain.instances[0].health_url->port, 443 + 8000);
  EXPECT_EQ(plain.instances[0].tls.ca_file, certs->ca);
  EXPECT_EQ(plain.instances[0].tls.server_name, "model.internal");
  // Its own map replaces the inherited one whole: no ca_file, no name.
  EXPECT_TRUE(plain.instances[1].tls.insecure_skip_verify);
  EXPECT_FALSE(plain.instances[1].tls.ca_file.has_value());
  EXPECT_EQ(plain.instances[1].tls.server_name, "");
  EXPECT_EQ(plain.on_transition[0].tls, config.defaults.tls);
  EXPECT_EQ(plain.on_transition[1].tls.cert_file, certs->client.cert);
  EXPECT_EQ(plain.on_transition[1].tls.key_file, certs->client.key);
  EXPECT_FALSE(plain.on_transition[1].tls.ca_file.has_value());
  EXPECT_TRUE(plain.on_transition[0].url.tls);
  EXPECT_EQ(plain.on_transition[0].url.port, 443);
  EXPECT_EQ(config.blocks[1].instances[0].tls.ca_file, certs->other_ca);
}

TEST(TlsConfig, ServerTlsIsRead) {
  const test::TestCerts* certs = test::test_certs();
  ASSERT_NE(certs, nullptr);
  const Config config = load_ok("server:\n  tls:\n    cert_file: " + certs->server.cert.string() +
                                "\n    key_file: " + certs->server.key.string() +
                                "\n    client_ca_file: " + certs->ca.string() + "\n");
  ASSERT_TRUE(config.server.tls.has_value());
  EXPECT_EQ(config.server.tls->cert_file, certs->server.cert);
  EXPECT_EQ(config.server.tls->key_file, certs->server.key);
  EXPECT_EQ(config.server.tls->client_ca_file, certs->ca);
}

TEST(TlsConfig, BadValuesAndFilesAreReportedAtTheirPosition) {
  const test::TestCerts* certs = test::test_certs();
  ASSERT_NE(certs, nullptr);
  test::TempDir dir;
  const std::string not_pem = dir.write("not.pem", "hello\n").string();
  const std::string missing = (dir.path() / "missing.pem").string();
  const std::string client_cert = certs->client.cert.string();
  const std::string server_key = certs->server.key.string();
  EXPECT_THAT(
      config_problems("defaults:\n"
                      "  tls:\n"
                      "    ca_file: " +
                      missing + "\n" +
                      "    insecure_skip_verify: yes\n"
                      "    server_nam: x\n"
                      "blocks:\n"
                      "  - id: b\n"
                      "    policies: [{use: p}]\n"
                      "    tls:\n"
                      "      ca_file: " +
                      not_pem + "\n" + "      cert_file: " + client_cert + "\n" +
                      "    on_transition:\n"
                      "      - webhook: https://h/\n"
                      "        tls:\n"
                      "          cert_file: " +
                      client_cert + "\n" + "          key_file: " + server_key + "\n" +
                      "      - webhook: https://h/\n"
                      "        tls: [x]\n"
                      "server:\n"
                      "  tls:\n"
                      "    key_file: " +
                      certs->server.key.string() + "\n" + "    client_ca_file: " + not_pem + "\n"),
      ElementsAre(
          "test.yaml:3:14: defaults: tls: ca_file: cannot read '" + missing +
              "': No such file or directory",
          "test.yaml:4:27: defaults: tls: insecure_skip_verify: expected true or false, got 'yes'",
          "test.yaml:5:5: unknown key 'server_nam' in defaults: tls; did you mean 'server_name'?",
          "test.yaml:10:16: block 'b': tls: ca_file: '" + not_pem + "' holds no PEM certificate",
          "test.yaml:11:18: block 'b': tls: cert_file: cert_file and key_file go together: "
          "'key_file' is missing",
          "test.yaml:16:21: on_transition #1 in block 'b': tls: key_file: the key in '" +
              server_key + "' does not belong to the certificate in '" + client_cert + "'",
          "test.yaml:18:14: on_transition #2 in block 'b': tls: expected a map, got a list",
          "test.yaml:21:15: server: tls: key_file: cert_file and key_file go together: "
          "'cert_file' is missing",
          "test.yaml:22:21: server: tls: client_ca_file: '" + not_pem +
              "' holds no PEM certificate"));
}

TEST(TlsConfig, ServerTlsNeedsACertificate) {
  EXPECT_THAT(config_problems("server:\n  tls: {}\n"),
              ElementsAre("test.yaml:2:8: server: tls: missing 'cert_file' (the listener's "
                          "certificate, with key_file)"));
}

}  // namespace
}  // namespace blockhealth
