#include "tests/support/test_certs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/test_paths.h"

namespace blockhealth::test {
namespace {

// The openssl config every command reads: extensions of each kind of
// certificate, and a minimal `openssl ca` (which alone can backdate).
std::string test_certs_openssl_config(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  return "[req]\n"
         "distinguished_name = dn\n"
         "prompt = no\n"
         "[dn]\n"
         "CN = placeholder\n"
         "[v3_ca]\n"
         "basicConstraints = critical,CA:TRUE\n"
         "keyUsage = critical,keyCertSign,cRLSign\n"
         "subjectKeyIdentifier = hash\n"
         "[server_ip]\n"
         "basicConstraints = CA:FALSE\n"
         "subjectAltName = DNS:localhost,IP:127.0.0.1\n"
         "extendedKeyUsage = serverAuth\n"
         "[server_localhost]\n"
         "basicConstraints = CA:FALSE\n"
         "subjectAltName = DNS:localhost\n"
         "extendedKeyUsage = serverAuth\n"
         "[client]\n"
         "basicConstraints = CA:FALSE\n"
         "extendedKeyUsage = clientAuth\n"
         "[ca]\n"
         "default_ca = test_ca\n"
         "[test_ca]\n"
         "database = " +
         d +
         "/index.txt\n"
         "new_certs_dir = " +
         d +
         "/newcerts\n"
         "serial = " +
         d +
         "/serial\n"
         "default_md = sha256\n"
         "policy = any_policy\n"
         "unique_subject = no\n"
         "[any_policy]\n"
         "commonName = supplied\n";
}

// The openssl CLI found on PATH (run_command execs a path), or "".
std::string openssl_binary() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::filesystem::path candidate =
        std::filesystem::path(dirs.substr(start, end - start)) / "openssl";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  return {};
}

class CertMaker {
 public:
  explicit CertMaker(std::filesystem::path dir) : dir_(std::move(dir)) {
    config_ = (dir_ / "openssl.cnf").string();
  }

  bool run(std::vector<std::string> args) {
    if (!ok_) return false;
    static const std::string binary = openssl_binary();
    if (binary.empty()) {
      ADD_FAILURE() << "making test certificates failed: no openssl on PATH (install openssl)";
      ok_ = false;
      return false;
    }
    args.insert(args.begin(), binary);
    const CommandResult r = run_command(args);
    if (r.exit_code != 0) {
      std::string line;
      for (const auto& a : args) line += a + " ";
      ADD_FAILURE() << "making test certificates failed: " << line << "exited " << r.exit_code
                    << ":\n"
                    << r.output;
      ok_ = false;
    }
    return ok_;
  }

  std::filesystem::path path(const std::string& name) const { return dir_ / name; }

  void make_ca(const std::string& name, const std::string& cn) {
    run({"req", "-x509", "-config", config_, "-extensions", "v3_ca", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path(name + ".key").string(), "-out",
         path(name + ".pem").string(), "-days", "3650", "-subj", "/CN=" + cn});
  }

  // A key and a signing request for `name`.
  void make_request(const std::string& name, const std::string& cn) {
    run({"req", "-new", "-config", config_, "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path(name + ".key").string(), "-out",
         path(name + ".csr").string(), "-subj", "/CN=" + cn});
  }

  CertPair make_leaf(const std::string& name, const std::string& cn, const std::string& ca,
                     const std::string& extensions) {
    make_request(name, cn);
    run({"x509", "-req", "-in", path(name + ".csr").string(), "-CA", path(ca + ".pem").string(),
         "-CAkey", path(ca + ".key").string(), "-set_serial", std::to_string(++serial_), "-days",
         "365", "-extfile", config_, "-extensions", extensions, "-out",
         path(name + ".pem").string()});
    return {path(name + ".pem"), path(name + ".key")};
  }

  CertPair make_expired(const std::string& name, const std::string& cn) {
    make_request(name, cn);
    run({"ca",          "-batch",
         "-config",     config_,
         "-name",       "test_ca",
         "-cert",       path("ca.pem").string(),
         "-keyfile",    path("ca.key").string(),
         "-in",         path(name + ".csr").string(),
         "-out",        path(name + ".pem").string(),
         "-startdate",  "20200101000000Z",
         "-enddate",    "20200201000000Z",
         "-extfile",    config_,
         "-extensions", "server_ip",
         "-notext"});
    return {path(name + ".pem"), path(name + ".key")};
  }

  bool ok() const { return ok_; }
  const std::string& config() const { return config_; }

 private:
  std::filesystem::path dir_;
  std::string config_;
  int serial_ = 1000;
  bool ok_ = true;
};

}  // namespace

const TestCerts* test_certs() {
  static std::mutex mu;
  static std::unique_ptr<TempDir> dir;
  static std::unique_ptr<TestCerts> certs;
  static bool tried = false;
  std::lock_guard lock(mu);
  if (tried) return certs.get();
  tried = true;
  dir = std::make_unique<TempDir>();
  dir->write("openssl.cnf", test_certs_openssl_config(dir->path()));
  dir->write("index.txt", "");
  dir->write("serial", "2000\n");
  std::filesystem::create_directories(dir->path() / "newcerts");
  CertMaker m(dir->path());
  auto out = std::make_unique<TestCerts>();
  out->dir = dir->path();
  m.make_ca("ca", "blockhealth test CA");
  m.make_ca("other_ca", "blockhealth untrusted CA");
  out->ca = m.path("ca.pem");
  out->other_ca = m.path("other_ca.pem");
  out->server = m.make_leaf("server", "blockhealth test server", "ca", "server_ip");
  out->server2 = m.make_leaf("server2", "blockhealth test server 2", "ca", "server_ip");
  out->localhost_only =
      m.make_leaf("localhost_only", "blockhealth localhost server", "ca", "server_localhost");
  out->unknown_ca = m.make_leaf("unknown_ca", "blockhealth stranger", "other_ca", "server_ip");
  out->client = m.make_leaf("client", "blockhealth test client", "ca", "client");
  out->expired = m.make_expired("expired", "blockhealth expired server");
  if (!m.ok()) return nullptr;
  certs = std::move(out);
  return certs.get();
}

}  // namespace blockhealth::test
