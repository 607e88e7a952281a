// "Did you mean ...?" for a misspelt keyword, option, permission or
// capability (SPEC §5): the closest candidate by edit distance, ignoring case.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#pragma GCC visibility push(default)

namespace secstore {

// The candidate nearest to `word` (Damerau-Levenshtein distance, ASCII case
// ignored), if it is near enough to be a likely typo: at most a third of the
// word's length, and at least 1. nullopt when none is, or `word` is one.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

// " (did you mean X?)" or "" — ready to append to a message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace secstore

#pragma GCC visibility pop
