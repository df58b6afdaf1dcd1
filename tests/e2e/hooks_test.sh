#!/usr/bin/env bash
# End-to-end: the git hook modes with real `git push`es. A bare "server" repository whose
# pre-receive hook calls `opsgate hook pre-receive` (the pushed objects are still in git's
# quarantine then), and clones whose pre-push hook `opsgate hook install` wrote. Both judge at the
# push stage that integrations/README.md gives them (issue 18).
#
# The verdicts use a small rule pack written into the temp dir and a fixed --at, passed through
# the hooks' options, so they do not depend on the clock.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"

# setup: PACK, the rules every hook is given.
setup() {
PACK="${E2E_TMP}/pack"
write_file "${PACK}/rules.toml" <<'EOF'
[pack]
name = "hooks"
version = "1.0.0"

[[rule]]
id = "HOOK-OWNER"
area = "service"
title = "The service has an owner"
severity = "error"
level = 1
help = "Set service.owner."
check = [ { key = "service.owner", present = true } ]

[[rule]]
id = "HOOK-RETENTION"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", type = "integer", min = 7 } ]
EOF
}

# manifest RETENTION: a manifest passing the pack when RETENTION >= 7.
manifest() {
  cat <<EOF
schema = 1

[service]
name = "pay"
owner = "team-pay"

[backup]
retention_days = $1
EOF
}

# commit_manifest REPO RETENTION MESSAGE: writes the manifest and commits it.
commit_manifest() {
  manifest "$2" | write_file "$1/operability.toml"
  commit_all "$1" "${D1}" "$3"
}

# server_hook REPO ARGS...: the bare REPO's pre-receive hook runs `opsgate hook pre-receive ARGS`.
server_hook() {
  local repo="$1"
  shift
  {
    printf '#!/bin/sh\nexec %q hook pre-receive' "${OPSGATE}"
    printf ' %q' "$@"
    printf '\n'
  } >"${repo}/hooks/pre-receive"
  chmod +x "${repo}/hooks/pre-receive"
}

