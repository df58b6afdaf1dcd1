#include "suggest.hpp"

#include <algorithm>
#include <vector>

namespace opsgate {

namespace {

char fold(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// The next run of digits in `text` from `at`, leading zeros dropped ("0" stays); "" at the end.
std::string_view next_number(std::string_view text, std::size_t& at) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  while (at < text.size() && !digit(text[at])) ++at;
  std::size_t start = at;
  while (at < text.size() && digit(text[at])) ++at;
  while (start + 1 < at && text[start] == '0') ++start;
  return text.substr(start, at - start);
}

}  // namespace

bool same_numbers(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (true) {
    const std::string_view x = next_number(a, i), y = next_number(b, j);
    if (x != y) return false;
    if (x.empty()) return true;
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: two back for a swap, one back, and this one.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = fold(a[i - 1]) == fold(b[j - 1]);
      current[j] =
          std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]))
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::size_t typo_distance(std::string_view word) {
  if (word.size() <= 2) return 0;
  if (word.size() <= 5) return 1;
  if (word.size() <= 9) return 2;
  return 3;
}

bool abbreviates(std::string_view word, std::string_view candidate) {
  if (word.size() >= candidate.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (fold(word[i]) != fold(candidate[i])) return false;
  return true;
}

ClosestMatch::ClosestMatch(std::string_view word) : ClosestMatch(word, typo_distance(word)) {}

ClosestMatch::ClosestMatch(std::string_view word, std::size_t max_distance)
    : m_word(word), m_max(max_distance), m_best_distance(max_distance + 1) {}

void ClosestMatch::consider(std::string_view candidate) {
  if (candidate == m_word) return;
  const std::size_t distance = edit_distance(m_word, candidate);
  if (distance < m_best_distance && distance <= m_max) {
    m_best_distance = distance;
    m_best = std::string(candidate);
  }
}

}  // namespace opsgate
