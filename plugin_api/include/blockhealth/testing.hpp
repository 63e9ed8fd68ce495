// blockhealth offline policy test harness: header-only, C++20, standard
// library + dlopen. For a policy author's TESTS (link blockhealth::testing),
// never for a policy itself. See docs/writing-a-policy.md, "5. Test it offline".
//
// It loads a policy .so the way the daemon does and drives it with recorded
// observations, without the daemon:
//
//   auto plugin = bh::testing::Plugin::load(BH_POLICY_FILE_queue_depth);
//   bh::testing::PolicyUnderTest policy(plugin, R"({"warn": 10, "critical": 50})");
//   bh::testing::Observations in;
//   in.instance_id = "executor";
//   in.samples = bh::testing::parse_prometheus("queue_length 12\n");
//   bh::Verdict v = policy.evaluate_one(in);   // v.status == bh::Status::kWarn
//
// What it checks like the host does (a failed check throws bh::Error with a
// message starting with the file path): ELF loads with dlopen(RTLD_NOW),
// bh_policy_entry exists and returns a table, ABI major equal and minor not
// newer, struct_size large enough, create/destroy/evaluate present, name is
// 1 to 64 characters of [a-z0-9_], version set, params_schema (when set) is
// a JSON object (the daemon also compiles it as a JSON Schema). Per call it fills verdicts UNKNOWN
// "not evaluated" first, turns a failed call into UNKNOWN "policy <name> failed: <error>" for every
// instance, reads an out-of-range status as UNKNOWN, and throws bh::Error
// when the policy wrote past a host buffer, left it unterminated or changed
// a member it must not touch.
//
// What it does NOT do: validate params against params_schema (the daemon
// does; try `blockhealthd plugins inspect`), enforce deadlines (should_stop
// is scripted with Options::stop_after_polls), isolate crashes, or check
// file permissions. The library is never dlclosed, like in the daemon.
//
// Thread-safety: a PolicyUnderTest is used from one thread at a time (like a
// non-reentrant instance). Plugins may be shared.
#ifndef BLOCKHEALTH_TESTING_HPP
#define BLOCKHEALTH_TESTING_HPP

#include <dlfcn.h>

#include <atomic>
#include <blockhealth/policy.hpp>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bh::testing {

// ---------------------------------------------------------------------------
// Recorded observations, as plain values.
// ---------------------------------------------------------------------------
struct Sample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // in order
  double value = 0;
  std::int64_t timestamp_ms = 0;  // 0: the harness stamps Options::now_ms, like the host
};

struct LogLine {
  std::string text;
  std::int64_t time_ms = 0;  // 0: the harness stamps Options::now_ms
};

struct Probe {
  std::int32_t outcome = BH_PROBE_RESPONSE;  // BH_PROBE_*
  std::int32_t http_status = 200;
  std::int64_t latency_us = 1000;
  std::int64_t time_ms = 0;  // 0: the harness stamps Options::now_ms
  std::string url = "http://127.0.0.1:18001/health";
  std::string error;
  std::string body;
};

// Everything the host would know about one instance.
struct Observations {
  std::string instance_id = "instance-0";
  std::string block_id = "test-block";
  std::vector<Sample> samples;
  std::vector<LogLine> logs;  // oldest first
  std::optional<Probe> probe;
  // 0 = never seen; when 0 and the instance has samples, logs or a probe,
  // the harness uses Options::now_ms (the host never shows data "never seen").
  std::int64_t last_seen_ms = 0;
  std::int64_t last_request_ms = 0;  // 0 = unknown
};

// Reads a whole file (e.g. a recorded /metrics scrape); throws bh::Error.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

