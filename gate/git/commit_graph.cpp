#include "commit_graph.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

namespace opsgate {

namespace {

constexpr std::uint32_t chunk_id(const char (&name)[5]) {
  return (std::uint32_t(std::uint8_t(name[0])) << 24) |
         (std::uint32_t(std::uint8_t(name[1])) << 16) |
         (std::uint32_t(std::uint8_t(name[2])) << 8) | std::uint32_t(std::uint8_t(name[3]));
}

constexpr std::uint32_t k_oid_fanout = chunk_id("OIDF");
constexpr std::uint32_t k_oid_lookup = chunk_id("OIDL");
constexpr std::uint32_t k_commit_data = chunk_id("CDAT");
constexpr std::uint32_t k_bloom_index = chunk_id("BIDX");
constexpr std::uint32_t k_bloom_data = chunk_id("BDAT");
constexpr std::size_t k_header = 8;
constexpr std::size_t k_chunk_entry = 12;
constexpr std::size_t k_hash = 20;           // SHA-1: the only hash libgit2 1.5 reads
constexpr std::size_t k_commit_record = 36;  // tree, parent 1, parent 2, generation + time
constexpr std::size_t k_bloom_header = 12;   // version, hash count, bits per entry
constexpr std::uint32_t k_no_parent = 0x70000000;
constexpr std::uint32_t k_max_hashes = 32;  // git writes 7; more is not a filter we know

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

std::uint64_t be64(const unsigned char* p) {
  return (std::uint64_t(be32(p)) << 32) | be32(p + 4);
}

std::uint32_t rotl(std::uint32_t value, int count) {
  return (value << count) | (value >> (32 - count));
}

// A byte as git's murmur3 reads it: version 1 went through a (signed) char.
std::uint32_t byte_at(std::string_view data, std::size_t i, int version) {
  if (version == 1) return static_cast<std::uint32_t>(static_cast<signed char>(data[i]));
  return static_cast<unsigned char>(data[i]);
}

}  // namespace

namespace {

constexpr std::uint32_t k_murmur_c1 = 0xcc9e2d51, k_murmur_c2 = 0x1b873593;

// murmur3's state after the 4-byte block at `offset`.
std::uint32_t murmur3_block(std::uint32_t seed, std::string_view data, std::size_t offset,
                            int version) {
  std::uint32_t k = byte_at(data, offset, version) | (byte_at(data, offset + 1, version) << 8) |
                    (byte_at(data, offset + 2, version) << 16) |
                    (byte_at(data, offset + 3, version) << 24);
  k *= k_murmur_c1;
  k = rotl(k, 15);
  k *= k_murmur_c2;
  seed ^= k;
  return rotl(seed, 13) * 5 + 0xe6546b64;
}

// The hash of data.substr(0, length), from the state after its whole blocks.
std::uint32_t murmur3_finish(std::uint32_t seed, std::string_view data, std::size_t length,
                             int version) {
  const std::size_t tail = length / 4 * 4;
  std::uint32_t k1 = 0;
  switch (length & 3) {
    case 3:
      k1 ^= byte_at(data, tail + 2, version) << 16;
      [[fallthrough]];
    case 2:
      k1 ^= byte_at(data, tail + 1, version) << 8;
      [[fallthrough]];
    case 1:
      k1 ^= byte_at(data, tail, version);
      k1 *= k_murmur_c1;
      k1 = rotl(k1, 15);
      k1 *= k_murmur_c2;
      seed ^= k1;
      break;
    default:
      break;
  }
  seed ^= static_cast<std::uint32_t>(length);
  seed ^= seed >> 16;
  seed *= 0x85ebca6b;
  seed ^= seed >> 13;
  seed *= 0xc2b2ae35;
  seed ^= seed >> 16;
  return seed;
}

}  // namespace

std::uint32_t git_murmur3(std::uint32_t seed, std::string_view data, int version) {
  return git_murmur3_prefixes(seed, data, version, {data.size()}).front();
}

std::vector<std::uint32_t> git_murmur3_prefixes(std::uint32_t seed, std::string_view data,
                                                int version,
                                                const std::vector<std::size_t>& lengths) {
  std::vector<std::uint32_t> out;
  out.reserve(lengths.size());
  std::size_t blocks = 0;  // hashed into `seed` so far
  for (std::size_t length : lengths) {
    for (; blocks < length / 4; ++blocks) seed = murmur3_block(seed, data, 4 * blocks, version);
    out.push_back(murmur3_finish(seed, data, length, version));
  }
  return out;
}

struct CommitGraph::Layer {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::uint32_t count = 0;  // commits in this layer
  std::uint32_t base = 0;   // global position of its first commit
  const unsigned char* fanout = nullptr;
  const unsigned char* ids = nullptr;
  const unsigned char* commits = nullptr;
  const unsigned char* bloom_index = nullptr;  // null: no changed-path filters
  const unsigned char* bloom_data = nullptr;   // after the BDAT header
  std::size_t bloom_size = 0;
  int bloom_version = 0;
  std::uint32_t bloom_hashes = 0;

