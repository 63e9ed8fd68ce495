/*
 * blockhealth: reading `with:` parameters in a C policy.
 *
 * create() receives the parameters as a JSON object that the host has
 * already checked against the policy's params_schema. These helpers read
 * its TOP-LEVEL members, so a C policy needs no JSON library:
 *
 *   double warn = 10;
 *   if (bh_param_number(params_json, "warn", &warn) == BH_PARAM_WRONG_TYPE) {
 *     bh_set_error(call, "parameter 'warn' must be a number");
 *     return NULL;
 *   }
 *
 * C99, header-only (static inline), uses only <stdlib.h> (strtod) besides
 * policy_abi.h; compiles as C and C++. Thread-safe (no state). Keys are
 * compared byte for byte with the key as written in the JSON (the host
 * writes keys without escapes). Nested objects and arrays are skipped, not
 * read: describe list-valued parameters in C++ (bh::Json) or flatten them.
 * Malformed JSON reads as BH_PARAM_WRONG_TYPE, never out of bounds.
 */
#ifndef BLOCKHEALTH_PARAMS_H
#define BLOCKHEALTH_PARAMS_H

#include <blockhealth/policy_abi.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif
/* C naming (bh_ snake_case) is this ABI's convention, not C++ style.
 * NOLINTBEGIN(readability-identifier-naming) */

/* Results of the bh_param_* readers. *out is written only on FOUND. */
#define BH_PARAM_FOUND 1       /* present with the asked type; *out set */
#define BH_PARAM_ABSENT 0      /* no such member, or its value is null */
#define BH_PARAM_WRONG_TYPE -1 /* present with another type, or malformed JSON */
#define BH_PARAM_TOO_LONG -2   /* a string that does not fit the buffer */

/* Internal: a conversion that stays quiet under -Wold-style-cast. */
#ifdef __cplusplus
#define BH_PARAM_CHAR_(x) static_cast<char>(x)
#else
#define BH_PARAM_CHAR_(x) ((char)(x))
#endif

/* Internal: skips JSON whitespace. */
static inline const char *bh_param_skip_space_(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') ++p;
  return p;
}

/* Internal: `p` at a '"'; returns the position after the closing quote, or
 * NULL when unterminated. */
static inline const char *bh_param_skip_string_(const char *p) {
  ++p;
  while (*p != '\0' && *p != '"') {
    if (*p == '\\') {
      ++p;
      if (*p == '\0') return BH_NULL_;
    }
    ++p;
  }
  return *p == '"' ? p + 1 : BH_NULL_;
}

/* Internal: skips one JSON value (any type, nested ones balanced); returns
 * the position after it, or NULL when malformed. */