namespace detail {

inline bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
inline bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

inline std::optional<double> parse_number(std::string_view token) {
  if (token == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (token == "+Inf" || token == "Inf") return std::numeric_limits<double>::infinity();
  if (token == "-Inf") return -std::numeric_limits<double>::infinity();
  if (token.empty()) return std::nullopt;
  const std::string text(token);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

}  // namespace detail

// Parses Prometheus text exposition (what /metrics answers): one Sample per
// line `name{label="value",...} value [timestamp_ms]`; `#` lines and blank
// lines are skipped. Throws bh::Error "line N: <what>" on malformed input.
inline std::vector<Sample> parse_prometheus(std::string_view text) {
  std::vector<Sample> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    ++line_no;
    const auto fail = [&](const std::string& what) {
      return Error("line " + std::to_string(line_no) + ": " + what);
    };
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t i = 0;
    const auto skip_blanks = [&] {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    };
    skip_blanks();
    if (i == line.size() || line[i] == '#') continue;

    Sample sample;
    if (!detail::is_name_start(line[i]) && line[i] != ':') throw fail("expected a metric name");
    const std::size_t name_start = i;
    while (i < line.size() && (detail::is_name_char(line[i]) || line[i] == ':')) ++i;
    sample.name = std::string(line.substr(name_start, i - name_start));

    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        skip_blanks();
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        if (i >= line.size() || !detail::is_name_start(line[i]))
          throw fail("expected a label name");
        const std::size_t label_start = i;
        while (i < line.size() && detail::is_name_char(line[i])) ++i;
        std::string label(line.substr(label_start, i - label_start));
        skip_blanks();
        if (i >= line.size() || line[i] != '=') throw fail("expected '=' after label " + label);
        ++i;
        skip_blanks();
        if (i >= line.size() || line[i] != '"') throw fail("expected '\"' after " + label + "=");
        ++i;
        std::string value;
        while (true) {
          if (i >= line.size()) throw fail("unterminated value of label " + label);
          const char c = line[i++];
          if (c == '"') break;
          if (c != '\\') {
            value += c;
            continue;
          }
          if (i >= line.size()) throw fail("unterminated value of label " + label);
          const char e = line[i++];
          if (e == 'n') {
            value += '\n';
          } else if (e == '\\' || e == '"') {
            value += e;
          } else {
            throw fail(std::string("bad escape \\") + e + " in label " + label);
          }
        }
        sample.labels.emplace_back(std::move(label), std::move(value));
        skip_blanks();
        if (i < line.size() && line[i] == ',') {
          ++i;
        } else if (i >= line.size() || line[i] != '}') {
          throw fail("expected ',' or '}' after a label");
        }
      }
    }

    if (i >= line.size() || (line[i] != ' ' && line[i] != '\t')) {
      throw fail("expected a value after " + sample.name);
    }
    skip_blanks();
    std::size_t token_start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    const std::string_view value_token = line.substr(token_start, i - token_start);
    const std::optional<double> value = detail::parse_number(value_token);
    if (!value) throw fail("bad value '" + std::string(value_token) + "'");
    sample.value = *value;

    skip_blanks();
    if (i < line.size()) {
      token_start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      const std::string timestamp(line.substr(token_start, i - token_start));
      char* end = nullptr;
      const long long ts = std::strtoll(timestamp.c_str(), &end, 10);
      if (timestamp.empty() || end != timestamp.c_str() + timestamp.size()) {
        throw fail("bad timestamp '" + timestamp + "'");
      }
      sample.timestamp_ms = ts;
      skip_blanks();
      if (i < line.size()) throw fail("unexpected text after the timestamp");
    }
    out.push_back(std::move(sample));
  }
  return out;
}

// One instance observed through a Prometheus scrape at `time_ms`.
inline Observations observations_from_prometheus(std::string instance_id, std::string_view text,
                                                 std::int64_t time_ms = 0) {
  Observations o;
  o.instance_id = std::move(instance_id);
  o.samples = parse_prometheus(text);
  o.last_seen_ms = time_ms;
  return o;
}

