#pragma once
// Where a --rules SRC comes from: a directory, one .toml file, REV:PATH from the repository's
// history, or the name of an installed pack (`baseline`).

#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "rules.hpp"

namespace opsgate {

class Repository;

// Directories searched for installed packs, in order: $OPSGATE_RULES_PATH (':'-separated),
// <prefix>/share/opsgate/rules next to the binary, the install prefix, the source tree.
std::vector<std::string> installed_pack_dirs();

// How a --rules SRC is read, in this order: a path when it starts with /, ./ or ../; REV:PATH
// when it has a colon after its first character; a path when it has a '/', ends in .toml or
// starts with a dot;
// otherwise the name of an installed pack, never a file or directory of the current directory
// (`./baseline` names that one).
enum class RuleSourceKind { path, revision, installed };
RuleSourceKind classify_rule_source(std::string_view source);

// Reads the files of one --rules source. `repo` may be null (no repository at hand).
Expected<PackSource> read_pack_source(const std::string& source, const Repository* repo);

// Loads every source in order into one RuleSet (defaults to "baseline" when `sources` is empty).
Expected<RuleSet> load_rules(const std::vector<std::string>& sources, const Repository* repo);

}  // namespace opsgate
