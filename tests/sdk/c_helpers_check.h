/* The C side of sdk_headers_test: exercises policy_abi.h's and params.h's
 * static-inline helpers from a translation unit compiled as strict C99. */
#ifndef BLOCKHEALTH_TESTS_SDK_C_HELPERS_CHECK_H
#define BLOCKHEALTH_TESTS_SDK_C_HELPERS_CHECK_H

#ifdef __cplusplus
extern "C" {
#endif

/* Runs every check; returns 0 when all pass, else the source line of the
 * first failing check. */
int bh_sdk_c_helpers_check(void);

#ifdef __cplusplus
}
#endif

#endif /* BLOCKHEALTH_TESTS_SDK_C_HELPERS_CHECK_H */
