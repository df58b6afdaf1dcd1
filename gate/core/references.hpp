#pragma once
// The repository files a manifest names through the keys that the rules' file operators
// (path_exists, executable, has_sections, changed_within_days) read.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "manifest.hpp"
#include "rules.hpp"

namespace opsgate {

// Whether the operator reads the file (or directory) its key names.
bool reads_file(OpKind kind);

// Whether a condition checks what its key's file is: path_exists, executable or has_sections
// (changed_within_days reads the history, not the file).
bool checks_files(const Condition& condition);

// The repository paths a key's value names (a string or an array of strings), anchors dropped;
// paths leaving the repository left out.
std::vector<std::string> referenced_paths(const Manifest& manifest, const toml::node* value);

// Every path the file operators of `rules` may look at for `manifest`, sorted and unique: a
// value is resolved whole and cut at each '#' too (a '#' may belong to a file name; the
// operators take the longest prefix that exists). Two trees answering alike for all of them
// give the manifest's file operators the same answers.
std::vector<std::string> reference_candidates(const Manifest& manifest, const RuleSet& rules);

// The strings of a manifest's text that may name a path outside its directory (a leading '/'
// or a ".."), found without parsing (a toml++ parse costs tens of microseconds a manifest):
// std::nullopt when the text uses what this scan does not follow (a backslash, a multi-line
// string, a line break inside a string), and the text must be parsed instead. Every string
// of the document is seen, keys included: a superset of what the file operators read.
std::optional<std::vector<std::string>> outside_strings(std::string_view text);

}  // namespace opsgate
