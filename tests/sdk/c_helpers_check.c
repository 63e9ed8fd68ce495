/* Compiled with -std=c99 -pedantic-errors -Wall -Wextra -Werror (see
 * CMakeLists.txt): proves the C headers are plain C99 and checks the C
 * helpers' behaviour. */
#include "c_helpers_check.h"

#include <blockhealth/params.h>
#include <blockhealth/policy_abi.h>
#include <string.h>

#define CHECK(cond)               \
  do {                            \
    if (!(cond)) return __LINE__; \
  } while (0)

static int check_copy_string(void) {
  char buffer[6];
  char zero[1] = {'x'};
  bh_copy_string(buffer, sizeof buffer, "abc");
  CHECK(strcmp(buffer, "abc") == 0);
  /* "ab" + two 2-byte characters: 6 bytes do not fit in 5 + NUL; the cut
   * falls inside the second character, which is dropped whole. */
  bh_copy_string(buffer, sizeof buffer, "ab\xc3\xa9\xc3\xa9");
  CHECK(strcmp(buffer, "ab\xc3\xa9") == 0);
  bh_copy_string(buffer, sizeof buffer, NULL);
  CHECK(buffer[0] == '\0');
  bh_copy_string(zero, 0, "abc"); /* capacity 0: untouched */
  CHECK(zero[0] == 'x');
  bh_copy_string(zero, 1, "abc");
  CHECK(zero[0] == '\0');
  bh_copy_string(NULL, 10, "abc"); /* no crash */
  return 0;
}

static int check_strings(void) {
  CHECK(bh_str_equal("a", "a"));
  CHECK(!bh_str_equal("a", "ab"));
  CHECK(!bh_str_equal("a", NULL));
  CHECK(bh_str_equal(NULL, NULL));
  CHECK(bh_str_starts_with("DCGM_FI_DEV_GPU_TEMP", "DCGM_"));
  CHECK(!bh_str_starts_with("DCG", "DCGM_"));
  CHECK(bh_str_starts_with("x", ""));
  CHECK(!bh_str_starts_with(NULL, ""));
  return 0;
}

static int check_samples_and_verdicts(void) {
  bh_label labels[2];
  bh_sample samples[3];
  bh_instance in;
  bh_verdict verdict;
  bh_call call;
  char reason[8];
  char metric[8];
  char error[4];
  const bh_sample* s = NULL;
  int count = 0;

  labels[0].name = "gpu";
  labels[0].value = "1";
  labels[1].name = "UUID";
  labels[1].value = "GPU-1";
  memset(samples, 0, sizeof samples);
  samples[0].name = "DCGM_FI_DEV_GPU_TEMP";
  samples[0].labels = labels;
  samples[0].label_count = 2;
  samples[1].name = "queue_length";
  samples[2].name = "DCGM_FI_DEV_POWER_USAGE";
  memset(&in, 0, sizeof in);
  in.struct_size = (uint32_t)sizeof in;
  in.samples = samples;
  in.sample_count = 3;

  CHECK(strcmp(bh_sample_label(&samples[0], "UUID"), "GPU-1") == 0);
  CHECK(bh_sample_label(&samples[0], "pod") == NULL);
  CHECK(bh_sample_label(&samples[1], "gpu") == NULL); /* no labels at all */

  while ((s = bh_next_sample(&in, "DCGM_*", s)) != NULL) ++count;
  CHECK(count == 2);
  s = bh_next_sample(&in, "queue_length", NULL);
  CHECK(s == &samples[1]);
  CHECK(bh_next_sample(&in, "queue_length", s) == NULL);
  count = 0;
  s = NULL;
  while ((s = bh_next_sample(&in, "*", s)) != NULL) ++count;
  CHECK(count == 3);
  in.sample_count = 0;
  in.samples = NULL;
  CHECK(bh_next_sample(&in, "*", NULL) == NULL);

  memset(&verdict, 0, sizeof verdict);
  verdict.reason = reason;
  verdict.reason_capacity = sizeof reason;
  verdict.evidence_metric = metric;
  verdict.evidence_metric_capacity = sizeof metric;
  bh_verdict_set(&verdict, BH_STATUS_WARN, "far too long a reason");
  CHECK(verdict.status == BH_STATUS_WARN);
  CHECK(strcmp(reason, "far too") == 0);
  bh_verdict_set_evidence(&verdict, "temp", 86.0, 85.0);
  CHECK(verdict.has_evidence == 1);
  CHECK(strcmp(metric, "temp") == 0);
  CHECK(verdict.evidence_observed == 86.0 && verdict.evidence_limit == 85.0);

  memset(&call, 0, sizeof call);
  call.error = error;
  call.error_capacity = sizeof error;
  bh_set_error(&call, "broken");
  CHECK(strcmp(error, "bro") == 0);
  return 0;
}

