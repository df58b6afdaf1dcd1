#pragma once
// Rule packs: [pack], [[rule]], [[override]], [[freeze]], [[holiday]] and [[key]] (manifest keys
// the pack declares) parsed into a RuleSet.
// Every malformed file, unknown key or operator, bad operator value and duplicate id is an Error
// at "file:line:column" (exit 2): a gate must not run with rules it misread.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>
#include <toml++/toml.h>

#include "approval.hpp"
#include "error.hpp"
#include "manifest_schema.hpp"
#include "shared_text.hpp"
#include "timeutil.hpp"
#include "window.hpp"

namespace opsgate {

enum class Severity { info, warning, error };
std::string_view severity_name(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

// Where in the delivery flow a check runs. A rule may apply at some stages only (the release
// window governs deployments, not merge requests).
enum class Stage { commit, push, merge, deploy };
std::string_view stage_name(Stage stage);
std::optional<Stage> parse_stage(std::string_view text);
inline constexpr std::string_view k_stage_names = "commit, push, merge, deploy";

enum class OpKind {
  present,
  type,
  equals,
  one_of,
  not_one_of,
  min,
  max,
  min_items,
  max_items,
  min_length,
  max_length,
  matches,
  max_age_days,
  path_exists,
  executable,
  has_sections,
  changed_within_days,
  windows_outside,
  window_max_hours,
  window_open,
};
std::string_view op_name(OpKind kind);

struct Operator {
  OpKind kind;
  const toml::node* value = nullptr;  // owned by RuleSet::documents
  std::shared_ptr<const RE2> regex;   // `matches`, compiled once at load
};

struct Condition {
  std::string key;
  std::vector<Operator> ops;
  SourcePos where;
};

struct Rule {
  std::string id;
  std::string area;
  // In the process's language (language()): translations.<lang> when the rule has it, else the
  // English text. Shared by the rule's findings.
  SharedText title;
  SharedText help;
  SharedText english_title;  // the English title when `title` is translated; empty otherwise
  Severity severity = Severity::error;
  int level = 1;
  std::vector<std::string> environments;  // empty: every environment
  std::vector<std::string> tiers;         // empty: every tier
  std::vector<Stage> stages;              // empty: every stage
  std::vector<std::string> when_changed;  // empty: no change condition
  bool waivable = true;
  bool locked = false;  // no later pack may override or disable it (its own or its pack's)
  std::vector<Condition> when;
  std::vector<Condition> check;
  std::size_t pack = 0;  // index into RuleSet::packs
  SourcePos where;
};

// Where a pack was read from, so a change that rewrites it can be recognised.
struct PackOrigin {
  enum class Kind { disk, revision } kind = Kind::disk;
  std::string commit;              // revision: the commit REV resolved to
  std::vector<std::string> files;  // disk: absolute paths; revision: repository paths
  // The pack's directory (same convention) when it is one, so files the change adds, deletes
  // or renames there count as rule changes too; empty for a single-file pack.
  std::string dir;
  bool is_dir = false;
  bool installed = false;  // disk: an installed pack found by its name

  // "installed /usr/share/opsgate/rules/baseline", "file /ci/rules", "revision
  // origin/main:.opsgate/rules at 1a2b3c4d5e6f", as the JSON report names it, in every language.
  std::string describe(std::string_view source) const;
  // The same in the thread's language, for people (the text report).
  std::string label(std::string_view source) const;
};

struct Pack {
  std::string name;
  std::string version;
  std::string description;  // optional, in the process's language when the pack has it
  std::string source;       // as given to --rules
  PackOrigin origin;
  std::vector<std::string> environments;  // empty: not declared
  int max_waiver_days = 90;
  std::vector<std::string> waiver_approvers;
  bool locked = false;  // [pack] locked = true: every rule of the pack is locked
  bool ratchet = true;  // [pack] ratchet = false: no GATE-LEVEL-DROP while this pack is loaded
  // waiver_proof = "signed": a waiver of this pack's rules counts only when the commits that
  // last changed its lines are signed by an approver (approval.hpp); emergency_proof the same
  // for --emergency.
  bool waiver_proof_signed = false;
  bool emergency_proof_signed = false;
  // allowed_signers and gpg_keyring as declared (relative to the pack's directory); their
  // text is read from the pack's own source after loading (check/rule_sources.cpp).
  std::string allowed_signers_path;
  std::string gpg_keyring_path;
  TrustRoots trust;
};

struct RuleSet {
  std::vector<Pack> packs;
  std::vector<Calendar> calendars;  // packs[i]'s freezes and holidays are calendars[i]
  std::vector<Rule> rules;          // sorted by id, disabled ones removed
  std::vector<std::shared_ptr<const toml::table>> documents;
  // The manifest keys the packs declare ([[key]]) and the ones their rules read undeclared.
  PackKeys keys;

  const Rule* find(std::string_view id) const;
  // GATE-LEVEL-DROP is on unless a loaded pack turns it off.
  bool ratchet() const;
};

// The text of one rule file, named as messages should name it.
struct RuleFile {
  std::string path;
  std::string text;
};

// One pack: the top-level *.toml files of a directory (or one file), in name order.
struct PackSource {
  std::string source;  // as given to --rules
  std::string default_name;
  std::vector<RuleFile> files;
  PackOrigin origin;
};

// Builds a RuleSet pack by pack, in --rules order (overrides adjust earlier packs).
class RuleSetBuilder {
 public:
  Expected<void> add(const PackSource& source);
  Expected<RuleSet> finish();

 private:
  RuleSet m_set;
  std::vector<std::string> m_disabled;
};

// An --env outside the union of the packs' declared environments is an error.
Expected<void> check_environment(const RuleSet& rules, std::string_view environment);

}  // namespace opsgate
