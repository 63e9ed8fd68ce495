// UTF-8 hygiene for text that crosses the plugin boundary: what a plugin
// writes into host buffers ends up in JSON answers and logs.
#ifndef BLOCKHEALTH_CORE_PLUGINS_UTF8_H
#define BLOCKHEALTH_CORE_PLUGINS_UTF8_H

#include <string>
#include <string_view>

namespace blockhealth {

// `text` with every byte sequence that is not valid UTF-8 (including
// overlong forms, surrogates and code points past U+10FFFF) replaced by
// U+FFFD, and, when `replace_nul`, every NUL byte replaced by U+FFFD too.
// Pure function; thread-safe.
std::string sanitize_utf8(std::string_view text, bool replace_nul = false);

// True when `text` is valid UTF-8 without NUL bytes (sanitize_utf8 with
// replace_nul would return it unchanged).
bool is_clean_utf8(std::string_view text);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_PLUGINS_UTF8_H
