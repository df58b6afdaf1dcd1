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

// Whether two identifiers carry the same numbers, leading zeros aside ("BKP-02", "BKP-002"):
// ids that differ in a number name other things (BKP-003 is another rule, not a typo of BKP-002).
bool same_numbers(std::string_view a, std::string_view b);

// closest_match among the candidates with the same numbers as `id`: for rule ids.
template <class Range>
std::optional<std::string> closest_id(std::string_view id, const Range& candidates) {
  ClosestMatch match(id);
  for (const auto& candidate : candidates)
    if (same_numbers(id, candidate)) match.consider(candidate);
  return match.best();
}

// The one candidate that starts with `word` ("prod" for "production"), ASCII case folded; none
// when `word` has fewer than 2 characters or starts several of them. Edit distance cannot see an
// abbreviation: "prod" is 6 edits from "production".
bool abbreviates(std::string_view word, std::string_view candidate);
template <class Range>
std::optional<std::string> abbreviated(std::string_view word, const Range& candidates) {
  std::optional<std::string> found;
  if (word.size() < 2) return found;
  for (const auto& candidate : candidates) {
    if (!abbreviates(word, candidate) || (found && *found == std::string_view(candidate))) continue;
    if (found) return std::nullopt;
    found = std::string(candidate);
  }
  return found;
}

// closest_match, else the candidate `word` abbreviates: for names a person types from memory
// (--env names, subcommands).
template <class Range>
std::optional<std::string> suggest_name(std::string_view word, const Range& candidates) {
  if (auto close = closest_match(word, candidates)) return close;
  return abbreviated(word, candidates);
}

}  // namespace opsgate
