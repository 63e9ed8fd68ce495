/*
 * blockhealth policy ABI, version 1.1.
 *
 * The one contract between blockhealthd (the host) and a health-check policy
 * (a shared object, the plugin). Pure C99; compiles as C and as C++; no types
 * beyond <stdint.h> and <stddef.h>. See docs/abi.md for the prose version.
 *
 * ---------------------------------------------------------------------------
 * Conventions, stated once
 * ---------------------------------------------------------------------------
 * - Strings are NUL-terminated UTF-8. A `const char *` the host passes in is
 *   borrowed: valid until the call it was passed to returns, unless stated.
 *   A plugin that needs a string later copies it.
 * - Pointers are non-NULL unless the field says "may be NULL". Counts that
 *   go with a pointer may be 0.
 * - "The call returns" means the plugin's function actually returns. When
 *   the host stops waiting for an overrunning call (see bh_call), it still
 *   keeps every argument of that call, and every buffer they point to, alive
 *   until the function returns; a late write by the plugin lands in memory
 *   the host still owns and is ignored.
 * - Times: `*_ms` fields are Unix wall-clock milliseconds (0 = absent);
 *   `*_ns` deadlines are on the host's monotonic clock (bh_host.monotonic_ns).
 * - Nothing allocated by one side is ever freed by the other. The plugin
 *   returns data only by writing into host-owned buffers (bh_verdict,
 *   bh_call.error) or through host callbacks that copy (bh_output.write).
 * - Exceptions, longjmp and C++ types never cross this boundary. A plugin
 *   written in C++ must catch everything at every entry point (policy.hpp
 *   does this for you).
 * - Growth: this major version only ever grows by appending members at the
 *   end of a struct that starts with `struct_size`. A reader must check
 *   `struct_size` before touching a member added in a later minor version.
 *   Structs WITHOUT `struct_size` (bh_label, bh_sample, bh_log_line) are
 *   array elements and are frozen for major 1: new per-item data arrives as
 *   new parallel arrays appended to bh_instance. Ids and constants are never
 *   reused with another meaning.
 *
 * Thread tags on every function pointer:
 *   [control-thread]  called by the host's control thread only, never at the
 *                     same time as any other call on the same policy instance.
 *   [eval-thread]     called from a host worker thread. Calls on one policy
 *                     instance never overlap unless the policy sets
 *                     BH_POLICY_FLAG_REENTRANT; different instances may be
 *                     entered in parallel.
 *   [thread-safe]     may be called from any thread, concurrently.
 */
#ifndef BLOCKHEALTH_POLICY_ABI_H
#define BLOCKHEALTH_POLICY_ABI_H
/* Formatted by hand (C style, aligned comments), not by clang-format: */
/* clang-format off */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* C naming (bh_ snake_case) is this ABI's convention, not C++ style.
 * NOLINTBEGIN(readability-identifier-naming) */

/* ABI version of this header. The host accepts a plugin when the majors are
 * equal and the plugin's minor is not newer than the host's. A minor bump
 * only appends (members at the end of a struct with struct_size, new
 * constants, new flags a plugin opts into); anything else is a new major. */
#define BH_ABI_MAJOR 1u
#define BH_ABI_MINOR 1u

/* Visibility: a plugin is built with hidden visibility and exports only the
 * entry symbol. */
#if defined(_WIN32)
#define BH_EXPORT __declspec(dllexport)
#else
#define BH_EXPORT __attribute__((visibility("default")))
#endif

/* --------------------------------------------------------------------------
 * Statuses and result codes
 * ------------------------------------------------------------------------ */

/* A verdict status. Stored as int32_t so the layout never depends on the
 * compiler's enum size. Severity for aggregation, worst last:
 * OK < WARN < UNKNOWN < CRITICAL. */
typedef int32_t bh_status;
#define BH_STATUS_OK 0       /* healthy */
#define BH_STATUS_WARN 1     /* degraded: serving, but needs attention */
#define BH_STATUS_CRITICAL 2 /* unhealthy */
#define BH_STATUS_UNKNOWN 3  /* cannot tell: missing, stale or unreadable data */

/* Result of evaluate/manage. Anything but BH_RESULT_OK is a failure; the
 * plugin should explain it in bh_call.error. */
typedef int32_t bh_result;
#define BH_RESULT_OK 0
#define BH_RESULT_ERROR 1

/* Log levels for bh_host.log. */
#define BH_LOG_DEBUG 0
#define BH_LOG_INFO 1
#define BH_LOG_WARN 2
#define BH_LOG_ERROR 3