// ---------------------------------------------------------------------------
// A loaded policy library.
// ---------------------------------------------------------------------------
class Plugin {
 public:
  // Loads `path` like the daemon does; throws bh::Error "<path>: <why>".
  static Plugin load(const std::string& path) {
    const auto fail = [&](const std::string& why) { return Error(path + ": " + why); };
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      throw fail(std::string("cannot load: ") + (why != nullptr ? why : "dlopen failed"));
    }
    // Never dlclosed: the daemon does not rely on dlclose either.
    void* symbol = ::dlsym(handle, BH_POLICY_ENTRY_SYMBOL);
    if (symbol == nullptr) throw fail("missing symbol " BH_POLICY_ENTRY_SYMBOL);
    bh_policy_entry_fn entry = nullptr;
    static_assert(sizeof entry == sizeof symbol);
    std::memcpy(&entry, &symbol, sizeof entry);
    const bh_policy_v1* table = entry(BH_ABI_MAJOR, BH_ABI_MINOR);
    if (table == nullptr) {
      throw fail("bh_policy_entry returned NULL: the policy refused host ABI " +
                 std::to_string(BH_ABI_MAJOR) + "." + std::to_string(BH_ABI_MINOR));
    }
    if (table->abi_major != BH_ABI_MAJOR) {
      throw fail("ABI major " + std::to_string(table->abi_major) + ", this host speaks " +
                 std::to_string(BH_ABI_MAJOR));
    }
    if (table->abi_minor > BH_ABI_MINOR) {
      throw fail("ABI minor " + std::to_string(table->abi_minor) + " is newer than this host's " +
                 std::to_string(BH_ABI_MINOR));
    }
    // Every member up to `manage` exists since ABI 1.0; manage is optional.
    if (table->struct_size < offsetof(bh_policy_v1, manage)) {
      throw fail("bh_policy_v1.struct_size is " + std::to_string(table->struct_size) +
                 ", too small: ABI 1.0 needs at least " +
                 std::to_string(offsetof(bh_policy_v1, manage)));
    }
    if (table->create == nullptr) throw fail("missing required function create");
    if (table->destroy == nullptr) throw fail("missing required function destroy");
    if (table->evaluate == nullptr) throw fail("missing required function evaluate");
    if (table->name == nullptr) throw fail("policy name is NULL");
    const std::string_view name = table->name;
    bool name_ok = !name.empty() && name.size() <= 64;
    for (const char c : name) {
      name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    }
    if (!name_ok) {
      throw fail("invalid policy name '" + std::string(name.substr(0, 80)) +
                 "': use 1 to 64 characters of [a-z0-9_]");
    }
    if (table->version == nullptr) throw fail("policy version is NULL");
    if (table->params_schema != nullptr) {
      try {
        if (!Json::parse(table->params_schema).is_object()) {
          throw Error("not a JSON object");
        }
      } catch (const Error& e) {
        throw fail(std::string("params_schema is not a JSON Schema object: ") + e.what());
      }
    }
    return Plugin(path, table);
  }

  const bh_policy_v1& table() const { return *table_; }
  const std::string& path() const { return path_; }
  std::string name() const { return table_->name; }
  std::string version() const { return table_->version; }
  std::string description() const {
    return table_->description == nullptr ? "" : table_->description;
  }
  std::string params_schema() const {
    return table_->params_schema == nullptr ? "" : table_->params_schema;
  }
  bool has_manage() const {
    return BH_HAS_MEMBER(table_, bh_policy_v1, manage) && table_->manage != nullptr;
  }
  bool reentrant() const { return (table_->flags & BH_POLICY_FLAG_REENTRANT) != 0; }

 private:
  Plugin(std::string path, const bh_policy_v1* table) : path_(std::move(path)), table_(table) {}
  std::string path_;
  const bh_policy_v1* table_;
};

// How the harness plays the host.
struct Options {
  std::int64_t now_ms = 1'700'000'000'000;  // wall clock seen by the policy (fixed)
  std::size_t reason_capacity = 512;        // bytes of each host buffer, NUL included
  std::size_t evidence_metric_capacity = 256;
  std::size_t error_capacity = 512;
  // should_stop() answers nonzero from its Nth poll of a call on (0: at
  // once); -1: never. Lets a test check that a policy stops early.
  long stop_after_polls = -1;
};

// What one evaluate call produced, as the host would record it.
struct BatchResult {
  bool ok = true;                 // the call returned BH_RESULT_OK
  std::string error;              // its call->error when not ok
  std::vector<Verdict> verdicts;  // one per input, in order
};

