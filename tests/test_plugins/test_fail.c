/* test_fail: evaluate always fails with BH_RESULT_ERROR "deliberate failure". */
#include <blockhealth/policy_abi.h>

static int fail_instance_storage;

static bh_policy_instance* fail_create(const bh_host* host, const char* params_json,
                                       bh_call* call) {
  (void)host;
  (void)params_json;
  (void)call;
  return (bh_policy_instance*)&fail_instance_storage;
}

static void fail_destroy(bh_policy_instance* self) {
  (void)self;
}

static bh_result fail_evaluate(bh_policy_instance* self, bh_call* call,
                               const bh_instance* const* in, size_t count, bh_verdict* const* out) {
  (void)self;
  (void)in;
  (void)count;
  (void)out;
  bh_copy_string(call->error, call->error_capacity, "deliberate failure");
  return BH_RESULT_ERROR;
}

static const bh_policy_v1 fail_table = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u,
    "test_fail",
    "1.0.0",
    "Test policy: evaluate always fails",
    NULL,
    fail_create,
    fail_destroy,
    fail_evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &fail_table : NULL;
}