/* bh_policy_v1.flags */
/* BH_POLICY_FLAG_REENTRANT: the host may enter evaluate and manage of ONE
 * policy instance from several threads at once; the plugin then guards its
 * own mutable state. Without it, calls on one instance are serialized. */
#define BH_POLICY_FLAG_REENTRANT 0x1u
/* BH_POLICY_FLAG_WHOLE_BLOCK (ABI 1.1): whenever any instance of a block is
 * due, pass every instance of the block to evaluate, not only the due ones
 * (for policies that compare instances with each other). Ignored in a
 * plugin whose abi_minor is 0: such a plugin always gets the whole block. */
#define BH_POLICY_FLAG_WHOLE_BLOCK 0x2u

/* bh_policy_v1.inputs (ABI 1.1): which observations the policy reads. New
 * data of a kind it does not read does not make an instance due for it (a
 * log_pattern policy is not judged again because a metrics scrape came).
 * 0 means all of them, and is what a 1.0 table (which has no `inputs`)
 * reads as. last_seen_ms moves with every kind; a policy that reads it
 * declares every kind (0). */
#define BH_INPUT_SAMPLES 0x1u      /* bh_instance.samples */
#define BH_INPUT_LOGS 0x2u         /* bh_instance.log_lines */
#define BH_INPUT_PROBE 0x4u        /* bh_instance.probe */
#define BH_INPUT_LAST_REQUEST 0x8u /* bh_instance.last_request_ms */

/* --------------------------------------------------------------------------
 * Host services
 * ------------------------------------------------------------------------ */

/* A table of host functions, passed to create(). Owned by the host; valid
 * until destroy() of the instance it was passed with returns. */
typedef struct bh_host {
  uint32_t struct_size; /* sizeof(bh_host) as the host compiled it */
  uint32_t abi_major;   /* the host's BH_ABI_MAJOR */
  uint32_t abi_minor;   /* the host's BH_ABI_MINOR */
  void *host_data;      /* opaque to the plugin; pass back unchanged */

  /* [thread-safe] Writes one line to the daemon's log, tagged with the
   * policy's name and instance. `message` is copied. */
  void (*log)(const struct bh_host *host, int32_t level, const char *message);

  /* [thread-safe] The host's monotonic clock, nanoseconds. Deadlines in
   * bh_call are on this clock. */
  int64_t (*monotonic_ns)(const struct bh_host *host);

  /* [thread-safe] The host's wall clock, Unix milliseconds. Tests may inject
   * a fake clock here, so prefer it (or bh_call.now_ms) to time(). */
  int64_t (*wall_ms)(const struct bh_host *host);
} bh_host;

/* --------------------------------------------------------------------------
 * Per-call context
 * ------------------------------------------------------------------------ */

/* One call's context. Owned by the host; valid until the call it was passed
 * to returns. Passed to create, evaluate and manage. */
typedef struct bh_call {
  uint32_t struct_size;
  int64_t now_ms;      /* the wall time this evaluation is "as of" */
  int64_t deadline_ns; /* monotonic; past it the host stops waiting for this call */

  /* [thread-safe] Nonzero once the deadline has passed or the host cancelled
   * the call (shutdown, reload). Cheap; a long-running policy should poll it
   * (e.g. between instances) and return early; verdicts it has not written
   * stay UNKNOWN "not evaluated". */
  int32_t (*should_stop)(const struct bh_call *call);

  /* Host-owned buffer for a failure message. On failure the plugin writes a
   * NUL-terminated message of at most error_capacity bytes (including the
   * NUL). error[0] is '\0' on entry. */
  char *error;
  size_t error_capacity;

  void *host_data; /* opaque to the plugin */
} bh_call;

/* --------------------------------------------------------------------------
 * Observations (inputs to evaluate). All borrowed for the evaluate call.
 * ------------------------------------------------------------------------ */

/* A Prometheus-style label. Frozen for major 1 (array element). */
typedef struct bh_label {
  const char *name;
  const char *value;
} bh_label;

/* One metric sample, the latest of its series. Frozen for major 1. */
typedef struct bh_sample {
  const char *name;       /* metric name, e.g. "DCGM_FI_DEV_GPU_TEMP" */
  const bh_label *labels; /* may be NULL when label_count == 0 */
  size_t label_count;
  double value;         /* may be NaN or +-Inf, as the source sent it */
  int64_t timestamp_ms; /* source timestamp, or arrival time when it had none */
} bh_sample;

/* One log line. Frozen for major 1. */
typedef struct bh_log_line {
  const char *text; /* valid UTF-8 (invalid bytes replaced), no trailing newline */
  int64_t time_ms;  /* when the host received the line */
} bh_log_line;