# push DIR ARGS...: `git push ARGS` in DIR; sets RC, OUT and ERR (git's output, with the remote's
# lines; a pre-push hook's stdout lands in OUT).
push() {
  local dir="$1"
  shift
  (cd "${dir}" && git push "$@" >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"
  ERR="$(cat "${E2E_TMP}/.stderr")"
}

# hook_run DIR INPUT ARGS...: `opsgate ARGS` in DIR with INPUT on stdin; sets RC, OUT, ERR.
hook_run() {
  local dir="$1" input="$2"
  shift 2
  (cd "${dir}" && printf '%s' "${input}" | "${OPSGATE}" "$@" >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr")
  RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"
  ERR="$(cat "${E2E_TMP}/.stderr")"
}

# ref_of REPO REF: the id REF names in REPO, or "none".
ref_of() {
  git -C "$1" rev-parse -q --verify "$2" 2>/dev/null || echo none
}

ZERO="0000000000000000000000000000000000000000"

# server_fixture: SERVER, a bare repository judging pushes with PACK, and CLIENT, its clone, whose
# main was pushed as GOOD1 (a good service) then GOOD2 (notes only).
server_fixture() {
  SERVER="${E2E_TMP}/server.git"
  git init -q --bare -b main "${SERVER}"
  server_hook "${SERVER}" --rules "${PACK}" --at "${AT}" --no-color
  CLIENT="${E2E_TMP}/client"
  git clone -q "${SERVER}" "${CLIENT}" 2>/dev/null
  git -C "${CLIENT}" checkout -q -b main
  commit_manifest "${CLIENT}" 14 "good service"
  GOOD1="$(ref_of "${CLIENT}" HEAD)"
  push "${CLIENT}" origin main
  printf 'notes\n' | write_file "${CLIENT}/docs/notes.md"
  commit_all "${CLIENT}" "${D1}" "notes only"
  push "${CLIENT}" origin main
  GOOD2="$(ref_of "${CLIENT}" HEAD)"
}

# feature_fixture: after server_fixture, CLIENT's feature branch has a bad commit (BAD_FEATURE)
# then a good one, pushed; CLIENT is back on main.
feature_fixture() {
  git -C "${CLIENT}" checkout -q -b feature
  commit_manifest "${CLIENT}" 2 "bad feature"
  BAD_FEATURE="$(ref_of "${CLIENT}" HEAD)"
  commit_manifest "${CLIENT}" 21 "fix feature"
  push "${CLIENT}" origin feature
  git -C "${CLIENT}" checkout -q main
}

# two_branches_fixture: after feature_fixture, CLIENT's branches good-two (at GOOD2) and bad-two
# (at BAD_FEATURE), not pushed.
two_branches_fixture() {
  git -C "${CLIENT}" checkout -q -b good-two "${GOOD2}"
  git -C "${CLIENT}" checkout -q -b bad-two "${BAD_FEATURE}"
}

# plain_fixture: PLAIN, a bare repository without hooks.
plain_fixture() {
  PLAIN="${E2E_TMP}/plain.git"
  git init -q --bare -b main "${PLAIN}"
}

# --- pre-receive: a real push into a bare repository ---------------------------------------

scenario "pre-receive: pushes to main are judged against the previous tip" scenario_pre_receive_main
scenario_pre_receive_main() {
SERVER="${E2E_TMP}/server.git"
git init -q --bare -b main "${SERVER}"
server_hook "${SERVER}" --rules "${PACK}" --at "${AT}" --no-color
CLIENT="${E2E_TMP}/client"
git clone -q "${SERVER}" "${CLIENT}" 2>/dev/null
git -C "${CLIENT}" checkout -q -b main

commit_manifest "${CLIENT}" 14 "good service"
GOOD1="$(ref_of "${CLIENT}" HEAD)"
push "${CLIENT}" origin main
assert_exit "pre-receive: a good first push is accepted" 0
assert_eq "pre-receive: the server moved to the good commit" "${GOOD1}" "$(ref_of "${SERVER}" main)"
assert_contains "pre-receive: the verdict shows in git's remote: lines" "${ERR}" "remote: opsgate: PASS"
assert_contains "pre-receive: a new branch is checked without a base, with a note" "${ERR}" \
  "refs/heads/main: new ref"

commit_manifest "${CLIENT}" 3 "cut retention"
push "${CLIENT}" origin main
assert_exit "pre-receive: a bad push is refused" 1
assert_contains "pre-receive: git reports the refusal" "${ERR}" "pre-receive hook declined"
assert_matches "pre-receive: the failing rule is named in a remote: line" "${ERR}" \
  "remote: .*HOOK-RETENTION"
assert_matches "pre-receive: the short verdict names the ref and the rule" "${ERR}" \
  "remote: opsgate:   refs/heads/main: (.*, )?HOOK-RETENTION"
assert_contains "pre-receive: the previous tip is the base" "${ERR}" \
  "checked against ${GOOD1:0:12}"
assert_not_contains "pre-receive: the quarantined objects were found (no exit 2)" "${ERR}" \
  "could not evaluate"
assert_eq "pre-receive: the server still has the good commit" "${GOOD1}" "$(ref_of "${SERVER}" main)"

# A change that does not touch the service is scoped away by the base: nothing to judge.
git -C "${CLIENT}" reset -q --hard "${GOOD1}"
printf 'notes\n' | write_file "${CLIENT}/docs/notes.md"
commit_all "${CLIENT}" "${D1}" "notes only"
push "${CLIENT}" origin main
assert_exit "pre-receive: a change outside the service is accepted" 0
GOOD2="$(ref_of "${CLIENT}" HEAD)"
}

# New branch with a bad tip: checked in full (no base) and refused.
scenario "pre-receive: new branches, force pushes and unrelated history" scenario_pre_receive_branches
scenario_pre_receive_branches() {
server_fixture
git -C "${CLIENT}" checkout -q -b feature
commit_manifest "${CLIENT}" 2 "bad feature"
BAD_FEATURE="$(ref_of "${CLIENT}" HEAD)"
push "${CLIENT}" origin feature
assert_exit "pre-receive: a new branch with a bad tip is refused" 1
assert_contains "pre-receive: new branch refusal names the rule" "${ERR}" \
  "refs/heads/feature: HOOK-RETENTION"
assert_eq "pre-receive: the refused branch was not created" "none" \
  "$(ref_of "${SERVER}" refs/heads/feature)"

commit_manifest "${CLIENT}" 21 "fix feature"
push "${CLIENT}" origin feature
assert_exit "pre-receive: a new branch with a good tip is accepted" 0

# Force push: rewrite the branch with a bad commit (refused), then with a good one (accepted).
git -C "${CLIENT}" reset -q --hard "${GOOD2}"
commit_manifest "${CLIENT}" 1 "rewritten, bad"
push "${CLIENT}" --force origin feature
assert_exit "pre-receive: a bad force push is refused" 1
assert_contains "pre-receive: the force push refusal names the rule" "${ERR}" "HOOK-RETENTION"
git -C "${CLIENT}" reset -q --hard "${GOOD2}"
commit_manifest "${CLIENT}" 30 "rewritten, good"
push "${CLIENT}" --force origin feature
assert_exit "pre-receive: a good force push is accepted" 0
assert_eq "pre-receive: the force push moved the branch" "$(ref_of "${CLIENT}" HEAD)" \
  "$(ref_of "${SERVER}" refs/heads/feature)"

# Force push onto unrelated history: no common ancestor, so checked without a base.
git -C "${CLIENT}" checkout -q --orphan orphan
git -C "${CLIENT}" rm -q -rf . >/dev/null
commit_manifest "${CLIENT}" 3 "unrelated history, bad"
push "${CLIENT}" --force origin orphan:feature
assert_exit "pre-receive: an unrelated-history force push is judged, not an error" 1
assert_contains "pre-receive: it says why there is no base" "${ERR}" "shares no history"
git -C "${CLIENT}" checkout -q main
}

# Tags: an annotated tag on a bad commit is refused, a lightweight tag on a good one accepted.
scenario "pre-receive: tags, deletions and several refs in one push" scenario_pre_receive_refs
scenario_pre_receive_refs() {
server_fixture
feature_fixture
git -C "${CLIENT}" tag -a v0.9 -m "bad release" "${BAD_FEATURE}"
push "${CLIENT}" origin v0.9
assert_exit "pre-receive: an annotated tag on a bad commit is refused" 1
assert_contains "pre-receive: the tag refusal names the tag and rule" "${ERR}" \
  "refs/tags/v0.9: HOOK-RETENTION"
git -C "${CLIENT}" tag v1.0 "${GOOD2}"
push "${CLIENT}" origin v1.0
assert_exit "pre-receive: a tag on a good commit is accepted" 0

# Deletion: nothing to check, accepted.
push "${CLIENT}" origin --delete feature
assert_exit "pre-receive: deleting a branch is accepted" 0
assert_contains "pre-receive: the deletion is skipped" "${ERR}" "refs/heads/feature: deleted"
assert_eq "pre-receive: the branch is gone" "none" "$(ref_of "${SERVER}" refs/heads/feature)"

# Several refs in one push: one report, the exit code of the worst tip.
git -C "${CLIENT}" checkout -q -b good-two "${GOOD2}"
git -C "${CLIENT}" checkout -q -b bad-two "${BAD_FEATURE}"
push "${CLIENT}" origin good-two bad-two
assert_exit "pre-receive: one bad tip refuses the whole push" 1
assert_contains "pre-receive: the bad ref is named" "${ERR}" "refs/heads/bad-two: HOOK-RETENTION"
assert_not_contains "pre-receive: the good ref is not named as failing" "${ERR}" \
  "refs/heads/good-two: HOOK"
assert_contains "pre-receive: both tips are in the one report" "${ERR}" \
  "refs/heads/good-two: new ref"
}

# Tags to trees or blobs, notes, and other namespaces: nothing is pushed past the gate unjudged.
scenario "pre-receive: tags to trees or blobs are refused, notes skipped, every namespace checked" \
  scenario_pre_receive_odd_refs
scenario_pre_receive_odd_refs() {
server_fixture
feature_fixture
tree="$(git -C "${CLIENT}" rev-parse "${BAD_FEATURE}^{tree}")"
git -C "${CLIENT}" tag tree-tag "${tree}"
push "${CLIENT}" origin tree-tag
assert_exit "a tag pointing at a tree is refused" 1
assert_contains "...saying it is not a commit" "${ERR}" "is not a commit"
assert_eq "...and the tag was not created" "none" "$(ref_of "${SERVER}" refs/tags/tree-tag)"
blob="$(git -C "${CLIENT}" rev-parse "${BAD_FEATURE}:operability.toml")"
git -C "${CLIENT}" tag blob-tag "${blob}"
push "${CLIENT}" origin blob-tag
assert_exit "a tag pointing at a blob is refused" 1
git -C "${CLIENT}" notes add -m "reviewed" "${GOOD2}"
push "${CLIENT}" origin refs/notes/commits
assert_exit "notes are not code: a notes push is accepted" 0
assert_contains "...with a note saying it was skipped" "${ERR}" "refs/notes/commits: git notes"
push "${CLIENT}" origin "${BAD_FEATURE}:refs/for/main"
assert_exit "a Gerrit-style refs/for/* push of a bad commit is refused" 1
push "${CLIENT}" origin "${BAD_FEATURE}:refs/pull/1/head"
assert_exit "any other namespace is checked too" 1
}

# --refs: only the protected branches are judged.
scenario "pre-receive: --refs selects the branches judged" scenario_pre_receive_refs_option
scenario_pre_receive_refs_option() {
server_fixture
feature_fixture
two_branches_fixture
server_hook "${SERVER}" --rules "${PACK}" --at "${AT}" --no-color --refs main --refs 'release/*'
push "${CLIENT}" origin bad-two
assert_exit "--refs: an unselected branch passes unchecked" 0
assert_contains "--refs: it says so" "${ERR}" "refs/heads/bad-two: not selected by --refs"
push "${CLIENT}" origin bad-two:refs/heads/release/2.0
assert_exit "--refs: a selected branch (short-name glob) is checked" 1
assert_contains "--refs: the selected branch's rule is named" "${ERR}" \
  "refs/heads/release/2.0: HOOK-RETENTION"
# A symbolic ref on the server (refs/heads/master -> refs/heads/main, after a rename): a push
# to master moves main, and is judged as main.
git -C "${SERVER}" symbolic-ref refs/heads/master refs/heads/main
push "${CLIENT}" origin bad-two:refs/heads/master
assert_exit "--refs main: a push to a symbolic ref to main is checked" 1
assert_matches "...and refused" "${ERR}" "refs/heads/master: (.*, )?HOOK-RETENTION"
}

# When opsgate cannot evaluate (here a missing rule pack): blocked by default...
scenario "pre-receive: --on-error blocks or lets through what cannot be evaluated" scenario_pre_receive_on_error
scenario_pre_receive_on_error() {
server_fixture
feature_fixture
two_branches_fixture
server_hook "${SERVER}" --rules "${E2E_TMP}/no-such-pack" --at "${AT}" --no-color
push "${CLIENT}" origin good-two
assert_exit "on-error: the default blocks a push opsgate cannot evaluate" 1
assert_matches "on-error: the error shows in remote: lines" "${ERR}" "remote: opsgate: error: .*no-such-pack"
assert_contains "on-error: the refusal says why and how to change it" "${ERR}" "--on-error allow"
assert_eq "on-error: the blocked branch was not created" "none" \
  "$(ref_of "${SERVER}" refs/heads/good-two)"
# ... and let through, loudly, with --on-error allow.
server_hook "${SERVER}" --rules "${E2E_TMP}/no-such-pack" --at "${AT}" --no-color \
  --on-error allow
push "${CLIENT}" origin good-two
assert_exit "on-error allow: the push goes through" 0
assert_contains "on-error allow: with a loud warning" "${ERR}" "WARNING: the gate could NOT evaluate"
server_hook "${SERVER}" --rules "${PACK}" --at "${AT}" --on-error allow
push "${CLIENT}" origin bad-two:refs/heads/bad-three
assert_exit "on-error allow: a failing gate still refuses" 1
}

# --on-error allow is for failures of the server itself: what the push contains (a manifest
# that is not TOML, an unsupported schema, an oversized file) still refuses it.
scenario "pre-receive: --on-error allow never lets through what the push itself breaks" \
  scenario_pre_receive_on_error_pusher
scenario_pre_receive_on_error_pusher() {
server_fixture
feature_fixture
server_hook "${SERVER}" --rules "${PACK}" --at "${AT}" --no-color --on-error allow
local n=0
for breakage in syntax schema oversize; do
  n=$((n + 1))
  git -C "${CLIENT}" checkout -q -b "broken-${n}" main
  case "${breakage}" in
  syntax) printf 'schema = 1\n[service\nname = "x"\n' >"${CLIENT}/operability.toml" ;;
  schema) printf 'schema = 2\n' >"${CLIENT}/operability.toml" ;;
  oversize) { printf 'schema = 1\n'; head -c 2000000 /dev/zero | tr '\0' '#'; echo; } \
    >"${CLIENT}/operability.toml" ;;
  esac
  commit_all "${CLIENT}" "${AT}" "break the manifest (${breakage})"
  push "${CLIENT}" origin "broken-${n}"
  assert_exit "on-error allow: a ${breakage} error in the push is still refused" 1
  assert_contains "on-error allow: ...saying the push itself is the cause (${breakage})" "${ERR}" \
    "because of what the push contains"
  assert_eq "on-error allow: the ${breakage} branch was not created" "none" \
    "$(ref_of "${SERVER}" "refs/heads/broken-${n}")"