static inline const char *bh_param_skip_value_(const char *p) {
  int depth = 0;
  p = bh_param_skip_space_(p);
  do {
    if (*p == '\0') return BH_NULL_;
    if (*p == '"') {
      p = bh_param_skip_string_(p);
      if (!p) return BH_NULL_;
      continue;
    }
    if (*p == '{' || *p == '[') {
      if (++depth > 64) return BH_NULL_;
    } else if (*p == '}' || *p == ']') {
      if (--depth < 0) return BH_NULL_;
    } else if (depth == 0 && (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
      return p; /* end of a scalar */
    }
    ++p;
  } while (depth > 0 || (*p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
                         *p != '\n' && *p != '\r' && *p != '\0'));
  return p;
}

/* Internal: the start of the value of top-level member `key`, or NULL when
 * absent. Sets *malformed when the text is not a JSON object. */
static inline const char *bh_param_find_(const char *json, const char *key, int *malformed) {
  const char *p;
  *malformed = 0;
  if (!json || !key) return BH_NULL_;
  p = bh_param_skip_space_(json);
  if (*p != '{') {
    *malformed = 1;
    return BH_NULL_;
  }
  p = bh_param_skip_space_(p + 1);
  if (*p == '}') return BH_NULL_;
  for (;;) {
    const char *name;
    const char *end;
    const char *k = key;
    if (*p != '"') break;
    name = p + 1;
    end = bh_param_skip_string_(p);
    if (!end) break;
    while (name < end - 1 && *k != '\0' && *name == *k) {
      ++name;
      ++k;
    }
    p = bh_param_skip_space_(end);
    if (*p != ':') break;
    p = bh_param_skip_space_(p + 1);
    if (name == end - 1 && *k == '\0') return p;
    p = bh_param_skip_value_(p);
    if (!p) break;
    p = bh_param_skip_space_(p);
    if (*p == '}') return BH_NULL_;
    if (*p != ',') break;
    p = bh_param_skip_space_(p + 1);
  }
  *malformed = 1;
  return BH_NULL_;
}

/* Internal: nonzero when `p` starts with the JSON literal `word` followed by
 * a delimiter. */
static inline int bh_param_is_word_(const char *p, const char *word) {
  while (*word != '\0') {
    if (*p++ != *word++) return 0;
  }
  return *p == '\0' || *p == ',' || *p == '}' || *p == ']' || *p == ' ' || *p == '\t' ||
         *p == '\n' || *p == '\r';
}

/* Reads member `key` as a number. */
static inline int bh_param_number(const char *params_json, const char *key, double *out) {
  int malformed;
  const char *p = bh_param_find_(params_json, key, &malformed);
  char *end = BH_NULL_;
  double value;
  if (!p) return malformed ? BH_PARAM_WRONG_TYPE : BH_PARAM_ABSENT;
  if (bh_param_is_word_(p, "null")) return BH_PARAM_ABSENT;
  if (*p != '-' && (*p < '0' || *p > '9')) return BH_PARAM_WRONG_TYPE;
  value = strtod(p, &end);
  if (end == p || !bh_param_is_word_(end, "")) return BH_PARAM_WRONG_TYPE;
  if (out) *out = value;
  return BH_PARAM_FOUND;
}

/* Reads member `key` as a boolean: *out = 1 for true, 0 for false. */
static inline int bh_param_bool(const char *params_json, const char *key, int *out) {
  int malformed;
  const char *p = bh_param_find_(params_json, key, &malformed);
  if (!p) return malformed ? BH_PARAM_WRONG_TYPE : BH_PARAM_ABSENT;
  if (bh_param_is_word_(p, "null")) return BH_PARAM_ABSENT;
  if (bh_param_is_word_(p, "true")) {
    if (out) *out = 1;
    return BH_PARAM_FOUND;
  }
  if (bh_param_is_word_(p, "false")) {
    if (out) *out = 0;
    return BH_PARAM_FOUND;
  }
  return BH_PARAM_WRONG_TYPE;
}

/* Internal: the value of one hex digit, or -1. */
static inline int bh_param_hex_(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Reads member `key` as a string, unescaped into `buffer` (UTF-8,
 * NUL-terminated). On BH_PARAM_TOO_LONG the buffer holds a truncated copy.
 * \u escapes outside the Basic Multilingual Plane (surrogates) become
 * U+FFFD. */
static inline int bh_param_string(const char *params_json, const char *key, char *buffer,
                                  size_t capacity) {
  int malformed;
  const char *p = bh_param_find_(params_json, key, &malformed);
  size_t n = 0;
  if (!p) return malformed ? BH_PARAM_WRONG_TYPE : BH_PARAM_ABSENT;
  if (bh_param_is_word_(p, "null")) return BH_PARAM_ABSENT;
  if (*p != '"') return BH_PARAM_WRONG_TYPE;
  if (!buffer || capacity == 0) return BH_PARAM_TOO_LONG;
  ++p;
  while (*p != '"') {
    char bytes[3];
    size_t count = 1;
    size_t i;
    if (*p == '\0') {
      buffer[n] = '\0';
      return BH_PARAM_WRONG_TYPE;
    }
    bytes[0] = *p;
    if (*p == '\\') {
      ++p;
      switch (*p) {
        case 'n': bytes[0] = '\n'; break;
        case 't': bytes[0] = '\t'; break;
        case 'r': bytes[0] = '\r'; break;
        case 'b': bytes[0] = '\b'; break;
        case 'f': bytes[0] = '\f'; break;
        case '"': case '\\': case '/': bytes[0] = *p; break;
        case 'u': {
          long cp = 0;
          int d;
          for (d = 1; d <= 4; ++d) {
            const int h = bh_param_hex_(p[d]);
            if (h < 0) {
              buffer[n] = '\0';
              return BH_PARAM_WRONG_TYPE;
            }
            cp = cp * 16 + h;
          }
          p += 4;
          if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
          if (cp < 0x80) {
            bytes[0] = BH_PARAM_CHAR_(cp);
          } else if (cp < 0x800) {
            bytes[0] = BH_PARAM_CHAR_(0xC0 | (cp >> 6));
            bytes[1] = BH_PARAM_CHAR_(0x80 | (cp & 0x3F));
            count = 2;
          } else {
            bytes[0] = BH_PARAM_CHAR_(0xE0 | (cp >> 12));
            bytes[1] = BH_PARAM_CHAR_(0x80 | ((cp >> 6) & 0x3F));
            bytes[2] = BH_PARAM_CHAR_(0x80 | (cp & 0x3F));
            count = 3;
          }
          break;
        }
        default: buffer[n] = '\0'; return BH_PARAM_WRONG_TYPE;
      }
    }
    ++p;
    if (n + count >= capacity) {
      buffer[n] = '\0';
      return BH_PARAM_TOO_LONG;
    }
    for (i = 0; i < count; ++i) buffer[n++] = bytes[i];
  }
  buffer[n] = '\0';
  return BH_PARAM_FOUND;
}

/* NOLINTEND(readability-identifier-naming) */
#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BLOCKHEALTH_PARAMS_H */
