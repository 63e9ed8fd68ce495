// TestCerts: a CA and certificates made with the openssl CLI at test time
// (once per test process), for TLS tests: a good server certificate for
// 127.0.0.1 and localhost, a second one (a reload's new certificate), an
// expired one, one for localhost only (wrong host for 127.0.0.1), one from
// a CA nobody trusts, and a client certificate. EC P-256 keys, PEM files.
#ifndef BLOCKHEALTH_TESTS_SUPPORT_TEST_CERTS_H
#define BLOCKHEALTH_TESTS_SUPPORT_TEST_CERTS_H

#include <filesystem>
#include <string>

namespace blockhealth::test {

struct CertPair {
  std::filesystem::path cert;
  std::filesystem::path key;
};

struct TestCerts {
  std::filesystem::path dir;
  std::filesystem::path ca;        // the trusted CA's certificate
  std::filesystem::path other_ca;  // a second CA's (trusted by nobody)
  CertPair server;                 // CN "blockhealth test server", 127.0.0.1 + localhost
  CertPair server2;                // CN "blockhealth test server 2", same names
  CertPair expired;                // valid January 2020 only
  CertPair localhost_only;         // DNS:localhost only
  CertPair unknown_ca;             // 127.0.0.1 + localhost, signed by other_ca
  CertPair client;                 // CN "blockhealth test client", clientAuth
};

// The certificates, made on the first call (under a temp folder removed at
// exit). Null, after an ADD_FAILURE naming the openssl command and its
// output, when they could not be made. Thread-safe.
const TestCerts* test_certs();

}  // namespace blockhealth::test

#endif  // BLOCKHEALTH_TESTS_SUPPORT_TEST_CERTS_H