done
}

# --- pre-receive: a monorepo evaluated by several jobs ---------------------------------------
# Each job opens the repository again; in a pre-receive hook the pushed objects are only in
# git's quarantine directory, which the jobs must reach through git's environment too.

scenario "pre-receive: a monorepo evaluated by several jobs" scenario_pre_receive_jobs
scenario_pre_receive_jobs() {
MONO_SERVER="${E2E_TMP}/server-mono.git"
git init -q --bare -b main "${MONO_SERVER}"
server_hook "${MONO_SERVER}" --rules "${PACK}" --at "${AT}" --no-color --jobs 3
MONO_CLIENT="${E2E_TMP}/client-mono"
git clone -q "${MONO_SERVER}" "${MONO_CLIENT}" 2>/dev/null
git -C "${MONO_CLIENT}" checkout -q -b main
for i in $(seq -w 1 24); do
  manifest 14 | write_file "${MONO_CLIENT}/services/svc-${i}/operability.toml"
done
commit_all "${MONO_CLIENT}" "${D1}" "24 services"
push "${MONO_CLIENT}" origin main
assert_exit "pre-receive, 3 jobs: a good monorepo push is accepted" 0
assert_contains "pre-receive, 3 jobs: every manifest evaluated" "${ERR}" "24 manifests"
manifest 3 | write_file "${MONO_CLIENT}/services/svc-23/operability.toml"
git -C "${MONO_CLIENT}" checkout -q -b cut
commit_all "${MONO_CLIENT}" "${D1}" "cut retention of one service"
push "${MONO_CLIENT}" origin cut
assert_exit "pre-receive, 3 jobs: a new branch with one bad service is refused" 1
assert_matches "pre-receive, 3 jobs: the failing rule is named" "${ERR}" "remote: .*HOOK-RETENTION"
assert_not_contains "pre-receive, 3 jobs: the quarantined objects were found" "${ERR}" \
  "could not evaluate"
}

