#include "core/net/client_stream.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/verify_context.hpp>

namespace blockhealth {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

// "localhost, 127.0.0.1": the DNS and IP subjectAltNames of `cert`, or its
// common name when it has none.
std::string tls_certificate_names(X509* cert) {
  std::string out;
  const auto add = [&out](const std::string& name) {
    if (!out.empty()) out += ", ";
    out += name;
  };
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type == GEN_DNS) {
        const ASN1_IA5STRING* dns = name->d.dNSName;
        add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                        static_cast<std::size_t>(ASN1_STRING_length(dns))));
      } else if (name->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* ip = name->d.iPAddress;
        const unsigned char* bytes = ASN1_STRING_get0_data(ip);
        if (ASN1_STRING_length(ip) == 4) {
          net::ip::address_v4::bytes_type b;
          std::copy(bytes, bytes + 4, b.begin());
          add(net::ip::address_v4(b).to_string());
        } else if (ASN1_STRING_length(ip) == 16) {
          net::ip::address_v6::bytes_type b;
          std::copy(bytes, bytes + 16, b.begin());
          add(net::ip::address_v6(b).to_string());
        }
      }
    }
    GENERAL_NAMES_free(names);
  }
  if (out.empty()) {
    char cn[256] = {0};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0) {
      out = cn;
    } else {
      out = "no name";
    }
  }
  return out;
}

}  // namespace

Result<void> ClientStream::begin_tls(const HttpUrl& url, const TlsConfig& tls) {
  auto context = client_tls_context(tls);
  if (!context) return fail("TLS: " + context.error().message);
  context_ = *context;
  tls_.emplace(socket_, *context_);
  note_ = std::make_shared<VerifyNote>();
  const std::string name = tls.server_name.empty() ? url.host : tls.server_name;
  boost::system::error_code ec;
  net::ip::make_address(name, ec);
  const bool is_ip = !ec;
  SSL* ssl_handle = tls_->native_handle();
  if (!is_ip) SSL_set_tlsext_host_name(ssl_handle, name.c_str());
  if (tls.insecure_skip_verify) return {};
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
  note_->expected = name;
  tls_->set_verify_callback([note = note_](bool preverified, ssl::verify_context& vc) {
    if (!preverified && note->error == 0) {
      X509_STORE_CTX* store = vc.native_handle();
      note->error = X509_STORE_CTX_get_error(store);
      if (X509* cert = X509_STORE_CTX_get_current_cert(store)) {
        note->names = tls_certificate_names(cert);
      }
    }
    return preverified;
  });
  return {};
}

std::string ClientStream::handshake_failure(const boost::system::error_code& ec) const {
  int error = note_ ? note_->error : 0;
  if (error == 0 && tls_) {
    const long result = SSL_get_verify_result(tls_->native_handle());
    if (result != X509_V_OK) error = static_cast<int>(result);
  }
  if (error == X509_V_ERR_HOSTNAME_MISMATCH || error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return "TLS: certificate is for " + note_->names + ", not " + note_->expected;
  }
  if (error != 0) {
    return std::string("TLS: certificate verify failed (") + X509_verify_cert_error_string(error) +
           ")";
  }
  if (ec == ssl::error::stream_truncated || ec == net::error::eof) {
    return "TLS: connection closed during the handshake";
  }
  if (ec == net::error::connection_reset) return "TLS: connection reset during the handshake";
  return "TLS: handshake failed (" + ec.message() + ")";
}

void ClientStream::close() {
  boost::system::error_code ignored;
  if (socket_.is_open()) {
    socket_.shutdown(Tcp::shutdown_both, ignored);
    socket_.close(ignored);
  }
  tls_.reset();
  note_.reset();
}

}  // namespace blockhealth