static int check_has_member(void) {
  bh_host host;
  memset(&host, 0, sizeof host);
  host.struct_size = (uint32_t)offsetof(bh_host, wall_ms); /* an older, shorter host */
  CHECK(BH_HAS_MEMBER(&host, bh_host, monotonic_ns));
  CHECK(!BH_HAS_MEMBER(&host, bh_host, wall_ms));
  host.struct_size = (uint32_t)sizeof host;
  CHECK(BH_HAS_MEMBER(&host, bh_host, wall_ms));
  return 0;
}

static int check_params(void) {
  const char* json =
      "{\"warn\": 10, \"nested\": {\"warn\": 99, \"s\": \"}\"}, \"list\": [1, [2]],"
      " \"name\": \"q\\u00e9\\\"\\n\", \"on\": true, \"off\": false, \"none\": null,"
      " \"neg\": -2.5e1}";
  double number = 0;
  int flag = -1;
  char text[16];
  char tiny[2];
  CHECK(bh_param_number(json, "warn", &number) == BH_PARAM_FOUND && number == 10);
  CHECK(bh_param_number(json, "neg", &number) == BH_PARAM_FOUND && number == -25);
  CHECK(bh_param_number(json, "missing", &number) == BH_PARAM_ABSENT);
  CHECK(bh_param_number(json, "none", &number) == BH_PARAM_ABSENT);
  CHECK(bh_param_number(json, "name", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number(json, "nested", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number(json, "s", &number) == BH_PARAM_ABSENT); /* only nested */
  CHECK(bh_param_bool(json, "on", &flag) == BH_PARAM_FOUND && flag == 1);
  CHECK(bh_param_bool(json, "off", &flag) == BH_PARAM_FOUND && flag == 0);
  CHECK(bh_param_bool(json, "warn", &flag) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_string(json, "name", text, sizeof text) == BH_PARAM_FOUND);
  CHECK(strcmp(text, "q\xc3\xa9\"\n") == 0);
  CHECK(bh_param_string(json, "name", tiny, sizeof tiny) == BH_PARAM_TOO_LONG);
  CHECK(strcmp(tiny, "q") == 0);
  CHECK(bh_param_string(json, "warn", text, sizeof text) == BH_PARAM_WRONG_TYPE);
  /* Malformed or non-object text never reads out of bounds. */
  CHECK(bh_param_number("[1]", "warn", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number("{\"warn\": 1", "x", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number("{\"warn\" 1}", "warn", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number("{\"warn\": 1x}", "warn", &number) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_string("{\"a\": \"abc", "a", text, sizeof text) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_string("{\"a\": \"\\u12\"}", "a", text, sizeof text) == BH_PARAM_WRONG_TYPE);
  CHECK(bh_param_number("{}", "warn", &number) == BH_PARAM_ABSENT);
  CHECK(bh_param_number(NULL, "warn", &number) == BH_PARAM_ABSENT);
  return 0;
}

int bh_sdk_c_helpers_check(void) {
  int line;
  if ((line = check_copy_string()) != 0) return line;
  if ((line = check_strings()) != 0) return line;
  if ((line = check_samples_and_verdicts()) != 0) return line;
  if ((line = check_has_member()) != 0) return line;
  if ((line = check_params()) != 0) return line;
  return 0;
}
