/* test_hang: evaluate sleeps for `hang_ms` milliseconds (default 3000)
 * WITHOUT polling should_stop, then writes OK "woke up" for every instance,
 * with evidence {metric "should_stop", observed = what should_stop() said on
 * waking, limit 0}. For tests of deadlines: the host cannot preempt it.
 * create sleeps for `create_ms` (default 0) after logging "test_hang
 * create sleeping" at INFO: for tests of what happens during start-up.
 * destroy sleeps for `destroy_ms` (default 0) after logging "test_hang
 * destroy sleeping" at INFO (through the host table create was given).
 *   with: { hang_ms: <integer >= 0>, create_ms: <integer >= 0>,
 *           destroy_ms: <integer >= 0> } */
#define _POSIX_C_SOURCE 200809L

#include <blockhealth/policy_abi.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct hang_policy {
  long hang_ms;
  long destroy_ms;
  const bh_host* host;
} hang_policy;

/* The integer member `key` (quoted, e.g. "\"hang_ms\"") of the params, or
 * `fallback`. */
static long read_param(const char* params_json, const char* key, long fallback) {
  const char* at = params_json != NULL ? strstr(params_json, key) : NULL;
  if (at == NULL) return fallback;
  at = strchr(at + strlen(key), ':');
  if (at == NULL) return fallback;
  return strtol(at + 1, NULL, 10);
}

static void sleep_ms(long ms) {
  struct timespec left;
  left.tv_sec = ms / 1000;
  left.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

static bh_policy_instance* hang_create(const bh_host* host, const char* params_json,
                                       bh_call* call) {
  hang_policy* self = (hang_policy*)malloc(sizeof(hang_policy));
  const long create_ms = read_param(params_json, "\"create_ms\"", 0);
  if (self == NULL) {
    bh_copy_string(call->error, call->error_capacity, "out of memory");
    return NULL;
  }
  self->hang_ms = read_param(params_json, "\"hang_ms\"", 3000);
  if (self->hang_ms < 0) self->hang_ms = 0;
  self->destroy_ms = read_param(params_json, "\"destroy_ms\"", 0);
  self->host = host;
  if (create_ms > 0) {
    host->log(host, BH_LOG_INFO, "test_hang create sleeping");
    sleep_ms(create_ms);
  }
  return (bh_policy_instance*)self;
}

static void hang_destroy(bh_policy_instance* instance) {
  hang_policy* self = (hang_policy*)instance;
  if (self->destroy_ms > 0) {
    self->host->log(self->host, BH_LOG_INFO, "test_hang destroy sleeping");
    sleep_ms(self->destroy_ms);
  }
  free(self);
}

static bh_result hang_evaluate(bh_policy_instance* instance, bh_call* call,
                               const bh_instance* const* in, size_t count, bh_verdict* const* out) {
  const hang_policy* self = (const hang_policy*)instance;
  int32_t stop;
  size_t i;
  (void)in;
  sleep_ms(self->hang_ms);
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
    "{\"type\": \"object\", \"properties\": {\"hang_ms\": {\"type\": \"integer\", \"minimum\": 0},"
    " \"create_ms\": {\"type\": \"integer\", \"minimum\": 0},"
    " \"destroy_ms\": {\"type\": \"integer\", \"minimum\": 0}}, \"additionalProperties\": false}",
    hang_create,
    hang_destroy,
    hang_evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &hang_table : NULL;
}
