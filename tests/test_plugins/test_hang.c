/* test_hang: evaluate sleeps for `hang_ms` milliseconds (default 3000)
 * WITHOUT polling should_stop, then writes OK "woke up" for every instance,
 * with evidence {metric "should_stop", observed = what should_stop() said on
 * waking, limit 0}. For tests of deadlines: the host cannot preempt it.
 *   with: { hang_ms: <integer >= 0> } */
#define _POSIX_C_SOURCE 200809L

#include <blockhealth/policy_abi.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct hang_policy {
  long hang_ms;
} hang_policy;

static long read_hang_ms(const char* params_json) {
  const char* key = params_json != NULL ? strstr(params_json, "\"hang_ms\"") : NULL;
  if (key == NULL) return 3000;
  key = strchr(key + 9, ':');
  if (key == NULL) return 3000;
  return strtol(key + 1, NULL, 10);
}

static bh_policy_instance* hang_create(const bh_host* host, const char* params_json,
                                       bh_call* call) {
  hang_policy* self = (hang_policy*)malloc(sizeof(hang_policy));
  (void)host;
  if (self == NULL) {
    bh_copy_string(call->error, call->error_capacity, "out of memory");
    return NULL;
  }
  self->hang_ms = read_hang_ms(params_json);
  if (self->hang_ms < 0) self->hang_ms = 0;
  return (bh_policy_instance*)self;
}

static void hang_destroy(bh_policy_instance* self) {
  free(self);
}

static bh_result hang_evaluate(bh_policy_instance* instance, bh_call* call,
                               const bh_instance* const* in, size_t count, bh_verdict* const* out) {
  const hang_policy* self = (const hang_policy*)instance;
  struct timespec left;
  int32_t stop;
  size_t i;
  (void)in;
  left.tv_sec = self->hang_ms / 1000;
  left.tv_nsec = (self->hang_ms % 1000) * 1000000L;
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
  stop = call->should_stop(call);
  for (i = 0; i < count; ++i) {
    out[i]->status = BH_STATUS_OK;
    bh_copy_string(out[i]->reason, out[i]->reason_capacity, "woke up");
    out[i]->has_evidence = 1;
    bh_copy_string(out[i]->evidence_metric, out[i]->evidence_metric_capacity, "should_stop");
    out[i]->evidence_observed = (double)stop;
    out[i]->evidence_limit = 0;
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 hang_table = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u,
    "test_hang",
    "1.0.0",
    "Test policy: sleeps hang_ms in evaluate, ignoring should_stop",
    "{\"type\": \"object\", \"properties\": {\"hang_ms\": {\"type\": \"integer\", \"minimum\": 0}},"
    " \"additionalProperties\": false}",
    hang_create,
    hang_destroy,
    hang_evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &hang_table : NULL;
}
