// OpenSSL contexts built from the config's TlsConfig (clients) and
// ServerTlsConfig (the listener), and the file checks the config loader
// runs at load.
#ifndef BLOCKHEALTH_CORE_NET_TLS_CONTEXT_H
#define BLOCKHEALTH_CORE_NET_TLS_CONTEXT_H

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "core/config/config.h"
#include "core/util/result.h"

namespace blockhealth {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Why a file is not usable, or "" when it is: it cannot be read, or holds
// no PEM certificate (check_tls_certificate_file) / no PEM private key
// (check_tls_key_file). Messages are phrases like
// "'/x/ca.pem' holds no PEM certificate". Thread-safe.
std::string check_tls_certificate_file(const std::filesystem::path& file);
std::string check_tls_key_file(const std::filesystem::path& file);
// "" when the key in key_file belongs to the first certificate of
// cert_file; else why not. REQUIRES: both passed the checks above.
std::string check_tls_key_matches(const std::filesystem::path& cert_file,
                                  const std::filesystem::path& key_file);

// The client context for `tls`: TLS 1.2 or later, the CA file (or the
// system's default paths), the client certificate and key when given, peer
// verification unless insecure_skip_verify (the host name is checked per
// connection, ClientStream). Cached: the same TlsConfig whose files have
// not changed (size, mtime) gets the same context, so connections share
// it. The error names the file that failed. Thread-safe.
Result<TlsContextPtr> client_tls_context(const TlsConfig& tls);

// A new server context: TLS 1.2 or later, the certificate chain and key,
// and, with client_ca_file, client certificates required and verified
// against it. Read from the files now (a reload calls it again). The error
// names the file that failed. Thread-safe.
Result<TlsContextPtr> server_tls_context(const ServerTlsConfig& tls);

// The text of OpenSSL's most recent error on this thread (and clears the
// queue), or `fallback` when the queue is empty.
std::string take_openssl_error(const std::string& fallback);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_NET_TLS_CONTEXT_H
