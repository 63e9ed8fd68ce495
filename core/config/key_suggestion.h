// "did you mean" for misspelt config keys.
#ifndef BLOCKHEALTH_CORE_CONFIG_KEY_SUGGESTION_H
#define BLOCKHEALTH_CORE_CONFIG_KEY_SUGGESTION_H

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace blockhealth {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of two neighbouring characters each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The known key closest to `unknown`, when it is within 2 edits (1 edit for
// keys of up to 3 characters, so "to" does not suggest "id"); the first in
// `known` on a tie. nullopt when none is that close.
std::optional<std::string_view> suggest_key(std::string_view unknown,
                                            std::span<const std::string_view> known);

}  // namespace blockhealth

#endif  // BLOCKHEALTH_CORE_CONFIG_KEY_SUGGESTION_H