# --- the hook modes run directly ------------------------------------------------------------

scenario "pre-push run directly: stdin lines, deletions, unknown remote tips" scenario_pre_push_direct
scenario_pre_push_direct() {
server_fixture

hook_run "${CLIENT}" "refs/heads/main ${GOOD2} refs/heads/main ${ZERO}
" hook pre-push --rules "${PACK}" --at "${AT}" --format json origin "${SERVER}"
assert_exit "pre-push direct: a good tip passes" 0
assert_json "pre-push direct: the JSON report stays clean on stdout" "d['outcome'] == 'pass'"
assert_json "pre-push direct: the report notes the tip checked without a base" \
  "any('new ref' in n for n in d.get('notes', []))"
hook_run "${CLIENT}" "garbage line
" hook pre-push --rules "${PACK}" --at "${AT}"
assert_exit "pre-push direct: a malformed stdin line is exit 2" 2
assert_contains "pre-push direct: it names the line" "${ERR}" "stdin line 1"
hook_run "${CLIENT}" "(delete) ${ZERO} refs/heads/old ${GOOD1}
" hook pre-push --rules "${PACK}" --at "${AT}"
assert_exit "pre-push direct: only deletions is a pass" 0
assert_contains "pre-push direct: nothing to check" "${ERR}" "no pushed ref to check"
hook_run "${CLIENT}" "refs/heads/main ${GOOD2} refs/heads/main 1111111111111111111111111111111111111111
" hook pre-push --rules "${PACK}" --at "${AT}"
assert_exit "pre-push direct: an unknown remote sha is not an error" 0
assert_contains "pre-push direct: checked without a base, with a note" "${OUT}" \
  "is not in this repository"
}

