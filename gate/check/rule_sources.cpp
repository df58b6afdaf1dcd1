#include "rule_sources.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <tuple>

#include "i18n.hpp"
#include "limits.hpp"
#include "paths.hpp"
#include "repo.hpp"

namespace fs = std::filesystem;

namespace opsgate {

namespace {

Expected<std::string> read_disk_file(const fs::path& path) {
  std::error_code ec;
  if (const std::uintmax_t bytes = fs::file_size(path, ec); !ec && bytes > k_max_file_bytes)
    return fail(ErrorKind::invalid, oversize_message(tr("the file"), bytes),
                SourcePos{path.string()});
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorKind::io, trf("cannot read {}", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Expected<PackSource> from_disk(const std::string& source, const fs::path& path) {
  PackSource pack{source, path.stem().string(), {}, {}};
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".toml")
        files.push_back(entry.path());
    if (ec) return fail(ErrorKind::io, trf("cannot list {}: {}", path.string(), ec.message()));
    std::sort(files.begin(), files.end());
    if (files.empty())
      return fail(ErrorKind::invalid, trf("rule pack {} holds no .toml file", source));
    pack.default_name = path.filename().string();
    pack.origin.dir = fs::absolute(path).lexically_normal().string();
    while (pack.origin.dir.size() > 1 && pack.origin.dir.ends_with('/')) pack.origin.dir.pop_back();
    pack.origin.is_dir = true;
    for (const fs::path& file : files) {
      auto text = read_disk_file(file);
      if (!text) return std::unexpected(text.error());
      pack.files.push_back({file.string(), std::move(*text)});
      pack.origin.files.push_back(fs::absolute(file).lexically_normal().string());
    }
    return pack;
  }
  auto text = read_disk_file(path);
  if (!text) return std::unexpected(text.error());
  pack.files.push_back({path.string(), std::move(*text)});
  pack.origin.files.push_back(fs::absolute(path).lexically_normal().string());
  return pack;
}

// A rule file of a REV:PATH pack must be the file at that path, not one a symlink on the way
// points to elsewhere in the tree: the change could edit the target while the pack's own paths
// stay untouched.
Expected<void> reached_without_symlink(const Tree& tree, const std::string& source,
                                       const std::string& file) {
  auto listed = tree.is_listed_file(file);
  if (!listed) return std::unexpected(listed.error());
  if (!*listed)
    return fail(ErrorKind::invalid,
                trf("--rules {}: {} is reached through a symlink; rule packs read from "
                    "a revision follow none",
                    source, file));
  return {};
}

// A rule file over the size limit is refused from its object header, before it is read.
Expected<void> within_limit(const Tree& tree, const std::string& name, const std::string& file) {
  auto bytes = tree.size(file);
  if (!bytes) return std::unexpected(bytes.error());
  if (*bytes && **bytes > k_max_file_bytes)
    return fail(ErrorKind::invalid, oversize_message(tr("the file"), **bytes), SourcePos{name});
  return {};
}

Expected<PackSource> from_revision(const std::string& source, const Repository& repo,
                                   const std::string& rev, const std::string& written) {
  // HEAD:./x, HEAD:x//, HEAD:/x all name x: one spelling, so that GATE-RULES-CHANGED compares
  // the paths the change touches with the paths read.
  const auto normal = normalize_repo_path(written);
  if (!normal)
    return fail(ErrorKind::usage, trf("--rules {}: {} leaves the repository", source, written));
  const std::string& path = *normal;
  auto commit = repo.resolve_commit(rev);
  if (!commit)
    return fail(ErrorKind::not_found, trf("--rules {}: {}", source, commit.error().message));
  auto tree = repo.tree_at(*commit);
  if (!tree) return std::unexpected(tree.error());
  PackSource pack{
      source, fs::path(path).stem().string(), {}, {PackOrigin::Kind::revision, *commit, {}}};
  auto name_at = [&](const std::string& file) { return fmt::format("{}:{}", rev, file); };
  switch ((*tree)->kind(path)) {
    case EntryKind::directory: {
      auto names = (*tree)->list(path);
      if (!names) return std::unexpected(names.error());
      pack.default_name = fs::path(path).filename().string();
      pack.origin.dir = path;
      pack.origin.is_dir = true;
      for (const std::string& name : *names) {
        if (!name.ends_with(".toml")) continue;
        std::string file = path.empty() ? name : path + "/" + name;
        if (auto ok = reached_without_symlink(**tree, source, file); !ok)
          return std::unexpected(ok.error());
        if (auto ok = within_limit(**tree, name_at(file), file); !ok)
          return std::unexpected(ok.error());
        auto text = (*tree)->read(file);
        if (!text) return std::unexpected(text.error());
        pack.files.push_back({name_at(file), std::move(**text)});
        pack.origin.files.push_back(file);
      }
      if (pack.files.empty())
        return fail(ErrorKind::invalid, trf("rule pack {} holds no .toml file", source));
      return pack;
    }
    case EntryKind::file:
    case EntryKind::executable: {
      if (auto ok = reached_without_symlink(**tree, source, path); !ok)
        return std::unexpected(ok.error());
      if (auto ok = within_limit(**tree, name_at(path), path); !ok)
        return std::unexpected(ok.error());
      auto text = (*tree)->read(path);
      if (!text) return std::unexpected(text.error());
      pack.files.push_back({name_at(path), std::move(**text)});
      pack.origin.files.push_back(path);
      return pack;
    }
    default:
      return fail(ErrorKind::not_found,
                  trf("--rules {}: no file or directory {} at {}", source, path, rev));
  }
}

std::string executable_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

}  // namespace

std::vector<std::string> installed_pack_dirs() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("OPSGATE_RULES_PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      std::size_t colon = rest.find(':');
      if (colon != 0) dirs.emplace_back(rest.substr(0, colon));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (std::string dir = executable_dir(); !dir.empty())
    dirs.push_back((fs::path(dir) / ".." / "share" / "opsgate" / "rules").lexically_normal());
  dirs.emplace_back(OPSGATE_INSTALL_RULES_DIR);
  dirs.emplace_back(OPSGATE_SOURCE_RULES_DIR);
  return dirs;
}

RuleSourceKind classify_rule_source(std::string_view source) {
  const bool path_like = source.starts_with("/") || source.starts_with("./") ||
                         source.starts_with("../") || source == "." || source == "..";
  if (path_like) return RuleSourceKind::path;
  if (const std::size_t colon = source.find(':'); colon != std::string_view::npos && colon > 0)
    return RuleSourceKind::revision;
  // An installed pack's name is a plain word ("baseline", "acme-2026"); a dot-name is a path.
  if (source.find('/') != std::string_view::npos || source.ends_with(".toml") ||
      source.starts_with("."))
    return RuleSourceKind::path;
  return RuleSourceKind::installed;
}

Expected<PackSource> read_pack_source(const std::string& source, const Repository* repo) {
  std::error_code ec;
  switch (classify_rule_source(source)) {
    case RuleSourceKind::path:
      // The server's or the pipeline's configuration, not anything a change contains.
      if (!fs::exists(source, ec))
        return fail(ErrorKind::unavailable, trf("rule pack {}: no such file or directory", source));
      return from_disk(source, source);
    case RuleSourceKind::revision: {
      if (!repo)
        return fail(ErrorKind::usage, trf("--rules {}: REV:PATH needs a git repository", source));
      const std::size_t colon = source.find(':');
      return from_revision(source, *repo, source.substr(0, colon), source.substr(colon + 1));
    }
    case RuleSourceKind::installed:
      break;
  }
  // A bare name is an installed pack, whatever the current directory holds: CI runs inside the
  // checkout, and a committed baseline/ must not replace the platform team's baseline.
  for (const std::string& dir : installed_pack_dirs()) {
    fs::path candidate = fs::path(dir) / source;
    if (fs::is_directory(candidate, ec)) {
      auto pack = from_disk(source, candidate);
      if (pack) {
        pack->default_name = source;
        pack->origin.installed = true;
      }
      return pack;
    }
  }
  std::string hint;
  if (fs::exists(source, ec))
    hint = fs::is_directory(source, ec)
               ? trf(" (the directory here is not used by its bare name: write ./{} to use it)",
                     source)
               : trf(" (the file here is not used by its bare name: write ./{} to use it)", source);
  return fail(ErrorKind::unavailable,
              trf("no installed rule pack named '{}'{}; installed packs are looked for in "
                  "{}",
                  source, hint, fmt::join(installed_pack_dirs(), ":")));
}

Expected<void> read_trust_roots(Pack& pack, const Repository* repo) {
  for (auto [declared, file, key] :
       {std::tuple{&pack.allowed_signers_path, &pack.trust.allowed_signers, "allowed_signers"},
        std::tuple{&pack.gpg_keyring_path, &pack.trust.gpg_keyring, "gpg_keyring"}}) {
    if (declared->empty()) continue;
    const PackOrigin& origin = pack.origin;
    const std::string dir = origin.is_dir
                                ? origin.dir
                                : (origin.kind == PackOrigin::Kind::disk
                                       ? fs::path(origin.files.front()).parent_path().string()
                                       : parent_dir(origin.files.front()));
    if (origin.kind == PackOrigin::Kind::disk) {
      const fs::path path = fs::path(dir) / *declared;
      auto text = read_disk_file(path);
      if (!text)
        return fail(ErrorKind::not_found, trf("pack {}: {} = \"{}\": {}", pack.name, key, *declared,
                                              text.error().message));
      *file = TrustFile{path.string(), std::move(*text)};
      // Rewritten by a change, it is a rule change (GATE-RULES-CHANGED).
      pack.origin.files.push_back(fs::absolute(path).lexically_normal().string());
      continue;
    }
    if (!repo)
      return fail(ErrorKind::usage, std::string(tr("a REV:PATH pack needs a git repository")));
    const std::string path = join_path(dir, *declared);
    const std::string rev = pack.source.substr(0, pack.source.find(':'));
    const std::string name = fmt::format("{}:{}", rev, path);
    auto tree = repo->tree_at(origin.commit);
    if (!tree) return std::unexpected(tree.error());
    if (auto ok = reached_without_symlink(**tree, pack.source, path); !ok)
      return std::unexpected(ok.error());
    if (auto ok = within_limit(**tree, name, path); !ok) return std::unexpected(ok.error());
    auto text = (*tree)->read(path);
    if (!text) return std::unexpected(text.error());
    if (!*text)
      return fail(ErrorKind::not_found,
                  trf("pack {}: {} = \"{}\": no file {}", pack.name, key, *declared, name));
    *file = TrustFile{name, std::move(**text)};
    pack.origin.files.push_back(path);
  }
  return {};
}

Expected<RuleSet> load_rules(const std::vector<std::string>& sources, const Repository* repo) {
  static const std::vector<std::string> k_default = {"baseline"};
  RuleSetBuilder builder;
  for (const std::string& source : sources.empty() ? k_default : sources) {
    auto pack = read_pack_source(source, repo);
    if (!pack) return std::unexpected(pack.error());
    if (auto ok = builder.add(*pack); !ok) return std::unexpected(ok.error());
  }
  auto rules = builder.finish();
  if (!rules) return rules;
  // The trust roots of signed approvals come from the pack's own source: never from the
  // change when the pack is read from a trusted revision.
  for (Pack& pack : rules->packs)
    if (auto ok = read_trust_roots(pack, repo); !ok) return std::unexpected(ok.error());
  return rules;
}

}  // namespace opsgate
