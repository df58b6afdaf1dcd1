#pragma once
// The hooks' side of the library: git's ref-update lines (pre-push, pre-receive), which pushed
// tips are checked and against which base, and one report over them all.

#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"

namespace opsgate {

enum class HookKind { pre_push, pre_receive };

// One ref update announced by git on the hook's stdin.
struct RefUpdate {
  std::string ref;     // the ref that moves (pre-push: on the remote)
  std::string source;  // pre-push: the local ref pushed; empty otherwise
  std::string old_id;  // what the ref was; all zeros when it is created
  std::string new_id;  // the pushed tip; all zeros when the ref is deleted
  // The ref that really moves when `ref` is a symbolic ref of the repository (pre-receive:
  // refs/heads/master -> refs/heads/main); --refs selects by either name.
  std::string lands_on;
};

// pre-push lines are `<local ref> <local sha> <remote ref> <remote sha>`, pre-receive lines
// `<old sha> <new sha> <ref>`; blank lines are skipped, anything else is a usage error naming
// the line.
Expected<std::vector<RefUpdate>> parse_ref_updates(std::string_view text, HookKind kind);

bool is_zero_id(std::string_view id);

// A --refs glob matches the full ref name (`refs/heads/release/*`) or its short name
// (`release/*`, `main`, `v1.*`); `*` also crosses `/`. No glob selects every ref.
bool ref_selected(const std::vector<std::string>& globs, const std::string& ref);

// The updates a hook checks, and a line for each one it passes over: deletions, git notes
// (refs/notes/*: annotations, not code), refs --refs does not select. Every other ref is
// checked, whatever its namespace (branches, tags, Gerrit's refs/for/*, refs/pull/*...).
struct PushPlan {
  std::vector<RefUpdate> checked;
  std::vector<std::string> skipped;
};
PushPlan plan_push(const std::vector<RefUpdate>& updates, const std::vector<std::string>& globs);

// What one pushed tip failed: the rules at or above --fail-on.
struct TipVerdict {
  std::string ref;
  std::vector<std::string> failed;  // rule ids
};

struct PushReport {
  Report report;  // every checked tip, concluded
  std::vector<TipVerdict> verdicts;
};

// Checks every tip of `plan` into one report: the old id is a tip's base when the repository
// has it and shares history with the tip; otherwise the whole tip is checked, with a note
// saying why. Deletions and refs --refs leaves out are in the notes.
Expected<PushReport> check_push(const CheckRequest& request, const PushPlan& plan,
                                Executor& executor = Executor::shared());

}  // namespace opsgate
