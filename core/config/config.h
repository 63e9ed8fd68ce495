// The daemon's configuration as loaded from YAML (see docs/configuration.md):
// plain values, every inherited setting already resolved, every relative path
// already made absolute. Produced by load_config_file / load_config_string
// (core/config/config_loader.h); consumers never re-apply defaults.
//
// A Config is immutable once loaded and may be read from several threads at
// once, except the YAML::Node members (`PolicyConfig::with`,
// `ActionConfig::parameters`): yaml-cpp nodes are not safe for concurrent use,
// so read those from one thread at a time (the control thread that creates
// policy instances and actions).
#ifndef BLOCKHEALTH_CORE_CONFIG_CONFIG_H
#define BLOCKHEALTH_CORE_CONFIG_CONFIG_H

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/aios_shape.h"
#include "core/model/block_source.h"
#include "core/model/status.h"

namespace blockhealth {

// A position in the config file, 1-based; {0, 0} when unknown (e.g. for a
// value that was not written in the file).
struct SourceMark {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceMark&, const SourceMark&) = default;
};

// `server.listen`: host is a name or an IP literal, IPv6 without brackets.
// Port 0 asks the OS for a free port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 30201;
  std::string to_string() const;  // "127.0.0.1:30201", "[::1]:8080"
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// A validated http:// or https:// URL, split for an HTTP client.
struct HttpUrl {
  std::string text;          // as written in the file (or as built, see ActionConfig)
  bool tls = false;          // https://: spoken over TLS (TlsConfig says how)
  std::string host;          // name or IP literal, IPv6 without brackets
  std::uint16_t port = 80;   // explicit port, or 80 (http) / 443 (https)
  std::string target = "/";  // path and query, never empty: "/health", "/m?x=1"
  // The Host header a request to this URL sends: "h", "h:8080", "[::1]:8080".
  std::string host_header() const;
  friend bool operator==(const HttpUrl&, const HttpUrl&) = default;
};