# --- pre-push: installed by `opsgate hook install`, then a real push -----------------------

scenario "pre-push: installed by hook install, it judges a real push" scenario_pre_push_installed
scenario_pre_push_installed() {
plain_fixture
DEV="${E2E_TMP}/dev"
git clone -q "${PLAIN}" "${DEV}" 2>/dev/null
git -C "${DEV}" checkout -q -b main
REPORT="${E2E_TMP}/reports/it's a report.json"
mkdir -p "${E2E_TMP}/reports"
run_in "${DEV}" hook install --rules "${PACK}" --at "${AT}" --no-color --report "json=${REPORT}"
assert_exit "install: writes the hook" 0
assert_contains "install: says where" "${OUT}" "installed ${DEV}/.git/hooks/pre-push"
if [[ -x "${DEV}/.git/hooks/pre-push" ]]; then pass_ "install: the hook is executable"; else
  fail_ "install: the hook is executable"; fi
HOOK_TEXT="$(cat "${DEV}/.git/hooks/pre-push")"
assert_contains "install: the hook carries opsgate's marker" "${HOOK_TEXT}" \
  "# opsgate-hook: written by"
assert_contains "install: the hook passes the options on" "${HOOK_TEXT}" "--rules=${PACK}"

commit_manifest "${DEV}" 14 "good"
push "${DEV}" origin main
assert_exit "pre-push: a good push is accepted" 0
assert_contains "pre-push: the verdict is shown" "${OUT}${ERR}" "opsgate: PASS"
assert_eq "pre-push: the good commit reached the remote" "$(ref_of "${DEV}" HEAD)" \
  "$(ref_of "${PLAIN}" main)"
assert_json "pre-push: a quoted --report path was passed through intact" \
  "d['outcome'] == 'pass'" "${REPORT}"

GOOD_DEV="$(ref_of "${DEV}" HEAD)"
commit_manifest "${DEV}" 5 "bad"
push "${DEV}" origin main
assert_exit "pre-push: a bad push is refused" 1
assert_contains "pre-push: git says the hook refused" "${ERR}" "failed to push"
assert_matches "pre-push: the failing rule is named" "${ERR}" "refs/heads/main: (.*, )?HOOK-RETENTION"
assert_contains "pre-push: checked against the remote's tip" "${OUT}${ERR}" \
  "checked against ${GOOD_DEV:0:12}"
assert_eq "pre-push: the remote kept the good commit" "${GOOD_DEV}" "$(ref_of "${PLAIN}" main)"

# Re-running install over its own hook updates it.
run_in "${DEV}" hook install --rules "${PACK}" --at "${AT}" --refs 'release/*'
assert_exit "install again: updates its own hook" 0
assert_contains "install again: says it updated" "${OUT}" "updated"
assert_contains "install again: the new options are in" "$(cat "${DEV}/.git/hooks/pre-push")" \
  "'--refs=release/*'"
push "${DEV}" origin main
assert_exit "pre-push: with --refs release/*, main is not checked" 0
run_in "${DEV}" hook install --rules "${PACK}" --at "${AT}" --refs 'release/*'
assert_contains "install again: unchanged options leave the hook as it is" "${OUT}" "up to date"
}

