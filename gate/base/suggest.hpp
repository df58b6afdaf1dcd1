#pragma once
// "Did you mean …?": the edit distance between what a person typed and the names that exist
// (manifest keys and tables, rule ids, subcommands, --env names, anchors).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace opsgate {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters ("retnetion" is one edit from "retention") each count 1. ASCII letters
// compare case-insensitively, so "Monitoring" is 0 from "monitoring". Bytes, not characters: a
// non-ASCII letter typed wrong counts as one edit per byte.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The most edits a typo of `word` plausibly holds: 0 up to 2 characters, 1 up to 5, 2 up to 9,
// 3 beyond. Further than that, a suggestion is noise.
std::size_t typo_distance(std::string_view word);

// Keeps the candidate nearest to `word`, within typo_distance(word) (or `max_distance`); the
// first of equally near ones wins. A candidate equal to `word` is never suggested.
class ClosestMatch {
 public:
  explicit ClosestMatch(std::string_view word);
  ClosestMatch(std::string_view word, std::size_t max_distance);

  void consider(std::string_view candidate);
  const std::optional<std::string>& best() const { return m_best; }

 private:
  std::string m_word;
  std::size_t m_max;
  std::size_t m_best_distance;
  std::optional<std::string> m_best;
};

// The candidate to suggest for `word`, if one is close enough. `candidates` is any range of
// strings or string views.
template <class Range>
std::optional<std::string> closest_match(std::string_view word, const Range& candidates) {
  ClosestMatch match(word);
  for (const auto& candidate : candidates) match.consider(candidate);
  return match.best();
}

}  // namespace opsgate