/* Outcome of the host's last /health probe of the instance. */
#define BH_PROBE_NONE 0           /* no probe configured or none done yet */
#define BH_PROBE_RESPONSE 1       /* an HTTP response arrived (any status) */
#define BH_PROBE_REFUSED 2        /* connection refused */
#define BH_PROBE_DNS 3            /* name did not resolve */
#define BH_PROBE_TIMEOUT 4        /* no complete answer within the timeout */
#define BH_PROBE_PROTOCOL 5       /* not HTTP, reset, truncated or too large */
#define BH_PROBE_TLS 6            /* TLS handshake or certificate failure */
#define BH_PROBE_OTHER_ERROR 7    /* anything else; see error */

typedef struct bh_probe {
  uint32_t struct_size;
  int32_t outcome;     /* BH_PROBE_* */
  int32_t http_status; /* when outcome == BH_PROBE_RESPONSE, else 0 */
  int64_t latency_us;  /* request start to last byte, or to the failure */
  int64_t time_ms;     /* when the probe finished */
  const char *url;     /* the probed URL */
  const char *error;   /* human-readable failure, "" when none */
  const char *body;    /* raw body, may contain NUL bytes; never NULL */
  size_t body_size;    /* bytes in body (excluding the terminating NUL) */
} bh_probe;

/* Everything the host knows about one instance of a block. */
typedef struct bh_instance {
  uint32_t struct_size;
  const char *block_id;
  const char *instance_id;

  const bh_sample *samples; /* one per series, may be NULL when sample_count == 0 */
  size_t sample_count;

  const bh_log_line *log_lines; /* oldest first, may be NULL when log_count == 0 */
  size_t log_count;

  const bh_probe *probe; /* may be NULL: no health probe for this instance */

  int64_t last_seen_ms;    /* last observation of any kind, 0 = never */
  int64_t last_request_ms; /* last served request as reported by the source, 0 = unknown */
} bh_instance;

/* --------------------------------------------------------------------------
 * Outputs
 * ------------------------------------------------------------------------ */

/* One instance's verdict from one policy. Owned by the host. Before evaluate
 * is called the host sets status = BH_STATUS_UNKNOWN, reason = "not
 * evaluated", has_evidence = 0; a policy that returns early leaves it so.
 * The plugin may write status, the buffers (NUL-terminated, truncated to
 * their capacity) and the evidence fields, and nothing else. */
typedef struct bh_verdict {
  uint32_t struct_size;
  bh_status status;

  char *reason; /* host buffer: why, for humans; e.g. "GPU 1 at 86 C >= 85 C" */
  size_t reason_capacity;

  /* Evidence shown by the HTTP API: which metric, what it was, the limit. */
  int32_t has_evidence;    /* nonzero when the three fields below are set */
  char *evidence_metric;   /* host buffer, e.g. "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\"}" */
  size_t evidence_metric_capacity;
  double evidence_observed;
  double evidence_limit;

  /* ABI 1.1. Until when (Unix ms) this verdict holds if no new observation
   * of the instance arrives. The host does not evaluate the instance with
   * this policy again before then unless new data for it arrives (of a
   * kind the policy reads, see bh_policy_v1.inputs). The host sets 0
   * before the call:
   *   0                        holds for this interval only; evaluate again
   *                            at the next one (what ABI 1.0 does always);
   *   BH_VALID_UNTIL_NEW_DATA  depends only on the observations passed in:
   *                            evaluate again when new data arrives;
   *   any other time           e.g. when max_age passes or a matching log
   *                            line leaves the window; the first tick at or
   *                            after it evaluates the instance again.
   * A time at or before bh_call.now_ms reads as 0. The host sized this
   * struct: a plugin checks BH_HAS_MEMBER(out, bh_verdict, valid_until_ms)
   * before writing it (a 1.0 host's verdicts end before it). */
  int64_t valid_until_ms;
} bh_verdict;

/* bh_verdict.valid_until_ms: the verdict holds until new data arrives. */
#define BH_VALID_UNTIL_NEW_DATA INT64_MAX

/* A sink the plugin writes a manage() answer into. Owned by the host; valid
 * until the manage call returns. The host copies what is written. */
typedef struct bh_output {
  void *host_data; /* opaque to the plugin */
  /* [eval-thread, same thread as the manage call] Appends `size` bytes to
   * the answer; may be called several times. `data` need not be
   * NUL-terminated. */
  void (*write)(const struct bh_output *out, const char *data, size_t size);
} bh_output;

/* --------------------------------------------------------------------------
 * The policy table
 * ------------------------------------------------------------------------ */

