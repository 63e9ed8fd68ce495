/* test_bad_status: writes the out-of-range status 42 for every instance. */
#include <blockhealth/policy_abi.h>

static int bad_status_storage;

static bh_policy_instance* bad_status_create(const bh_host* host, const char* params_json,
                                             bh_call* call) {
  (void)host;
  (void)params_json;
  (void)call;
  return (bh_policy_instance*)&bad_status_storage;
}

static void bad_status_destroy(bh_policy_instance* self) {
  (void)self;
}

static bh_result bad_status_evaluate(bh_policy_instance* self, bh_call* call,
                                     const bh_instance* const* in, size_t count,
                                     bh_verdict* const* out) {
  size_t i;
  (void)self;
  (void)call;
  (void)in;
  for (i = 0; i < count; ++i) {
    out[i]->status = 42;
    bh_copy_string(out[i]->reason, out[i]->reason_capacity, "status 42 is not a status");
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 bad_status_table = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u,
    "test_bad_status",
    "1.0.0",
    "Test policy: writes an invalid status",
    NULL,
    bad_status_create,
    bad_status_destroy,
    bad_status_evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &bad_status_table : NULL;
}
