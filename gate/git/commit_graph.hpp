#pragma once
// Git's commit-graph (gitformat-commit-graph(5)), read-only: commit dates, first parents and root
// trees without parsing commit objects, and the changed-path Bloom filters that tell, without
// reading a tree, that a commit did not touch a path.
//
// `changed_within_days` on a file untouched for years walks every commit of the window: ~15 us
// each through libgit2 (a commit and two trees inflated), 130 ms for a year of hourly commits.
// With a graph written by `git commit-graph write --reachable --changed-paths` (GitLab's Gitaly
// keeps one on every repository), a commit costs a few array reads and seven hash probes, and
// only the commits whose filter answers "maybe" are compared for real. libgit2 1.5 has no API
// for either, hence this reader.
//
// The files are mapped read-only and checked before use: anything inconsistent (truncated,
// unknown hash or version, chunk offsets out of bounds, a non-monotonic fanout) makes open()
// return nullptr and the history falls back to libgit2, so a damaged graph costs time, never a
// wrong answer; a filter whose index entry is out of bounds answers "maybe". A Bloom filter has
// no false negatives, so "not changed" is exact.

#include <git2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsgate {

// Git's murmur3_seeded: `version` 1 reproduces git's sign extension of bytes >= 0x80 (the hash
// of BDAT version 1 filters), 2 the corrected one.
std::uint32_t git_murmur3(std::uint32_t seed, std::string_view data, int version);

// git_murmur3 of data.substr(0, n) for each n of `lengths` (ascending), in one pass over data.
std::vector<std::uint32_t> git_murmur3_prefixes(std::uint32_t seed, std::string_view data,
                                                int version,
                                                const std::vector<std::size_t>& lengths);

class CommitGraph {
 public:
  static constexpr std::uint32_t k_no_position = 0xffffffff;
  // What a first-parent walk needs of a commit: one 36-byte record read.
  struct Commit {
    std::uint32_t first_parent = k_no_position;  // graph position; k_no_position for a root
    std::int64_t time = 0;                       // committer time, seconds since the epoch
    git_oid tree{};                              // its root tree
  };

  // Opens `objects_dir`/info/commit-graph, or else the split chain in
  // `objects_dir`/info/commit-graphs; nullptr when there is none or it is unusable.
  static std::unique_ptr<CommitGraph> open(const std::string& objects_dir);

  ~CommitGraph();
  CommitGraph(const CommitGraph&) = delete;
  CommitGraph& operator=(const CommitGraph&) = delete;

  std::uint32_t size() const { return m_total; }
  std::optional<std::uint32_t> find(const git_oid& id) const;
  git_oid id_at(std::uint32_t position) const;
  Commit at(std::uint32_t position) const;

  // The seed hashes of a path and of each directory above it, for both filter versions,
  // computed once per path. git puts every changed path's directories in the filter too, so a
  // commit may have changed "a/b/c" only if "a/b/c", "a/b" and "a" all pass: three
  // independent ~1% false positives make a one-in-a-million one (as git log does since 2.33).
  struct PathKey {
    struct Seeds {
      std::uint32_t hash0[2];
      std::uint32_t hash1[2];
    };
    std::vector<Seeds> prefixes;  // the path first, then its directories, innermost first
    // For filters of at most 8 bytes probed with `mask_hashes` hashes: masks[version - 1]
    // [bytes - 1] has every bit that the path and its directories set. Such a filter may hold
    // the path only if it has all of them: one AND instead of up to 7 probes per prefix.
    std::uint64_t masks[2][8]{};
    std::uint8_t mask_hashes = 0;  // 0: no masks, every probe takes the general path
  };
  // `hashes`: how many hashes the graph's filters use (hashes()); 0 computes no masks.
  static PathKey key(std::string_view path, std::uint8_t hashes = 0);

  // One commit's changed-path filter; empty (data == nullptr) answers "maybe" to everything.
  struct Filter {
    const unsigned char* data = nullptr;
    // A filter of at most 8 bytes (most commits: git sizes it at 10 bits per changed path and
    // directory), copied when it is located: bit b of the filter is bit b of `word`. Probes of
    // it read neither the mapping nor pages released since.
    std::uint64_t word = 0;
    std::uint32_t bits = 0;
    std::uint8_t version = 0;  // 1 or 2: which seeds of a PathKey apply
    std::uint8_t hashes = 0;
  };
  Filter filter_at(std::uint32_t position) const;

  // For a filter of at most 8 bytes probed with the key's hash count: which of its masks applies
  // ((version - 1) * 8 + bytes - 1), and the probe itself, one AND.
  static std::uint8_t mask_slot(const Filter& filter) {
    return static_cast<std::uint8_t>((filter.version - 1) * 8 + filter.bits / 8 - 1);
  }
  static bool may_contain_masked(std::uint64_t word, std::uint8_t slot, const PathKey& key) {
    const std::uint64_t mask = key.masks[slot / 8][slot % 8];
    return (word & mask) == mask;
  }

  // false: the filter's commit certainly did not change the path of `key` against its first
  // parent (valid while the graph lives). Inline: a monorepo's check makes a million probes.
  static bool may_contain(const Filter& filter, const PathKey& key) {
    if (!filter.data) return true;
    const int version = filter.version - 1;
    if (filter.bits <= 64 && filter.hashes == key.mask_hashes)
      return may_contain_masked(filter.word, mask_slot(filter), key);
    for (const PathKey::Seeds& seeds : key.prefixes) {
      const std::uint32_t hash0 = seeds.hash0[version];
      const std::uint32_t hash1 = seeds.hash1[version];
      for (std::uint32_t i = 0; i < filter.hashes; ++i) {
        // hash0 + i * hash1 in 32-bit arithmetic, as git computes it.
        const std::uint32_t bit = (hash0 + i * hash1) % filter.bits;
        if (!(filter.data[bit / 8] & (1u << (bit % 8)))) return false;
      }
    }
    return true;
  }

  // Whether every layer carries changed-path filters.
  bool has_bloom_filters() const;
  // How many hashes the newest layer's filters use (0 without filters), for key().
  std::uint8_t hashes() const;

  // Drops the graph's pages from the resident set; the page cache keeps them and a later read
  // maps them back. A year's walk touches nearly every page of the commit records (they are
  // sorted by id, so a chain lands anywhere), which would otherwise stay counted in the
  // process's memory while trees are read.
  void release_pages() const;

 private:
  struct Layer;
  CommitGraph() = default;
  const Layer& layer_of(std::uint32_t& position) const;  // makes `position` layer-local

  std::vector<std::unique_ptr<Layer>> m_layers;  // base first
  std::uint32_t m_total = 0;
};

}  // namespace opsgate