# A hook opsgate did not write is never overwritten.
scenario "hook install never overwrites a foreign hook" scenario_install_foreign
scenario_install_foreign() {
plain_fixture
FOREIGN="${E2E_TMP}/foreign"
git clone -q "${PLAIN}" "${FOREIGN}" 2>/dev/null
printf '#!/bin/sh\necho my own hook\n' >"${FOREIGN}/.git/hooks/pre-push"
cp "${FOREIGN}/.git/hooks/pre-push" "${E2E_TMP}/foreign-hook.orig"
run_in "${FOREIGN}" hook install --rules "${PACK}"
assert_exit "install: refuses to overwrite a foreign hook (exit 2)" 2
assert_contains "install: says why and what to add" "${ERR}" "was not written by opsgate"
if cmp -s "${FOREIGN}/.git/hooks/pre-push" "${E2E_TMP}/foreign-hook.orig"; then
  pass_ "install: the foreign hook is unchanged"
else
  fail_ "install: the foreign hook is unchanged"
fi
}

# core.hooksPath is respected (relative to the work tree, as git runs hooks there).
# Install in a subdirectory of the work tree finds the repository.
scenario "hook install: core.hooksPath, from a subdirectory, outside a repository" scenario_install_hooks_path
scenario_install_hooks_path() {
plain_fixture
HP="${E2E_TMP}/hookspath"
git clone -q "${PLAIN}" "${HP}" 2>/dev/null
git -C "${HP}" config core.hooksPath .githooks
run_in "${HP}" hook install --rules "${PACK}" --at "${AT}" --no-color
assert_exit "hooksPath: install succeeds" 0
assert_contains "hooksPath: the hook goes under core.hooksPath" "${OUT}" "${HP}/.githooks/pre-push"
if [[ ! -e "${HP}/.git/hooks/pre-push" ]]; then pass_ "hooksPath: .git/hooks is left alone"; else
  fail_ "hooksPath: .git/hooks is left alone"; fi
commit_manifest "${HP}" 2 "bad via hooksPath"
push "${HP}" origin HEAD:refs/heads/topic
assert_exit "hooksPath: git runs the installed hook and it refuses" 1
assert_contains "hooksPath: the rule is named" "${ERR}" "refs/heads/topic: HOOK-RETENTION"

# Install in a subdirectory of the work tree finds the repository.
mkdir -p "${HP}/sub/dir"
run_in "${HP}/sub/dir" hook install --rules "${PACK}"
assert_exit "install from a subdirectory: updates the repository's hook" 0

run_in "${E2E_TMP}" hook install --rules "${PACK}"
assert_exit "install outside a repository is exit 2" 2
}