namespace detail {

constexpr std::size_t kCanarySize = 16;
constexpr char kCanary = '\x5A';

// A host-owned text buffer with a guard zone past its capacity.
class GuardedBuffer {
 public:
  GuardedBuffer(std::size_t capacity, std::string_view initial)
      : capacity_(capacity), bytes_(capacity + kCanarySize, kCanary) {
    bh_copy_string(bytes_.data(), capacity_, std::string(initial).c_str());
  }
  char* data() { return bytes_.data(); }
  std::size_t capacity() const { return capacity_; }
  // The text, or throws when the plugin overran or did not terminate it.
  std::string check(const std::string& what) const {
    for (std::size_t i = capacity_; i < bytes_.size(); ++i) {
      if (bytes_[i] != kCanary) {
        throw Error(what + ": written past its capacity of " + std::to_string(capacity_) +
                    " bytes");
      }
    }
    const void* nul = std::memchr(bytes_.data(), '\0', capacity_);
    if (capacity_ > 0 && nul == nullptr) throw Error(what + ": not NUL-terminated");
    return capacity_ == 0 ? std::string() : std::string(bytes_.data());
  }

 private:
  std::size_t capacity_;
  std::vector<char> bytes_;
};

// The bh_instance for one Observations, owning every byte it points at.
struct InstanceStorage {
  std::vector<std::vector<bh_label>> labels;
  std::vector<bh_sample> samples;
  std::vector<bh_log_line> logs;
  bh_probe probe{};
  bh_instance instance{};

  InstanceStorage(const Observations& o, std::int64_t now_ms) {
    labels.reserve(o.samples.size());
    samples.reserve(o.samples.size());
    for (const Sample& s : o.samples) {
      std::vector<bh_label>& ls = labels.emplace_back();
      for (const auto& [name, value] : s.labels) ls.push_back({name.c_str(), value.c_str()});
      samples.push_back({s.name.c_str(), ls.empty() ? nullptr : ls.data(), ls.size(), s.value,
                         s.timestamp_ms != 0 ? s.timestamp_ms : now_ms});
    }
    for (const LogLine& l : o.logs) {
      logs.push_back({l.text.c_str(), l.time_ms != 0 ? l.time_ms : now_ms});
    }
    instance.struct_size = sizeof(bh_instance);
    instance.block_id = o.block_id.c_str();
    instance.instance_id = o.instance_id.c_str();
    instance.samples = samples.empty() ? nullptr : samples.data();
    instance.sample_count = samples.size();
    instance.log_lines = logs.empty() ? nullptr : logs.data();
    instance.log_count = logs.size();
    if (o.probe) {
      probe.struct_size = sizeof(bh_probe);
      probe.outcome = o.probe->outcome;
      probe.http_status = o.probe->http_status;
      probe.latency_us = o.probe->latency_us;
      probe.time_ms = o.probe->time_ms != 0 ? o.probe->time_ms : now_ms;
      probe.url = o.probe->url.c_str();
      probe.error = o.probe->error.c_str();
      probe.body = o.probe->body.c_str();
      probe.body_size = o.probe->body.size();
      instance.probe = &probe;
    }
    const bool has_data = !o.samples.empty() || !o.logs.empty() || o.probe.has_value();
    instance.last_seen_ms = o.last_seen_ms != 0 ? o.last_seen_ms : (has_data ? now_ms : 0);
    instance.last_request_ms = o.last_request_ms;
  }
};

// Host-side state of one PolicyUnderTest; its address is stable.
struct HostState {
  Options options;
  bh_host host{};
  std::mutex log_mutex;
  std::vector<std::string> logs;
  std::atomic<long> polls{0};

  static HostState& from(const bh_host* h) { return *static_cast<HostState*>(h->host_data); }
  static HostState& from(const bh_call* c) { return *static_cast<HostState*>(c->host_data); }

  static void log(const bh_host* h, std::int32_t level, const char* message) {
    static constexpr const char* kLevels[] = {"debug", "info", "warn", "error"};
    const char* name = level >= 0 && level <= 3 ? kLevels[level] : "level?";
    HostState& self = from(h);
    const std::lock_guard<std::mutex> lock(self.log_mutex);
    self.logs.push_back(std::string(name) + ": " + (message != nullptr ? message : ""));
  }
  static std::int64_t monotonic_ns(const bh_host*) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  static std::int64_t wall_ms(const bh_host* h) { return from(h).options.now_ms; }
  static std::int32_t should_stop(const bh_call* call) {
    HostState& self = from(call);
    const long n = self.polls.fetch_add(1);
    return self.options.stop_after_polls >= 0 && n >= self.options.stop_after_polls ? 1 : 0;
  }