  ~Layer() {
    if (data) munmap(const_cast<unsigned char*>(data), size);
  }

  // Maps and checks one graph file; false when it is not one we can trust.
  bool load(const std::string& path, std::uint32_t layer_index) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat info {};
    bool ok = fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
              info.st_size >= static_cast<off_t>(k_header + k_chunk_entry + k_hash);
    if (ok) {
      size = static_cast<std::size_t>(info.st_size);
      void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped == MAP_FAILED)
        ok = false;
      else
        data = static_cast<const unsigned char*>(mapped);
      // A walk reads scattered records: no readahead from disk. (Pages already cached are
      // still mapped around each fault; release_pages() gives them back.)
      if (ok) madvise(mapped, size, MADV_RANDOM);
    }
    ::close(fd);
    return ok && parse(layer_index);
  }

  bool parse(std::uint32_t layer_index) {
    if (std::memcmp(data, "CGPH", 4) != 0 || data[4] != 1 || data[5] != 1) return false;
    const std::size_t chunks = data[6];
    if (data[7] != layer_index) return false;  // base graphs named in the header
    const std::size_t table_end = k_header + (chunks + 1) * k_chunk_entry;
    const std::size_t limit = size - k_hash;  // the trailing checksum
    if (table_end > limit) return false;
    std::size_t oidf_size = 0, oidl_size = 0, cdat_size = 0, bidx_size = 0, bdat_size = 0;
    const unsigned char* bdat = nullptr;
    for (std::size_t i = 0; i < chunks; ++i) {
      const unsigned char* entry = data + k_header + i * k_chunk_entry;
      std::uint64_t offset = be64(entry + 4);
      std::uint64_t next = be64(entry + k_chunk_entry + 4);
      if (offset < table_end || next < offset || next > limit) return false;
      const unsigned char* start = data + offset;
      std::size_t length = static_cast<std::size_t>(next - offset);
      switch (be32(entry)) {
        case k_oid_fanout:
          fanout = start, oidf_size = length;
          break;
        case k_oid_lookup:
          ids = start, oidl_size = length;
          break;
        case k_commit_data:
          commits = start, cdat_size = length;
          break;
        case k_bloom_index:
          bloom_index = start, bidx_size = length;
          break;
        case k_bloom_data:
          bdat = start, bdat_size = length;
          break;
        default:
          break;  // EDGE, GDA2, BASE...: not needed for first-parent walks
      }
    }
    if (!fanout || oidf_size != 256 * 4 || !ids || !commits) return false;
    for (int i = 1; i < 256; ++i)
      if (be32(fanout + 4 * i) < be32(fanout + 4 * (i - 1))) return false;
    count = be32(fanout + 255 * 4);
    if (oidl_size != std::size_t(count) * k_hash ||
        cdat_size != std::size_t(count) * k_commit_record)
      return false;
    // Changed-path filters are optional: without a consistent pair, every answer is "maybe".
    if (bloom_index && bdat && bidx_size == std::size_t(count) * 4 && bdat_size >= k_bloom_header) {
      bloom_version = static_cast<int>(be32(bdat));
      bloom_hashes = be32(bdat + 4);
      bloom_data = bdat + k_bloom_header;
      bloom_size = bdat_size - k_bloom_header;
      // Each filter's bounds are checked where it is read (filter_at): scanning the whole
      // index here would touch every page of it for the few thousand commits a walk reads.
      const bool consistent = (bloom_version == 1 || bloom_version == 2) && bloom_hashes > 0 &&
                              bloom_hashes <= k_max_hashes;
      if (!consistent) bloom_index = nullptr;
    } else {
      bloom_index = nullptr;
    }
    return true;
  }

  std::optional<std::uint32_t> find(const git_oid& id) const {
    const unsigned char first = id.id[0];
    std::uint32_t lo = first == 0 ? 0 : be32(fanout + 4 * (first - 1));
    std::uint32_t hi = be32(fanout + 4 * first);
    while (lo < hi) {
      std::uint32_t mid = lo + (hi - lo) / 2;
      int order = std::memcmp(ids + std::size_t(mid) * k_hash, id.id, k_hash);
      if (order == 0) return mid;
      if (order < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    return std::nullopt;
  }
};

std::unique_ptr<CommitGraph> CommitGraph::open(const std::string& objects_dir) {
  std::vector<std::string> files;
  const std::string info = objects_dir + "/info/";
  if (access((info + "commit-graph").c_str(), R_OK) == 0) {
    files.push_back(info + "commit-graph");
  } else {
    std::ifstream chain(info + "commit-graphs/commit-graph-chain");
    for (std::string line; std::getline(chain, line);) {
      if (line.size() != 2 * k_hash ||
          line.find_first_not_of("0123456789abcdef") != std::string::npos)
        return nullptr;
      files.push_back(info + "commit-graphs/graph-" + line + ".graph");
    }
  }
  if (files.empty() || files.size() > 255) return nullptr;
  std::unique_ptr<CommitGraph> graph(new CommitGraph());
  for (const std::string& file : files) {
    auto layer = std::make_unique<Layer>();
    if (!layer->load(file, static_cast<std::uint32_t>(graph->m_layers.size()))) return nullptr;
    if (layer->count > 0x70000000u - graph->m_total) return nullptr;
    layer->base = graph->m_total;
    graph->m_total += layer->count;
    graph->m_layers.push_back(std::move(layer));
  }
  return graph;
}

CommitGraph::~CommitGraph() = default;

const CommitGraph::Layer& CommitGraph::layer_of(std::uint32_t& position) const {
  for (const auto& layer : m_layers)
    if (position < layer->base + layer->count) {
      position -= layer->base;
      return *layer;
    }
  position -= m_layers.back()->base;  // callers check position < size()
  return *m_layers.back();
}

std::optional<std::uint32_t> CommitGraph::find(const git_oid& id) const {
  for (auto layer = m_layers.rbegin(); layer != m_layers.rend(); ++layer)
    if (auto found = (*layer)->find(id)) return (*layer)->base + *found;
  return std::nullopt;
}

git_oid CommitGraph::id_at(std::uint32_t position) const {
  git_oid id{};
  if (position >= m_total) return id;
  const Layer& layer = layer_of(position);
  std::memcpy(id.id, layer.ids + std::size_t(position) * k_hash, k_hash);
  return id;
}

CommitGraph::Commit CommitGraph::at(std::uint32_t position) const {
  Commit commit;
  if (position >= m_total) return commit;
  const Layer& layer = layer_of(position);
  const unsigned char* record = layer.commits + std::size_t(position) * k_commit_record;
  std::uint32_t parent = be32(record + 20);
  if (parent != k_no_parent && parent < m_total) commit.first_parent = parent;
  commit.time =
      static_cast<std::int64_t>((std::uint64_t(be32(record + 28) & 0x3) << 32) | be32(record + 32));
  std::memcpy(commit.tree.id, record, k_hash);
  return commit;
}

void CommitGraph::release_pages() const {
  for (const auto& layer : m_layers)
    madvise(const_cast<unsigned char*>(layer->data), layer->size, MADV_DONTNEED);
}

bool CommitGraph::has_bloom_filters() const {
  return std::ranges::all_of(m_layers, [](const auto& layer) { return layer->bloom_index; });
}

std::uint8_t CommitGraph::hashes() const {
  return m_layers.empty() || !m_layers.back()->bloom_index
             ? 0
             : static_cast<std::uint8_t>(m_layers.back()->bloom_hashes);
}

CommitGraph::PathKey CommitGraph::key(std::string_view path, std::uint8_t hashes) {
  PathKey key;
  // The path's length, then each of its directories', innermost first; hashed in one pass,
  // shortest first (each hashed on its own, a path thousands of directories deep cost the
  // square of its length).
  std::vector<std::size_t> lengths;
  for (std::size_t length = path.size(); length > 0;) {
    lengths.push_back(length);
    const std::size_t slash = path.substr(0, length).rfind('/');
    length = slash == std::string_view::npos ? 0 : slash;
  }
  std::reverse(lengths.begin(), lengths.end());
  key.prefixes.resize(lengths.size());
  for (int version = 1; version <= 2; ++version) {
    const auto hash0 = git_murmur3_prefixes(0x293ae76f, path, version, lengths);
    const auto hash1 = git_murmur3_prefixes(0x7e646e2c, path, version, lengths);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      key.prefixes[lengths.size() - 1 - i].hash0[version - 1] = hash0[i];
      key.prefixes[lengths.size() - 1 - i].hash1[version - 1] = hash1[i];
    }
  }
  if (hashes == 0) return key;
  key.mask_hashes = hashes;
  for (int version = 0; version < 2; ++version)
    for (std::uint32_t bytes = 1; bytes <= 8; ++bytes) {
      std::uint64_t& mask = key.masks[version][bytes - 1];
      const std::uint32_t bits = bytes * 8;
      for (const PathKey::Seeds& seeds : key.prefixes)
        for (std::uint32_t i = 0; i < hashes; ++i)
          mask |= std::uint64_t{1} << ((seeds.hash0[version] + i * seeds.hash1[version]) % bits);
    }
  return key;
}

CommitGraph::Filter CommitGraph::filter_at(std::uint32_t position) const {
  Filter filter;
  if (position >= m_total) return filter;
  const Layer& layer = layer_of(position);
  if (!layer.bloom_index) return filter;
  std::uint32_t begin = position == 0 ? 0 : be32(layer.bloom_index + 4 * (position - 1));
  std::uint32_t end = be32(layer.bloom_index + 4 * position);
  // No filter computed for this commit, or one too large to index in 32 bits.
  // A damaged index (decreasing or out of the chunk) gives no filter: "maybe", as git reads it.
  if (end <= begin || end > layer.bloom_size || end - begin > (1u << 28)) return filter;
  filter.data = layer.bloom_data + begin;
  filter.bits = (end - begin) * 8;
  if (end - begin <= 8)
    for (std::uint32_t i = 0; i < end - begin; ++i)
      filter.word |= std::uint64_t{filter.data[i]} << (8 * i);
  filter.version = static_cast<std::uint8_t>(layer.bloom_version);
  filter.hashes = static_cast<std::uint8_t>(layer.bloom_hashes);
  return filter;
}

}  // namespace opsgate