# A hook whose options cannot work would refuse every push: install tries them first, from
# where git runs the hook (the work tree's root), and writes nothing when they fail.
scenario "hook install: options that would refuse every push are not installed" scenario_install_validates
scenario_install_validates() {
plain_fixture
VAL="${E2E_TMP}/validated"
git clone -q "${PLAIN}" "${VAL}" 2>/dev/null
run_in "${VAL}" hook install --rules "${E2E_TMP}/no-such-pack"
assert_exit "install: rules that do not load are exit 2" 2
assert_contains "install: says what the hook would do" "${ERR}" "would refuse every push"
assert_contains "install: names the missing rules" "${ERR}" "no-such-pack"
run_in "${VAL}" hook install --env nowhere
assert_exit "install: an --env the baseline does not declare is exit 2" 2
run_in "${VAL}" hook install --rules "${PACK}" --stage sometime
assert_exit "install: a bad --stage is exit 2" 2
run_in "${VAL}" hook install --rules "${PACK}" --at yesterday
assert_exit "install: a bad --at is exit 2" 2
if [[ ! -e "${VAL}/.git/hooks/pre-push" ]]; then pass_ "install: no hook written"; else
  fail_ "install: no hook written"; fi
# Relative rule paths are the work tree root's, as when git runs the hook.
mkdir -p "${VAL}/.opsgate" "${VAL}/sub"
cp -r "${PACK}" "${VAL}/.opsgate/rules"
run_in "${VAL}/sub" hook install --rules .opsgate/rules --at "${AT}"
assert_exit "install from a subdirectory: relative rules are the root's" 0
}