  explicit HostState(Options o) : options(o) {
    host.struct_size = sizeof(bh_host);
    host.abi_major = BH_ABI_MAJOR;
    host.abi_minor = BH_ABI_MINOR;
    host.host_data = this;
    host.log = &HostState::log;
    host.monotonic_ns = &HostState::monotonic_ns;
    host.wall_ms = &HostState::wall_ms;
  }

  // A fresh call context whose error buffer is `error`.
  bh_call make_call(GuardedBuffer& error) {
    polls = 0;
    bh_call call{};
    call.struct_size = sizeof(bh_call);
    call.now_ms = options.now_ms;
    call.deadline_ns = monotonic_ns(nullptr) + 3'600'000'000'000LL;
    call.should_stop = &HostState::should_stop;
    call.error = error.data();
    call.error_capacity = error.capacity();
    call.host_data = this;
    return call;
  }
};

}  // namespace detail

// One created policy instance, driven like the host drives it. Created in
// the constructor (throws bh::Error with create's message on failure),
// destroyed in the destructor. Movable, not copyable.
class PolicyUnderTest {
 public:
  explicit PolicyUnderTest(const Plugin& plugin, std::string_view params_json = "{}",
                           Options options = {})
      : table_(&plugin.table()),
        name_(plugin.name()),
        state_(std::make_unique<detail::HostState>(options)) {
    try {
      if (!Json::parse(params_json).is_object()) throw Error("not a JSON object");
    } catch (const Error& e) {
      throw Error("test bug: params must be a JSON object (" + std::string(e.what()) + ")");
    }
    detail::GuardedBuffer error(state_->options.error_capacity, "");
    bh_call call = state_->make_call(error);
    const std::string params(params_json);
    handle_ = table_->create(&state_->host, params.c_str(), &call);
    const std::string message = error.check("policy " + name_ + ": create's call->error");
    if (handle_ == nullptr) {
      throw Error("policy " + name_ +
                  ": create failed: " + (message.empty() ? std::string("(no message)") : message));
    }
  }
  ~PolicyUnderTest() {
    if (handle_ != nullptr) table_->destroy(handle_);
  }
  PolicyUnderTest(PolicyUnderTest&& other) noexcept
      : table_(other.table_),
        name_(std::move(other.name_)),
        state_(std::move(other.state_)),
        handle_(std::exchange(other.handle_, nullptr)) {}
  PolicyUnderTest& operator=(PolicyUnderTest&&) = delete;
  PolicyUnderTest(const PolicyUnderTest&) = delete;
  PolicyUnderTest& operator=(const PolicyUnderTest&) = delete;

  // One batched evaluate call over `batch` (one block's instances).
  BatchResult evaluate(const std::vector<Observations>& batch) {
    if (batch.empty()) throw Error("test bug: the host never evaluates an empty batch");
    const Options& options = state_->options;
    std::vector<std::unique_ptr<detail::InstanceStorage>> storage;
    std::vector<const bh_instance*> in;
    std::vector<detail::GuardedBuffer> reasons;
    std::vector<detail::GuardedBuffer> metrics;
    std::vector<bh_verdict> verdicts(batch.size());
    std::vector<bh_verdict*> out;
    reasons.reserve(batch.size());
    metrics.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      storage.push_back(std::make_unique<detail::InstanceStorage>(batch[i], options.now_ms));
      in.push_back(&storage.back()->instance);
      reasons.emplace_back(options.reason_capacity, "not evaluated");
      metrics.emplace_back(options.evidence_metric_capacity, "");
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
      bh_verdict& v = verdicts[i];
      v.struct_size = sizeof(bh_verdict);
      v.status = BH_STATUS_UNKNOWN;
      v.reason = reasons[i].data();
      v.reason_capacity = reasons[i].capacity();
      v.has_evidence = 0;
      v.evidence_metric = metrics[i].data();
      v.evidence_metric_capacity = metrics[i].capacity();
      out.push_back(&v);
    }
    const std::vector<bh_verdict> before = verdicts;

