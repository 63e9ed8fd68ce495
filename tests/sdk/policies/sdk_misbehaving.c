/* A C policy that breaks the ABI's output rules on request, so that the
 * offline harness (blockhealth/testing.hpp) can be shown to catch each
 * mistake. `with: {mode: ...}` picks the mistake; see judge(). Loaded only
 * by sdk_harness_test, never by the daemon. */
#include <blockhealth/params.h>
#include <blockhealth/policy_abi.h>
#include <stdlib.h>
#include <string.h>

struct bh_policy_instance {
  char mode[32];
};

static char stray_buffer[64];

static bh_policy_instance* create(const bh_host* host, const char* params_json, bh_call* call) {
  bh_policy_instance* self = calloc(1, sizeof *self);
  (void)host;
  if (!self) return NULL;
  if (bh_param_string(params_json, "mode", self->mode, sizeof self->mode) != BH_PARAM_FOUND) {
    bh_set_error(call, "mode is required");
    free(self);
    return NULL;
  }
  return self;
}

static void destroy(bh_policy_instance* self) {
  free(self);
}

static bh_result evaluate(bh_policy_instance* self, bh_call* call, const bh_instance* const* in,
                          size_t count, bh_verdict* const* out) {
  size_t i;
  (void)in;
  for (i = 0; i < count; ++i) {
    bh_verdict* v = out[i];
    if (strcmp(self->mode, "overrun") == 0) {
      /* Writes 4 bytes past the capacity (into the harness's guard zone). */
      memset(v->reason, 'x', v->reason_capacity + 4);
      v->status = BH_STATUS_OK;
    } else if (strcmp(self->mode, "unterminated") == 0) {
      memset(v->reason, 'x', v->reason_capacity);
      v->status = BH_STATUS_OK;
    } else if (strcmp(self->mode, "bad_status") == 0) {
      bh_verdict_set(v, 7, "seven");
    } else if (strcmp(self->mode, "swap_buffer") == 0) {
      v->reason = stray_buffer;
      v->status = BH_STATUS_OK;
    } else if (strcmp(self->mode, "fail") == 0) {
      bh_verdict_set(v, BH_STATUS_OK, "half done");
      bh_set_error(call, "backend unreachable");
      return BH_RESULT_ERROR;
    } else {
      bh_verdict_set(v, BH_STATUS_OK, "fine");
    }
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 table = {
    sizeof(bh_policy_v1),
    BH_ABI_MAJOR,
    BH_ABI_MINOR,
    0u,
    "sdk_misbehaving",
    "0.0.1",
    "Breaks output rules on request (harness tests)",
    NULL,
    create,
    destroy,
    evaluate,
    NULL,
};

BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == BH_ABI_MAJOR ? &table : NULL;
}
