#include "secstore/suggest.hpp"

#include <algorithm>
#include <vector>

namespace secstore {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of two neighbours each cost 1 (the usual typos).
std::size_t distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> two_back(m + 1), back(m + 1), now(m + 1);
  for (std::size_t j = 0; j <= m; ++j) back[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    now[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const bool same = lower(a[i - 1]) == lower(b[j - 1]);
      now[j] = std::min({back[j] + 1, now[j - 1] + 1, back[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        now[j] = std::min(now[j], two_back[j - 2] + 1);
    }
    two_back.swap(back);
    back.swap(now);
  }
  return back[m];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.empty()) return std::nullopt;
  const std::size_t limit = std::max<std::size_t>(1, (word.size() + 2) / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto candidate : candidates) {
    const std::size_t d = distance(word, candidate);
    if (d == 0) return std::nullopt;  // the word is valid (in another case)
    if (d < best_distance) {
      best_distance = d;
      best = std::string(candidate);
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto match = closest_match(word, candidates);
  return match ? " (did you mean " + *match + "?)" : std::string();
}

}  // namespace secstore
