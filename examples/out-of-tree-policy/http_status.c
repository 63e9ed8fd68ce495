/*
 * http_status: judges an instance by its last /health probe. Plain C99,
 * written against policy_abi.h and params.h only.
 *
 *   no probe configured or none yet    -> UNKNOWN
 *   connection refused, timeout, ...   -> CRITICAL, with the probe's error
 *   an answer other than expect_status -> CRITICAL
 *   an answer slower than slow_ms      -> WARN
 *   otherwise                          -> OK
 */
#include <blockhealth/params.h>
#include <blockhealth/policy_abi.h>
#include <stdio.h>
#include <stdlib.h>

#include "http_status_schema.h" /* BH_PARAMS_SCHEMA, from http_status.schema.json */

/* One instance's parameters. The host may run different instances (one per
 * block) in parallel, so all state lives here, none in globals. */
struct bh_policy_instance {
  double expect_status;
  double slow_ms;
};

static bh_policy_instance* http_status_create(const bh_host* host, const char* params_json,
                                              bh_call* call) {
  bh_policy_instance* self;
  double expect_status = 200;
  double slow_ms = 1000;
  (void)host;
  /* The host checked params_json against the schema; still, never trust it. */
  if (bh_param_number(params_json, "expect_status", &expect_status) == BH_PARAM_WRONG_TYPE ||
      bh_param_number(params_json, "slow_ms", &slow_ms) == BH_PARAM_WRONG_TYPE) {
    bh_set_error(call, "expect_status and slow_ms must be numbers");
    return NULL;
  }
  if (!(expect_status >= 100 && expect_status <= 599)) {
    bh_set_error(call, "expect_status must be an HTTP status, 100 to 599");
    return NULL;
  }
  if (!(slow_ms > 0)) {
    bh_set_error(call, "slow_ms must be greater than 0");
    return NULL;
  }
  self = malloc(sizeof *self);
  if (!self) {
    bh_set_error(call, "out of memory");
    return NULL;
  }
  self->expect_status = expect_status;
  self->slow_ms = slow_ms;
  return self;
}

static void http_status_destroy(bh_policy_instance* self) {
  free(self);
}

static void judge(const bh_policy_instance* self, const bh_instance* in, bh_verdict* out) {
  const bh_probe* probe = in->probe;
  char reason[256];
  double latency_ms;
  if (!probe) {
    bh_verdict_set(out, BH_STATUS_UNKNOWN, "no health probe configured for this instance");
    return;
  }
  if (probe->outcome == BH_PROBE_NONE) {
    bh_verdict_set(out, BH_STATUS_UNKNOWN, "not probed yet");
    return;
  }
  if (probe->outcome != BH_PROBE_RESPONSE) {
    snprintf(reason, sizeof reason, "GET %s failed: %s", probe->url,
             probe->error[0] != '\0' ? probe->error : "no answer");
    bh_verdict_set(out, BH_STATUS_CRITICAL, reason);
    return;
  }
  if (probe->http_status != (int32_t)self->expect_status) {
    snprintf(reason, sizeof reason, "GET %s answered %d, expected %d", probe->url,
             (int)probe->http_status, (int)self->expect_status);
    bh_verdict_set(out, BH_STATUS_CRITICAL, reason);
    bh_verdict_set_evidence(out, "http_status", probe->http_status, self->expect_status);
    return;
  }
  latency_ms = (double)probe->latency_us / 1000.0;
  if (latency_ms > self->slow_ms) {
    snprintf(reason, sizeof reason, "GET %s took %.0f ms > %.0f ms", probe->url, latency_ms,
             self->slow_ms);
    bh_verdict_set(out, BH_STATUS_WARN, reason);
    bh_verdict_set_evidence(out, "health_latency_ms", latency_ms, self->slow_ms);
    return;
  }
  snprintf(reason, sizeof reason, "GET %s answered %d in %.0f ms", probe->url,
           (int)probe->http_status, latency_ms);
  bh_verdict_set(out, BH_STATUS_OK, reason);
}

static bh_result http_status_evaluate(bh_policy_instance* self, bh_call* call,
                                      const bh_instance* const* in, size_t count,
                                      bh_verdict* const* out) {
  size_t i;
  for (i = 0; i < count; ++i) {
    if (call->should_stop(call)) break; /* past the deadline: the rest stay UNKNOWN */
    judge(self, in[i], out[i]);
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 kTable = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u, /* flags: not reentrant, calls on one instance are serialized */
    "http_status",
    "1.0.0",
    "Judges an instance by its /health probe: status code and latency",
    BH_PARAMS_SCHEMA,
    http_status_create,
    http_status_destroy,
    http_status_evaluate,
    NULL, /* no manage actions */
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &kTable : NULL;
}
