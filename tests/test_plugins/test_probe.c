/* test_probe: judges an instance by its /health probe alone, for tests of
 * what reaches a policy's probe input (blockhealthd test's `probes:`).
 *   no probe, or none yet   -> UNKNOWN "no probe"
 *   no answer               -> CRITICAL "probe failed: <error>"
 *   an answer of 2xx        -> OK "probe <status>"
 *   any other answer        -> CRITICAL "probe <status>" */
#include <blockhealth/policy_abi.h>
#include <stdio.h>
#include <stdlib.h>

struct bh_policy_instance {
  int unused;
};

static bh_policy_instance* probe_create(const bh_host* host, const char* params_json,
                                        bh_call* call) {
  bh_policy_instance* self = malloc(sizeof *self);
  (void)host;
  (void)params_json;
  if (!self) bh_set_error(call, "out of memory");
  return self;
}

static void probe_destroy(bh_policy_instance* self) {
  free(self);
}

static bh_result probe_evaluate(bh_policy_instance* self, bh_call* call,
                                const bh_instance* const* in, size_t count,
                                bh_verdict* const* out) {
  size_t i;
  char reason[256];
  (void)self;
  (void)call;
  for (i = 0; i < count; ++i) {
    const bh_probe* p = in[i]->probe;
    if (!p || p->outcome == BH_PROBE_NONE) {
      bh_verdict_set(out[i], BH_STATUS_UNKNOWN, "no probe");
    } else if (p->outcome != BH_PROBE_RESPONSE) {
      snprintf(reason, sizeof reason, "probe failed: %s", p->error);
      bh_verdict_set(out[i], BH_STATUS_CRITICAL, reason);
    } else {
      snprintf(reason, sizeof reason, "probe %d", (int)p->http_status);
      bh_verdict_set(out[i], p->http_status / 100 == 2 ? BH_STATUS_OK : BH_STATUS_CRITICAL,
                     reason);
    }
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 kTable = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u,
    "test_probe",
    "1.0.0",
    "Test policy: the /health probe alone",
    "{\"type\": \"object\"}",
    probe_create,
    probe_destroy,
    probe_evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &kTable : NULL;
}