# --- issue 18: the hooks judge at the push stage ------------------------------------------------

# window_pack: PACK_WINDOW, PACK plus a release-window rule asked at deploy only (as the
# baseline's WIN-003); window_manifest RETENTION: a manifest deploying Monday to Thursday evenings.
window_pack() {
  PACK_WINDOW="${E2E_TMP}/pack-window"
  mkdir -p "${PACK_WINDOW}"
  cp "${PACK}/rules.toml" "${PACK_WINDOW}/"
  cat >>"${PACK_WINDOW}/rules.toml" <<'EOF'

[[rule]]
id = "HOOK-WINDOW"
area = "release"
title = "Deployments happen inside an open window"
severity = "error"
level = 1
stages = ["deploy"]
help = "Wait for the next window."
check = [ { key = "release_window", window_open = true } ]
EOF
}
window_manifest() {
  manifest "$1"
  cat <<'EOF'

[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:30"
EOF
}
SATURDAY="2026-11-28T21:30:00+01:00"

scenario "pre-receive and pre-push with --stage push: a Saturday push passes what only a deploy asks" scenario_push_stage
scenario_push_stage() {
window_pack
# pre-receive, as integrations/README.md writes it: --stage push.
local server="${E2E_TMP}/stage-server.git" client="${E2E_TMP}/stage-client" dev="${E2E_TMP}/stage-dev"
git init -q --bare -b main "${server}"
server_hook "${server}" --stage push --rules "${PACK_WINDOW}" --at "${SATURDAY}" --no-color
git clone -q "${server}" "${client}" 2>/dev/null
git -C "${client}" checkout -q -b main
window_manifest 14 | write_file "${client}/operability.toml"
commit_all "${client}" "${D1}" "good service"
push "${client}" origin main
assert_exit "pre-receive --stage push, Saturday: the push is accepted" 0
assert_contains "pre-receive --stage push: the report says push stage" "${ERR}" "push stage"
assert_not_contains "pre-receive --stage push: the deploy-only rule is not asked" "${ERR}" "FAIL   HOOK-WINDOW"
# The same hook at the deploy stage refuses it: the stage given is the one judged.
server_hook "${server}" --stage deploy --rules "${PACK_WINDOW}" --at "${SATURDAY}" --no-color
git -C "${client}" commit -q --allow-empty -m "again"
push "${client}" origin main
assert_exit "pre-receive --stage deploy, Saturday: refused" 1
assert_contains "pre-receive --stage deploy: the window rule refuses it" "${ERR}" "HOOK-WINDOW"

# pre-push, installed as integrations/README.md says: --stage push is written into the hook.
git clone -q "${server}" "${dev}" 2>/dev/null
server_hook "${server}" --stage push --rules "${PACK_WINDOW}" --at "${SATURDAY}" --no-color
run_in "${dev}" hook install --stage push --rules "${PACK_WINDOW}" --at "${SATURDAY}" --no-color
assert_exit "hook install --stage push: installed" 0
assert_contains "hook install --stage push: the hook carries the stage" "$(cat "${dev}/.git/hooks/pre-push")" "--stage=push"
window_manifest 21 | write_file "${dev}/operability.toml"
commit_all "${dev}" "${D1}" "longer retention"
push "${dev}" origin main
assert_exit "pre-push --stage push, Saturday: the push is accepted" 0
assert_contains "pre-push --stage push: the report says push stage" "${OUT}${ERR}" "push stage"
}

run_scenarios "$@"
