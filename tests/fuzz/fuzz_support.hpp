#pragma once
// What the fuzz harnesses share: the libFuzzer entry point's declaration, a reader that turns
// fuzz bytes into values, a check that aborts (so the fuzzer records a crash) and the fixed world
// the evaluations run in: the baseline pack, a small repository tree, a fixed evaluation time.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "evaluate.hpp"
#include "history.hpp"
#include "rules.hpp"
#include "timeutil.hpp"
#include "tree.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace opsgate::fuzz {

// An invariant of the code under test does not hold: say which and abort, which the fuzzer
// records as a crash and the replay tests as a failure.
[[noreturn]] inline void violated(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  if (!detail.empty())
    std::fprintf(stderr, "--- output (%zu bytes) ---\n%.*s\n---\n", detail.size(),
                 static_cast<int>(std::min<std::size_t>(detail.size(), 4000)), detail.data());
  std::abort();
}

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_utf8(std::string_view text);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Consumes fuzz bytes front to back; once they run out every value is zero or empty, so any
// input, even an empty one, describes a complete value.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}

  std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
  bool remaining() const { return m_pos < m_size; }
  bool flag() { return byte() & 1; }
  // A value in [0, bound), bound >= 1.
  unsigned below(unsigned bound) { return byte() % bound; }
  std::uint32_t u32() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = value << 8 | byte();
    return value;
  }
  // A string of 0..max_length arbitrary bytes (invalid UTF-8, NUL and control characters
  // included); a length byte comes first.
  std::string text(std::size_t max_length = 48) {
    std::size_t length = byte() % (max_length + 1);
    length = std::min(length, m_size - m_pos);
    std::string out(reinterpret_cast<const char*>(m_data + m_pos), length);
    m_pos += length;
    return out;
  }

 private:
  const std::uint8_t* m_data;
  std::size_t m_size;
  std::size_t m_pos = 0;
};

// A small repository as evaluation sees it: the runbook, the alert rules and a deploy script of
// examples/billing-api, at the paths its manifest names.
const Tree& sample_tree();

// A first-parent history where the runbook last changed on 2026-10-01.
History& sample_history();

// The evaluation time every harness uses: 2026-11-26T10:00:00+01:00.
Instant sample_instant();

// The baseline pack (rules/baseline of the source tree), read from disk once.
const PackSource& baseline_source();
const RuleSet& baseline_rules();

// The example manifest examples/billing-api/operability.toml, as text.
std::string_view sample_manifest_text();

// Evaluates `manifest` against `rules` in the sample world; checks what every result must
// satisfy (findings sorted by rule id, a level within 0..5).
ManifestResult evaluate_in_sample_world(const Manifest& manifest, const RuleSet& rules,
                                        std::string_view environment = "production");

// What every evaluation's result must satisfy: findings sorted by rule id, one per loaded rule,
// a level within 0..5, an outcome that agrees with the findings.
void check_manifest_result(const ManifestResult& result, const RuleSet& rules);

}  // namespace opsgate::fuzz
