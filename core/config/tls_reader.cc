#include "core/config/tls_reader.h"

#include "core/net/tls_context.h"

namespace blockhealth {
namespace {

enum class TlsFileKind { kCertificate, kKey };

// The path under `key`, checked to be a readable PEM certificate / key;
// nullopt (after reporting) when it is not.
std::optional<std::filesystem::path> read_tls_file_key(const MapReader& r, std::string_view key,
                                                       TlsFileKind kind,
                                                       const std::filesystem::path& base_dir) {
  auto file = r.path(key, base_dir);
  if (!file) return std::nullopt;
  const std::string why = kind == TlsFileKind::kCertificate ? check_tls_certificate_file(*file)
                                                            : check_tls_key_file(*file);
  if (!why.empty()) {
    r.report(*r.get(key), why);
    return std::nullopt;
  }
  return file;
}

// cert_file and key_file: both or neither, and matching. False when
// something was reported.
bool check_tls_pair(const MapReader& r, const std::optional<std::filesystem::path>& cert,
                    const std::optional<std::filesystem::path>& key) {
  if (r.has("cert_file") != r.has("key_file")) {
    const std::string_view given = r.has("cert_file") ? "cert_file" : "key_file";
    const std::string_view missing = r.has("cert_file") ? "key_file" : "cert_file";
    r.report(*r.get(given),
             "cert_file and key_file go together: '" + std::string(missing) + "' is missing");
    return false;
  }
  if (cert && key) {
    const std::string why = check_tls_key_matches(*cert, *key);
    if (!why.empty()) {
      r.report(*r.get("key_file"), why);
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<TlsConfig> read_client_tls(const MapReader& parent,
                                         const std::filesystem::path& base_dir) {
  const auto node = parent.map("tls");
  if (!node) return std::nullopt;
  const MapReader r(*node, parent.get("tls")->mark(), parent.label("tls"),
                    {"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"},
                    parent.problems());
  TlsConfig out;
  out.ca_file = read_tls_file_key(r, "ca_file", TlsFileKind::kCertificate, base_dir);
  out.cert_file = read_tls_file_key(r, "cert_file", TlsFileKind::kCertificate, base_dir);
  out.key_file = read_tls_file_key(r, "key_file", TlsFileKind::kKey, base_dir);
  if (!check_tls_pair(r, out.cert_file, out.key_file)) {
    out.cert_file.reset();
    out.key_file.reset();
  }
  if (auto name = r.string("server_name")) out.server_name = std::move(*name);
  if (auto skip = r.boolean("insecure_skip_verify")) out.insecure_skip_verify = *skip;
  return out;
}

std::optional<ServerTlsConfig> read_server_tls(const MapReader& server,
                                               const std::filesystem::path& base_dir) {
  const auto node = server.map("tls");
  if (!node) return std::nullopt;
  const MapReader r(*node, server.get("tls")->mark(), server.label("tls"),
                    {"cert_file", "key_file", "client_ca_file"}, server.problems());
  auto cert = read_tls_file_key(r, "cert_file", TlsFileKind::kCertificate, base_dir);
  auto key = read_tls_file_key(r, "key_file", TlsFileKind::kKey, base_dir);
  auto client_ca = read_tls_file_key(r, "client_ca_file", TlsFileKind::kCertificate, base_dir);
  if (!r.has("cert_file") && !r.has("key_file")) {
    r.report_missing("cert_file", " (the listener's certificate, with key_file)");
    return std::nullopt;
  }
  if (!check_tls_pair(r, cert, key) || !cert || !key) return std::nullopt;
  if (r.has("client_ca_file") && !client_ca) return std::nullopt;
  return ServerTlsConfig{std::move(*cert), std::move(*key), std::move(client_ca)};
}

}  // namespace blockhealth
