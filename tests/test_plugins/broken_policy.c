/* One source for the plugins the host must refuse (and a few edge cases it
 * must accept). CMake builds it once per case with -DCASE_<NAME>; each case
 * changes one thing of an otherwise valid policy named POLICY_NAME. */
#include <blockhealth/policy_abi.h>
#include <stddef.h>

#define POLICY_NAME "broken_policy"
#define TABLE_SIZE sizeof(bh_policy_v1)
#define TABLE_MAJOR BH_ABI_MAJOR
#define TABLE_MINOR BH_ABI_MINOR
#define TABLE_VERSION "1.0.0"
#define TABLE_SCHEMA "{\"type\": \"object\"}"
#define TABLE_CREATE broken_create
#define TABLE_EVALUATE broken_evaluate

#if defined(CASE_MAJOR_MISMATCH)
#undef TABLE_MAJOR
#define TABLE_MAJOR (BH_ABI_MAJOR + 1u)
#elif defined(CASE_MINOR_NEWER)
#undef TABLE_MINOR
#define TABLE_MINOR (BH_ABI_MINOR + 1u)
#elif defined(CASE_STRUCT_SIZE_TOO_SMALL)
#undef TABLE_SIZE
#define TABLE_SIZE 16u
#elif defined(CASE_SHORT_TABLE)
/* An older minor's table: ends before `manage`. Valid; manage is absent. */
#undef TABLE_SIZE
#define TABLE_SIZE offsetof(bh_policy_v1, manage)
#undef POLICY_NAME
#define POLICY_NAME "short_table"
#elif defined(CASE_MISSING_CREATE)
#undef TABLE_CREATE
#define TABLE_CREATE NULL
#elif defined(CASE_MISSING_EVALUATE)
#undef TABLE_EVALUATE
#define TABLE_EVALUATE NULL
#elif defined(CASE_BAD_SCHEMA)
#undef TABLE_SCHEMA
#define TABLE_SCHEMA "{not json"
#elif defined(CASE_INVALID_SCHEMA)
#undef TABLE_SCHEMA
#define TABLE_SCHEMA "{\"type\": \"nonsense\"}"
#elif defined(CASE_INVALID_NAME)
#undef POLICY_NAME
#define POLICY_NAME "Bad-Name"
#elif defined(CASE_NULL_VERSION)
#undef TABLE_VERSION
#define TABLE_VERSION NULL
#elif defined(CASE_DUPLICATE_NAME)
#undef POLICY_NAME
#define POLICY_NAME "duplicate_name"
#elif defined(CASE_WRONG_ARCH)
#undef POLICY_NAME
#define POLICY_NAME "wrong_arch"
#elif defined(CASE_MISSING_DEPENDENCY)
int gone_dependency_function(void); /* in a library that is not on the search path */
#endif

static int broken_instance_storage;

static bh_policy_instance* broken_create(const bh_host* host, const char* params_json,
                                         bh_call* call) {
  (void)host;
  (void)params_json;
  (void)call;
  return (bh_policy_instance*)&broken_instance_storage;
}

static void broken_destroy(bh_policy_instance* self) {
  (void)self;
}

static bh_result broken_evaluate(bh_policy_instance* self, bh_call* call,
                                 const bh_instance* const* in, size_t count,
                                 bh_verdict* const* out) {
  size_t i;
  (void)self;
  (void)call;
  (void)in;
  for (i = 0; i < count; ++i) {
    out[i]->status = BH_STATUS_OK;
#if defined(CASE_MISSING_DEPENDENCY)
    out[i]->status = gone_dependency_function();
#endif
  }
  return BH_RESULT_OK;
}

static const bh_policy_v1 broken_table = {
    TABLE_SIZE,   TABLE_MAJOR,    TABLE_MINOR,    0u,
    POLICY_NAME,  TABLE_VERSION,  "test policy",  TABLE_SCHEMA,
    TABLE_CREATE, broken_destroy, TABLE_EVALUATE, NULL,
};

#if defined(CASE_MISSING_ENTRY)
/* A near miss instead of bh_policy_entry (blockhealth_add_policy's version
 * script keeps it from being exported anyway). */
BH_EXPORT const bh_policy_v1* bh_policy_entry_v0(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_major;
  (void)host_abi_minor;
  return &broken_table;
}
#else
BH_EXPORT const bh_policy_v1* bh_policy_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_major;
  (void)host_abi_minor;
#if defined(CASE_ENTRY_RETURNS_NULL)
  return NULL;
#else
  return &broken_table;
#endif
}
#endif