    detail::GuardedBuffer error(options.error_capacity, "");
    bh_call call = state_->make_call(error);
    const bh_result result = table_->evaluate(handle_, &call, in.data(), in.size(), out.data());

    BatchResult answer;
    answer.error = error.check("policy " + name_ + ": evaluate's call->error");
    answer.ok = result == BH_RESULT_OK;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const std::string where = "policy " + name_ + ": out[" + std::to_string(i) + "]";
      const bh_verdict& v = verdicts[i];
      if (v.struct_size != before[i].struct_size || v.reason != before[i].reason ||
          v.reason_capacity != before[i].reason_capacity ||
          v.evidence_metric != before[i].evidence_metric ||
          v.evidence_metric_capacity != before[i].evidence_metric_capacity) {
        throw Error(where + ": the policy changed a buffer pointer, capacity or struct_size");
      }
      Verdict verdict;
      verdict.reason = reasons[i].check(where + ".reason");
      const std::string metric = metrics[i].check(where + ".evidence_metric");
      if (!answer.ok) {
        verdict = Verdict::unknown("policy " + name_ + " failed: " + answer.error);
      } else if (v.status < BH_STATUS_OK || v.status > BH_STATUS_UNKNOWN) {
        verdict = Verdict::unknown("policy " + name_ + " returned invalid status " +
                                   std::to_string(v.status));
      } else {
        verdict.status = static_cast<Status>(v.status);
        if (v.has_evidence != 0) {
          verdict.evidence = Evidence{metric, v.evidence_observed, v.evidence_limit};
        }
      }
      answer.verdicts.push_back(std::move(verdict));
    }
    return answer;
  }

  // Evaluates one instance alone; throws bh::Error when the call failed.
  Verdict evaluate_one(const Observations& in) {
    BatchResult r = evaluate({in});
    if (!r.ok) throw Error("policy " + name_ + ": evaluate failed: " + r.error);
    return std::move(r.verdicts.front());
  }

  // Calls manage(); returns the answer ("{}" when it wrote none), checked to
  // be JSON. Throws bh::Error when the policy has no manage or it failed.
  std::string manage(std::string_view action, std::string_view data_json = "{}") {
    if (!(BH_HAS_MEMBER(table_, bh_policy_v1, manage) && table_->manage != nullptr)) {
      throw Error("policy " + name_ + " has no manage function");
    }
    struct Sink {
      bh_output output;
      std::string text;
    } sink{};
    sink.output.host_data = &sink;
    sink.output.write = [](const bh_output* o, const char* data, std::size_t size) {
      static_cast<Sink*>(o->host_data)->text.append(data, size);
    };
    detail::GuardedBuffer error(state_->options.error_capacity, "");
    bh_call call = state_->make_call(error);
    const std::string action_text(action);
    const std::string data(data_json);
    const bh_result result =
        table_->manage(handle_, &call, action_text.c_str(), data.c_str(), &sink.output);
    const std::string message = error.check("policy " + name_ + ": manage's call->error");
    if (result != BH_RESULT_OK) {
      throw Error("policy " + name_ + ": manage '" + action_text + "' failed: " + message);
    }
    if (sink.text.empty()) return "{}";
    try {
      (void)Json::parse(sink.text);
    } catch (const Error& e) {
      throw Error("policy " + name_ + ": manage '" + action_text +
                  "' answered non-JSON: " + e.what());
    }
    return sink.text;
  }

  // Lines the policy logged through bh_host.log, as "<level>: <message>".
  std::vector<std::string> logs() const {
    const std::lock_guard<std::mutex> lock(state_->log_mutex);
    return state_->logs;
  }
  // Change how the harness plays the host (e.g. advance now_ms) between calls.
  Options& options() { return state_->options; }

 private:
  const bh_policy_v1* table_;
  std::string name_;
  std::unique_ptr<detail::HostState> state_;
  bh_policy_instance* handle_ = nullptr;
};

// The message create() fails with for `params_json`, or "" when it succeeds
// (the instance is then destroyed). For testing parameter checks.
inline std::string create_error(const Plugin& plugin, std::string_view params_json) {
  try {
    PolicyUnderTest policy(plugin, params_json);
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

}  // namespace bh::testing

#endif  // BLOCKHEALTH_TESTING_HPP