/* Opaque per-instance state, defined by the plugin. */
typedef struct bh_policy_instance bh_policy_instance;

typedef struct bh_policy_v1 {
  /* Handshake: first, in this order, forever. */
  uint32_t struct_size; /* sizeof(bh_policy_v1) as the plugin compiled it */
  uint32_t abi_major;   /* BH_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;   /* BH_ABI_MINOR the plugin was built with */
  uint32_t flags;       /* BH_POLICY_FLAG_* */

  /* Descriptor. Static strings, valid while the library is loaded. */
  const char *name;          /* what YAML's `use:` names; [a-z0-9_]+, unique per host */
  const char *version;       /* the policy's own version, e.g. "1.2.0" */
  const char *description;   /* one line for humans */
  const char *params_schema; /* JSON Schema (draft 7) of `with:`; may be NULL = any object */

  /* [control-thread] Makes an instance for one block's `with:` parameters,
   * already validated against params_schema and given as a JSON object.
   * `host` stays valid until destroy() returns. On failure returns NULL
   * with a message in call->error; the host then reports a config error
   * and never calls destroy. */
  bh_policy_instance *(*create)(const bh_host *host, const char *params_json, bh_call *call);

  /* [control-thread] Frees an instance. Never called while another call on
   * it is running. Must not fail. */
  void (*destroy)(bh_policy_instance *self);

  /* [eval-thread] Judges `count` instances of one block in one call.
   * in[i] and out[i] belong together; both arrays and everything they point
   * to are borrowed for this call only; `count` >= 1. Which instances: for
   * a plugin of ABI 1.0, or one that sets BH_POLICY_FLAG_WHOLE_BLOCK, every
   * instance of the block the policy judges, at every tick where any is
   * due; otherwise (ABI 1.1) only the instances that are due: new data
   * since this policy last saw them, a verdict whose valid_until_ms has
   * passed, or never judged yet. The policy writes
   * out[i] for the instances it can judge and must not keep any pointer.
   * A status outside BH_STATUS_* is read as UNKNOWN. Returns
   * BH_RESULT_OK, or BH_RESULT_ERROR with call->error set: the host then
   * treats every verdict of this call as UNKNOWN with that error, and a
   * policy that keeps failing is quarantined. Past call->deadline_ns the
   * host stops waiting: the call's verdicts become UNKNOWN ("timed out")
   * and the instance is not entered again until the call returns. */
  bh_result (*evaluate)(bh_policy_instance *self, bh_call *call, const bh_instance *const *in,
                        size_t count, bh_verdict *const *out);

  /* [eval-thread] Optional (may be NULL). Handles an operator action from
   * POST /block/<id>/health-checker/mgmt: `action` names it, `data_json` is
   * a JSON object (never NULL, "{}" when absent). The answer, when any, is
   * written as JSON to `answer`. Returns BH_RESULT_OK, or BH_RESULT_ERROR
   * with call->error set (e.g. an unknown action). */
  bh_result (*manage)(bh_policy_instance *self, bh_call *call, const char *action,
                      const char *data_json, const bh_output *answer);

  /* ABI 1.1. BH_INPUT_* bits: the observations the policy reads; 0 = all.
   * Read by the host only when struct_size covers it. */
  uint32_t inputs;
} bh_policy_v1;

/* The one symbol a plugin exports (declared here so that a definition with
 * another signature fails to compile, and so that it is exported even when
 * the definition forgets BH_EXPORT):
 * [control-thread] Returns a pointer to a static table, valid while the
 * library is loaded, or NULL to refuse this host (e.g. too old). Must not
 * allocate, start threads or have side effects; the host may call it more
 * than once. */
#define BH_POLICY_ENTRY_SYMBOL "bh_policy_entry"
typedef const bh_policy_v1 *(*bh_policy_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);
BH_EXPORT const bh_policy_v1 *bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor);

/* --------------------------------------------------------------------------
 * Helpers for C policies. Header-only (static inline), no libc needed; they
 * never write past a capacity and accept NULL where noted.
 * ------------------------------------------------------------------------ */

/* Nonzero when the struct at `ptr` (which starts with struct_size) is large
 * enough to hold `member`: check it before reading a member that a later
 * minor version appended, e.g. BH_HAS_MEMBER(host, bh_host, wall_ms). */
#define BH_HAS_MEMBER(ptr, type, member) \
  ((ptr)->struct_size >= offsetof(type, member) + BH_MEMBER_SIZE_(type, member))

