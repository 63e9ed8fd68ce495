#include "core/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

namespace blockhealth {
namespace {

namespace ssl = boost::asio::ssl;

// A cache entry's files stamp: size and mtime of each file named.
std::string tls_file_stamp(const std::optional<std::filesystem::path>& file) {
  if (!file) return "-";
  std::error_code ec;
  const auto size = std::filesystem::file_size(*file, ec);
  if (ec) return "?";
  const auto mtime = std::filesystem::last_write_time(*file, ec);
  if (ec) return "?";
  return std::to_string(size) + "@" + std::to_string(mtime.time_since_epoch().count());
}

// The file's bytes, or why it cannot be read.
Result<std::string> read_tls_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("cannot read '" + file.string() + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return success(text.str());
}

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

BioPtr memory_bio(const std::string& bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

// "<what> '<file>': <openssl's reason>" from a failed context call.
Error tls_file_error(std::string_view what, const std::filesystem::path& file,
                     const boost::system::error_code& ec) {
  return fail(std::string(what) + " '" + file.string() + "': " + ec.message());
}

}  // namespace

std::string take_openssl_error(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? std::string(reason) : fallback;
}

std::string check_tls_certificate_file(const std::filesystem::path& file) {
  auto bytes = read_tls_file(file);
  if (!bytes) return bytes.error().message;
  BioPtr bio = memory_bio(*bytes);
  X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (cert == nullptr) return "'" + file.string() + "' holds no PEM certificate";
  X509_free(cert);
  return {};
}

std::string check_tls_key_file(const std::filesystem::path& file) {
  auto bytes = read_tls_file(file);
  if (!bytes) return bytes.error().message;
  BioPtr bio = memory_bio(*bytes);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  ERR_clear_error();
  if (key == nullptr) {
    return "'" + file.string() + "' holds no PEM private key (or it is encrypted)";
  }
  EVP_PKEY_free(key);
  return {};
}

std::string check_tls_key_matches(const std::filesystem::path& cert_file,
                                  const std::filesystem::path& key_file) {
  auto cert_bytes = read_tls_file(cert_file);
  auto key_bytes = read_tls_file(key_file);
  if (!cert_bytes) return cert_bytes.error().message;
  if (!key_bytes) return key_bytes.error().message;
  BioPtr cert_bio = memory_bio(*cert_bytes);
  BioPtr key_bio = memory_bio(*key_bytes);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  const bool match = cert != nullptr && key != nullptr && X509_check_private_key(cert, key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  ERR_clear_error();
  if (match) return {};
  return "the key in '" + key_file.string() + "' does not belong to the certificate in '" +
         cert_file.string() + "'";
}

Result<TlsContextPtr> client_tls_context(const TlsConfig& tls) {
  static std::mutex mu;
  static std::map<std::string, TlsContextPtr> cache;
  const std::string key = tls.fingerprint() + "|" + tls_file_stamp(tls.ca_file) + "|" +
                          tls_file_stamp(tls.cert_file) + "|" + tls_file_stamp(tls.key_file);
  {
    std::lock_guard lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (tls.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none, ec);
  } else {
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (tls.ca_file) {
      ctx->load_verify_file(tls.ca_file->string(), ec);
      if (ec) return tls_file_error("ca_file", *tls.ca_file, ec);
    } else {
      ctx->set_default_verify_paths(ec);
      if (ec) return fail("the system's CA certificates: " + ec.message());
    }
  }
  if (tls.cert_file && tls.key_file) {
    ctx->use_certificate_chain_file(tls.cert_file->string(), ec);
    if (ec) return tls_file_error("cert_file", *tls.cert_file, ec);
    ctx->use_private_key_file(tls.key_file->string(), ssl::context::pem, ec);
    if (ec) return tls_file_error("key_file", *tls.key_file, ec);
  }
  std::lock_guard lock(mu);
  if (cache.size() >= 256) cache.clear();  // stale stamps pile up only across many reloads
  return cache.emplace(key, std::move(ctx)).first->second;
}

Result<TlsContextPtr> server_tls_context(const ServerTlsConfig& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file.string(), ec);
  if (ec) return tls_file_error("cert_file", tls.cert_file, ec);
  ctx->use_private_key_file(tls.key_file.string(), ssl::context::pem, ec);
  if (ec) return tls_file_error("key_file", tls.key_file, ec);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    ERR_clear_error();
    return fail("the key in '" + tls.key_file.string() +
                "' does not belong to the certificate in '" + tls.cert_file.string() + "'");
  }
  if (tls.client_ca_file) {
    ctx->load_verify_file(tls.client_ca_file->string(), ec);
    if (ec) return tls_file_error("client_ca_file", *tls.client_ca_file, ec);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file->c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    static const unsigned char kSessionContext[] = "blockhealthd";
    SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                   sizeof kSessionContext - 1);
  }
  ERR_clear_error();
  return ctx;
}

}  // namespace blockhealth
