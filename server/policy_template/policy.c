/*
 * @NAME@: WARN when the largest sample of `metric` is above `warn`,
 * CRITICAL above `critical`, UNKNOWN without samples. Plain C99 against
 * policy_abi.h and params.h. Written by `blockhealthd policy new`; make it
 * yours (docs/writing-a-policy.md).
 */
#include <blockhealth/params.h>
#include <blockhealth/policy_abi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "@NAME@_schema.h" /* BH_PARAMS_SCHEMA, from @NAME@.schema.json */

/* One instance's parameters: all state lives here, none in globals. */
struct bh_policy_instance {
  char metric[256];
  double warn;
  double critical;
};

static bh_policy_instance* policy_create(const bh_host* host, const char* params_json,
                                         bh_call* call) {
  bh_policy_instance* self = calloc(1, sizeof *self);
  (void)host;
  if (!self) {
    bh_set_error(call, "out of memory");
    return NULL;
  }
  if (bh_param_string(params_json, "metric", self->metric, sizeof self->metric) != BH_PARAM_FOUND ||
      bh_param_number(params_json, "warn", &self->warn) != BH_PARAM_FOUND ||
      bh_param_number(params_json, "critical", &self->critical) != BH_PARAM_FOUND) {
    bh_set_error(call, "metric (a string), warn and critical (numbers) are required");
    free(self);
    return NULL;
  }
  if (self->critical < self->warn) {
    bh_set_error(call, "critical must not be below warn");
    free(self);
    return NULL;
  }
  return self;
}

static void policy_destroy(bh_policy_instance* self) {
  free(self);
}

static void judge(const bh_policy_instance* self, const bh_instance* in, bh_verdict* out) {
  const bh_sample* worst = NULL;
  char reason[256];
  size_t i;
  for (i = 0; i < in->sample_count; ++i) {
    const bh_sample* s = &in->samples[i];
    if (strcmp(s->name, self->metric) != 0 || isnan(s->value)) continue;
    if (!worst || s->value > worst->value) worst = s;
  }
  if (!worst) {
    snprintf(reason, sizeof reason, "no %s samples", self->metric);
    bh_verdict_set(out, BH_STATUS_UNKNOWN, reason);
    return;
  }
  if (worst->value > self->critical) {
    snprintf(reason, sizeof reason, "%s is %g > %g", self->metric, worst->value, self->critical);
    bh_verdict_set(out, BH_STATUS_CRITICAL, reason);
    bh_verdict_set_evidence(out, self->metric, worst->value, self->critical);
  } else if (worst->value > self->warn) {
    snprintf(reason, sizeof reason, "%s is %g > %g", self->metric, worst->value, self->warn);
    bh_verdict_set(out, BH_STATUS_WARN, reason);
    bh_verdict_set_evidence(out, self->metric, worst->value, self->warn);
  } else {
    snprintf(reason, sizeof reason, "%s is %g", self->metric, worst->value);
    bh_verdict_set(out, BH_STATUS_OK, reason);
  }
}

static bh_result policy_evaluate(bh_policy_instance* self, bh_call* call,
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
    0u, /* flags: not reentrant */
    "@NAME@",
    "0.1.0",
    "WARN or CRITICAL when a metric is above its limits",
    BH_PARAMS_SCHEMA,
    policy_create,
    policy_destroy,
    policy_evaluate,
    NULL, /* no manage actions */
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &kTable : NULL;
}