/* Internal to this header: keep the helpers free of casts and of 0-as-NULL
 * in C++, for authors who build with -Wold-style-cast and friends. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define BH_MEMBER_SIZE_(type, member) sizeof(type::member)
#define BH_NULL_ nullptr
#else
#define BH_MEMBER_SIZE_(type, member) sizeof(((const type *)0)->member)
#define BH_NULL_ NULL
#endif

/* Copies `text` (NULL reads as "") into a host buffer of `capacity` bytes,
 * truncating on a UTF-8 character boundary and always NUL-terminating. Does
 * nothing when `buffer` is NULL or `capacity` is 0. */
static inline void bh_copy_string(char *buffer, size_t capacity, const char *text) {
  size_t n = 0;
  size_t i;
  if (!buffer || capacity == 0) return;
  if (text) {
    while (text[n] != '\0' && n + 1 < capacity) ++n;
    if (text[n] != '\0') {
      /* Truncated: do not cut a multi-byte character (10xxxxxx = continuation). */
      while (n > 0 && (text[n] & 0xC0) == 0x80) --n;
    }
    for (i = 0; i < n; ++i) buffer[i] = text[i];
  }
  buffer[n] = '\0';
}

/* Nonzero when the NUL-terminated strings are equal (NULL equals only NULL). */
static inline int bh_str_equal(const char *a, const char *b) {
  if (!a || !b) return a == b;
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

/* Nonzero when `text` starts with `prefix` (every text starts with ""). */
static inline int bh_str_starts_with(const char *text, const char *prefix) {
  if (!text || !prefix) return 0;
  while (*prefix != '\0') {
    if (*text++ != *prefix++) return 0;
  }
  return 1;
}

/* Writes a failure message into call->error (truncated to its capacity). */
static inline void bh_set_error(bh_call *call, const char *message) {
  if (call) bh_copy_string(call->error, call->error_capacity, message);
}

/* Sets a verdict's status and reason (truncated to its capacity). */
static inline void bh_verdict_set(bh_verdict *out, bh_status status, const char *reason) {
  if (!out) return;
  out->status = status;
  bh_copy_string(out->reason, out->reason_capacity, reason);
}

/* Sets a verdict's evidence: the metric (e.g. a series name with labels),
 * the observed value and the limit it was compared with. */
static inline void bh_verdict_set_evidence(bh_verdict *out, const char *metric, double observed,
                                           double limit) {
  if (!out) return;
  out->has_evidence = 1;
  bh_copy_string(out->evidence_metric, out->evidence_metric_capacity, metric);
  out->evidence_observed = observed;
  out->evidence_limit = limit;
}

/* Sets until when the verdict holds without new data (ABI 1.1; see
 * bh_verdict.valid_until_ms). Does nothing on a 1.0 host's verdict. */
static inline void bh_verdict_set_valid_until(bh_verdict *out, int64_t valid_until_ms) {
  if (!out || !BH_HAS_MEMBER(out, bh_verdict, valid_until_ms)) return;
  out->valid_until_ms = valid_until_ms;
}

/* The value of label `name` of sample `s`, or NULL when it has none. The
 * pointer is borrowed like the sample (valid during evaluate). */
static inline const char *bh_sample_label(const bh_sample *s, const char *name) {
  size_t i;
  if (!s || !s->labels) return BH_NULL_;
  for (i = 0; i < s->label_count; ++i) {
    if (bh_str_equal(s->labels[i].name, name)) return s->labels[i].value;
  }
  return BH_NULL_;
}

/* Iterates the samples of `in` whose metric name equals `name`, or, when
 * `name` ends with '*', starts with what precedes the '*':
 *   const bh_sample *s = NULL;
 *   while ((s = bh_next_sample(in, "queue_length", s)) != NULL) { ... }
 * `after` is NULL to start, else the sample this function last returned
 * for `in`. Returns NULL when there are no more. */
static inline const bh_sample *bh_next_sample(const bh_instance *in, const char *name,
                                              const bh_sample *after) {
  const bh_sample *s;
  const bh_sample *end;
  size_t len = 0;
  if (!in || !in->samples || !name) return BH_NULL_;
  while (name[len] != '\0') ++len;
  end = in->samples + in->sample_count;
  for (s = after ? after + 1 : in->samples; s < end; ++s) {
    if (len > 0 && name[len - 1] == '*') {
      size_t k = 0;
      while (k + 1 < len && s->name[k] == name[k]) ++k;
      if (k + 1 == len) return s;
    } else if (bh_str_equal(s->name, name)) {
      return s;
    }
  }
  return BH_NULL_;
}

/* NOLINTEND(readability-identifier-naming) */
#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BLOCKHEALTH_POLICY_ABI_H */