// `tls:` of `defaults:`, a block, an instance or an action: how an https://
// URL is spoken to (docs/configuration.md, "tls"). The nearest `tls:` map
// wins as a whole (action > block > defaults; instance > block > defaults).
// Files were checked at load (they exist and parse) and are absolute.
struct TlsConfig {
  // PEM CA certificates that verify the server; absent = the system's.
  std::optional<std::filesystem::path> ca_file;
  // A client certificate (PEM, chain allowed) and its key: both or neither.
  std::optional<std::filesystem::path> cert_file;
  std::optional<std::filesystem::path> key_file;
  // The name sent as SNI and checked against the certificate; "" = the
  // URL's host.
  std::string server_name;
  bool insecure_skip_verify = false;  // no chain or name check at all
  // "ca_file=/x,cert_file=,key_file=,server_name=,insecure_skip_verify=0":
  // stable text naming every field, for fingerprints and cache keys.
  std::string fingerprint() const;
  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

// `server.tls:`: the listener speaks HTTPS only. Files checked at load and
// read again on every reload (a reload with a bad file is refused).
struct ServerTlsConfig {
  std::filesystem::path cert_file;  // PEM, chain allowed
  std::filesystem::path key_file;
  // When set, clients must present a certificate this CA file verifies.
  std::optional<std::filesystem::path> client_ca_file;
  friend bool operator==(const ServerTlsConfig&, const ServerTlsConfig&) = default;
};

struct ServerConfig {
  ListenAddress listen;
  std::optional<ServerTlsConfig> tls;  // absent = plain HTTP
  // Bearer token for write endpoints; none = write endpoints are open.
  // The file is not read at load time (the server reads it).
  std::optional<std::filesystem::path> auth_token_file;
  std::uint64_t body_limit = std::uint64_t{1} << 20;  // max request body, bytes
  std::chrono::milliseconds request_timeout{10'000};  // idle/slow client cut-off
  int threads = 2;                                    // 1..64
  // Open connections at once (past it: 503 and close), and long polls
  // (?index=&wait=) waiting at once (past it: 503). The daemon raises its
  // descriptor limit to the hard limit and lowers max_connections to fit.
  std::size_t max_connections = 1024;  // 16..1,000,000
  std::size_t max_watches = 512;       // 1..1,000,000
  // Instances a block may have, configured and registered over HTTP
  // together; a registration past it is refused (409). Applied on reload.
  std::size_t max_instances_per_block = 100'000;  // 1..10,000,000
  // Blocks defined over HTTP (PUT /v1/blocks/<id>) kept at once; creating
  // one more is refused (409). Applied on reload.
  std::size_t max_api_blocks = 10'000;  // 0..1,000,000
  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

// Consecutive evaluations needed before a status changes.
struct Thresholds {
  int unhealthy_after = 3;  // bad (CRITICAL) in a row before unhealthy
  int healthy_after = 2;    // good (OK) in a row before ok again
  int degraded_after = 1;   // WARN in a row before degraded
  friend bool operator==(const Thresholds&, const Thresholds&) = default;
};

// The settings of `defaults:` that a block inherits and may override.
// Member initialisers are the built-in defaults.
struct BlockSettings {
  std::chrono::milliseconds interval{5'000};  // evaluation (and scrape) period
  std::chrono::milliseconds timeout{2'000};   // per policy call / probe
  Thresholds thresholds;
  std::chrono::milliseconds stale_after{30'000};              // no observation this long = UNKNOWN
  std::uint64_t scrape_body_limit = std::uint64_t{10} << 20;  // bytes
  std::chrono::milliseconds repeat_after{0};                  // 0 = never repeat a notification
  int history_size = 100;  // transitions kept in memory per instance
  int log_lines = 1000;    // log ring size per instance (0 = keep none)
  TlsConfig tls;           // for https:// URLs (instances, actions, discovery)
  friend bool operator==(const BlockSettings&, const BlockSettings&) = default;
};

// `min_healthy`: how many instances must be healthy for the block to be.
struct MinHealthy {
  enum class Kind { kCount, kPercent };
  Kind kind = Kind::kCount;
  int value = 0;  // a count >= 0, or a percentage 0..100
  // The number of healthy instances needed out of `instances` (a percentage
  // rounds up; a count larger than `instances` stays as is).
  int required(int instances) const;
  friend bool operator==(const MinHealthy&, const MinHealthy&) = default;
};

// `flapping`: over the last `window` evaluations, an instance whose status
// changed in at least start_percent% of them is flapping until the share
// drops below stop_percent%. REQUIRES (checked at load): stop < start.
struct FlappingConfig {
  int window = 21;
  int start_percent = 50;
  int stop_percent = 25;
  friend bool operator==(const FlappingConfig&, const FlappingConfig&) = default;
};

struct InstanceConfig {
  std::string id;
  std::optional<HttpUrl> health_url;
  std::optional<HttpUrl> metrics_url;
  TlsConfig tls;  // effective: the instance's `tls:`, else the block's
  std::optional<std::filesystem::path> log_file;  // absolute
  std::map<std::string, std::string> labels;
  // `role: executor`: AIOS's executor, listed AIOS's way when no check
  // applies to it (AiosShape::executor_row).
  bool executor = false;
  SourceMark mark;  // of the list item
  // "" for an instance of the config (or body); for a discovered one the
  // source it came from (DiscoveryConfig::describe()).
  std::string discovered_by;
};

// One item of a block's `discovery:` list (docs/configuration.md,
// "discovery"): where target lists come from, and how a target becomes an
// instance. Templates hold ${target}, ${host}, ${port} and
// ${labels.<name>} (checked at load by core/discovery/instance_template.h).
struct DiscoveryConfig {
  enum class Kind { kFile, kHttp };
  Kind kind = Kind::kFile;
  std::filesystem::path file;  // kFile: absolute; .json, .yaml or .yml
  HttpUrl url;                 // kHttp: Prometheus http_sd
  TlsConfig tls;               // kHttp over https: the item's `tls:`, else the block's
  // kHttp: how often the URL is fetched. kFile: how often the file is read
  // again besides on inotify events (a backstop).
  std::chrono::milliseconds refresh{30'000};
  std::chrono::milliseconds timeout{5'000};  // kHttp: one fetch
  // How long an instance whose target vanished is kept before it is dropped.
  std::chrono::milliseconds grace{60'000};
  std::string id_template = "${target}";
  std::optional<std::string> health_url_template;
  std::optional<std::string> metrics_url_template = std::string("http://${target}/metrics");
  std::optional<std::string> log_file_template;
  SourceMark mark;  // of the list item

  // "file /etc/blockhealth/targets.json", "http http://sd:8080/targets".
  std::string describe() const;
  friend bool operator==(const DiscoveryConfig& a, const DiscoveryConfig& b) {
    return a.kind == b.kind && a.file == b.file && a.url.text == b.url.text && a.tls == b.tls &&
           a.refresh == b.refresh && a.timeout == b.timeout && a.grace == b.grace &&
           a.id_template == b.id_template && a.health_url_template == b.health_url_template &&
           a.metrics_url_template == b.metrics_url_template &&
           a.log_file_template == b.log_file_template;
  }
};

enum class Isolation { kInProcess, kProcess };
std::string_view to_string(Isolation i);  // "in_process", "process"

struct PolicyConfig {
  std::string use;  // plugin policy name, [a-z0-9_]+
  std::string id;   // unique in the block; `use` when not written
  // The `with:` map exactly as written (marks kept), or a Null node when
  // absent or empty (then with.Mark() is not valid: use with_mark).
  // build_engine_plan turns it into params and then drops it: in a planned
  // configuration it is always Null (PolicyHandle::params_json has it).
  YAML::Node with;
  SourceMark with_mark;  // of the `with:` value, or of the policy item when absent
  // Effective values: policy override, else the block's, else defaults.
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  Thresholds thresholds;
  Isolation isolation = Isolation::kInProcess;
  // `instances:` the ids of the block's instances this policy judges, each
  // checked to exist in the block; empty = every instance, including those
  // registered over HTTP.
  std::vector<std::string> instances;
  SourceMark mark;  // of the list item

  bool applies_to(std::string_view instance_id) const;
};

enum class ActionKind { kWebhook, kFailurePolicy, kAlertmanager };

// The labels every alert an `alertmanager:` action sends carries
// (docs/actions.md); its `labels:` may not name them.
inline constexpr std::string_view kAlertBuiltinLabels[] = {"alertname", "block", "instance_id",
                                                           "policy", "status"};

// One `on_transition` item.
struct ActionConfig {
  ActionKind kind = ActionKind::kWebhook;
  // kWebhook: the URL as written. kFailurePolicy: the endpoint to POST to,
  // i.e. the configured base URL + "/executeFailurePolicy" (text included).
  // kAlertmanager: likewise, the base URL + "/api/v2/alerts".
  HttpUrl url;
  std::string failure_policy_id;  // kFailurePolicy only
  YAML::Node parameters;          // kFailurePolicy only; Null when absent
  // kAlertmanager only: extra labels of every alert (names checked as
  // Prometheus label names, none of the built-in ones, values non-empty),
  // and how often an active alert is sent again.
  std::map<std::string, std::string> labels;
  std::chrono::milliseconds resend_every{60'000};
  // Target statuses that trigger the action; all four when `to:` is absent
  // (kAlertmanager: the statuses that fire an alert, never ok; degraded,
  // unhealthy and unknown when absent).
  std::vector<Status> to;
  std::map<std::string, std::string> headers;
  TlsConfig tls;  // effective: the action's `tls:`, else the block's
  std::optional<std::filesystem::path> token_file;  // absolute
  std::chrono::milliseconds timeout{5'000};
  // Retries (absent: the dispatcher's defaults, docs/actions.md): attempts
  // before giving up, and the first delay, doubling up to max_backoff.
  std::optional<int> max_attempts;
  std::optional<std::chrono::milliseconds> backoff;
  std::optional<std::chrono::milliseconds> max_backoff;
  SourceMark mark;  // of the list item

  bool triggers_on(Status target) const;
};

struct BlockConfig {
  std::string id;
  BlockSettings settings;                  // effective: block overrides over defaults
  std::optional<MinHealthy> min_healthy;   // absent = every instance must be healthy
  std::optional<FlappingConfig> flapping;  // absent = no flap detection
  std::vector<InstanceConfig> instances;   // file order; may be empty (pushed later)
  std::vector<PolicyConfig> policies;      // file order
  std::vector<ActionConfig> on_transition;
  // Where more instances come from (the daemon's discovery adds them to
  // `instances`, marked discovered_by, when it builds a plan).
  std::vector<DiscoveryConfig> discovery;
  AiosShape aios;   // the config's `aios:` shape (the same for every block)
  SourceMark mark;  // of the list item
  BlockSource source = BlockSource::kFile;
  // The name positions in messages about this block carry in place of
  // Config::source: empty for a block of the file; "api:<id>" for a block
  // defined over HTTP, whose marks are lines of its body as read
  // (api_problem() maps them to JSON pointers).
  std::string position_label;
  // A block of the file whose id is also defined over HTTP: the file wins,
  // the HTTP definition stays stored (add_api_blocks).
  bool shadows_api_block = false;

  // Healthy instances needed out of `instances`: min_healthy, or all of them.
  int required_healthy(int instances) const;
  const InstanceConfig* find_instance(std::string_view id) const;  // nullptr if none
  const PolicyConfig* find_policy(std::string_view id) const;      // nullptr if none
};

// The `aios:` section: AIOS-exact behaviour where ours differs.
struct AiosConfig {
  AiosShape shape;  // copied into every BlockConfig
  // A second listener serving AIOS's `POST /mgmt` (off when absent), for
  // `mgmt_block` or the block a request names in its `block` field.
  std::optional<ListenAddress> mgmt_listen;
  std::optional<std::string> mgmt_block;  // a configured block's id
  friend bool operator==(const AiosConfig&, const AiosConfig&) = default;
};

// `remote_write:`: POST /api/v1/write, Prometheus remote write 1.0
// (docs/configuration.md). Applied on reload.
struct RemoteWriteConfig {
  bool enabled = false;                     // off: the endpoint answers 404
  std::string block_label = "block";        // the series label naming the block
  std::string instance_label = "instance";  // ... and the instance of it
  std::vector<std::string> drop_labels;     // removed from every sample, besides the two above
  std::uint64_t max_decoded_bytes = std::uint64_t{32} << 20;  // decompressed body, bytes
  friend bool operator==(const RemoteWriteConfig&, const RemoteWriteConfig&) = default;
};

struct Config {
  // The file name used in messages (as given to the loader); later
  // validation (e.g. of `with:` against a plugin's schema) reports
  // "<source>:<line>:<col>: ..." with it.
  std::string source;
  std::filesystem::path base_dir;  // folder relative paths were resolved against
  ServerConfig server;
  std::filesystem::path state_dir;  // absolute
  std::chrono::milliseconds history_retention{7LL * 24 * 3600 * 1000};
  std::vector<std::filesystem::path> plugin_dirs;  // absolute, file order
  BlockSettings defaults;                          // built-ins overridden by `defaults:`
  std::vector<BlockConfig> blocks;                 // file order; ids unique
  AiosConfig aios;
  RemoteWriteConfig remote_write;

  const BlockConfig* find_block(std::string_view id) const;  // nullptr if none
};

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_CONFIG_H
