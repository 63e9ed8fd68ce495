/* test_c_minimal: the smallest valid policy, in strict C99 (built with
 * -std=c99 -pedantic-errors): proves policy_abi.h compiles as C. Every
 * instance is OK "fine". create() logs "test_c_minimal created" at INFO
 * through the host. Instances are heap objects, so a leak checker sees a
 * missing destroy(). It declares ABI 1.0: the host must treat it as a
 * plugin built before 1.1. */
#include <blockhealth/policy_abi.h>
#include <stdlib.h>

typedef struct minimal_policy {
  int32_t created;
} minimal_policy;

static bh_policy_instance* minimal_create(const bh_host* host, const char* params_json,
                                          bh_call* call) {
  minimal_policy* self = (minimal_policy*)malloc(sizeof(minimal_policy));
  (void)params_json;
  if (self == NULL) {
    bh_copy_string(call->error, call->error_capacity, "out of memory");
    return NULL;
  }
  self->created = 1;
  host->log(host, BH_LOG_INFO, "test_c_minimal created");
  return (bh_policy_instance*)self;
}

static void minimal_destroy(bh_policy_instance* self) {
  free(self);
}

static bh_result minimal_evaluate(bh_policy_instance* self, bh_call* call,
                                  const bh_instance* const* in, size_t count,
                                  bh_verdict* const* out) {
  size_t i;
  (void)self;
  (void)call;
  (void)in;
  for (i = 0; i < count; ++i) {
    out[i]->status = BH_STATUS_OK;
    bh_copy_string(out[i]->reason, out[i]->reason_capacity, "fine");
  }
  return BH_RESULT_OK;
}

/* Declares ABI 1.0 on purpose, with a 1.0 table's size (ending after
 * manage): an old plugin, which never writes valid_until_ms, is judged at
 * every interval on the whole block. */
static const bh_policy_v1 minimal_table = {
    offsetof(bh_policy_v1, inputs),
    BH_ABI_MAJOR,
    0u,
    0u,
    "test_c_minimal",
    "1.0.0",
    "Test policy: minimal C99, always OK",
    "{\"type\": \"object\"}",
    minimal_create,
    minimal_destroy,
    minimal_evaluate,
    NULL,
    0u, /* past this table's struct_size: the host never reads it */
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &minimal_table : NULL;
}
