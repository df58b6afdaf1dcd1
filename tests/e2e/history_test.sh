#!/usr/bin/env bash
# Git-native evidence: changed_within_days, --base (change-aware rules, monorepo scoping),
# rules from a trusted revision (GATE-RULES-CHANGED) and GATE-WAIVER-ADDED, on real
# repositories with controlled commit dates.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT=2026-11-26T10:00:00+01:00

# ---- changed_within_days -----------------------------------------------------------------

# runbook_repo: sets repo, whose runbook was last changed in January, with ten noise commits
# after it, and its rules.toml (RUN-006, changed_within_days = 30).
runbook_repo() {
repo="$(new_repo fresh)"
write_file "${repo}/operability.toml" <<'EOF'
schema = 1
[service]
name = "fresh"
owner = "team"
[runbook]
path = "docs/runbook.md"
EOF
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
write_file "${repo}/rules.toml" <<'EOF'
[[rule]]
id = "RUN-006"
area = "runbook"
title = "Runbook changed in the last 30 days"
severity = "error"
level = 1
check = [ { key = "runbook.path", changed_within_days = 30 } ]
EOF
commit_all "${repo}" 2026-01-05T10:00:00+01:00 "initial"
for day in 10 11 12 13 14 15 16 17 18 19; do
  echo "${day}" >"${repo}/noise.txt"
  commit_all "${repo}" "2026-11-${day}T10:00:00+01:00" "noise ${day}"
done
}

# runbook_recent_change: the runbook of runbook_repo changed on 2026-11-02, then more noise.
runbook_recent_change() {
echo "## Restore" >>"${repo}/docs/runbook.md"
commit_all "${repo}" 2026-11-02T09:00:00+01:00 "runbook: restore section"
echo "20" >"${repo}/noise.txt"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "noise 20"
}

scenario "changed_within_days: an untouched runbook fails, a recent change passes" scenario_changed_recent
scenario_changed_recent() {
runbook_repo

run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "a runbook untouched for months fails changed_within_days" 1
assert_json "the message gives the cutoff date" \
  "'unchanged since before 2026-10-27' in f('RUN-006')['message']"

runbook_recent_change
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "a recent change passes" 0
assert_json "the passing finding names the date and commit of the change" \
  "'last changed 2026-11-02 by E2E Tester in ' in f('RUN-006')['message']"
}

# A merged side branch: the first-parent history sees the merge commit as the change.
# Renames: the new path's history starts at the rename. Shallow clones: history ends before the
# cutoff -> a failed finding that says so.
scenario "changed_within_days: first-parent merges, renames, shallow clones" scenario_changed_history
scenario_changed_history() {
runbook_repo
runbook_recent_change
git -C "${repo}" checkout -q -b side HEAD~1
echo "## Escalation" >>"${repo}/docs/runbook.md"
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "side: escalation"
git -C "${repo}" checkout -q main
GIT_AUTHOR_DATE=2026-11-22T10:00:00+01:00 GIT_COMMITTER_DATE=2026-11-22T10:00:00+01:00 \
  git -C "${repo}" merge -q --no-ff -m "merge side" side
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_json "a merge that brings the change counts on the first-parent history" \
  "'last changed 2026-11-22' in f('RUN-006')['message']"

# Renames: the new path's history starts at the rename.
git -C "${repo}" mv docs/runbook.md docs/operations.md
sed -i 's#docs/runbook.md#docs/operations.md#' "${repo}/operability.toml"
commit_all "${repo}" 2026-11-23T10:00:00+01:00 "rename runbook"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_json "a renamed file changed at the rename" \
  "'docs/operations.md last changed 2026-11-23' in f('RUN-006')['message']"

# Shallow clones: history ends before the cutoff -> a failed finding that says so.
for day in 24 25; do
  echo "${day}" >"${repo}/noise.txt"
  commit_all "${repo}" "2026-11-${day}T10:00:00+01:00" "noise ${day}"
done
shallow="${E2E_TMP}/shallow"
git clone -q --depth 2 "file://${repo}" "${shallow}"
run_in "${shallow}" check --rules rules.toml --at "${AT}" --format json
assert_exit "a shallow clone too short for the window fails" 1
assert_json "the shallow boundary is named" "'history is shallow at' in f('RUN-006')['message']"
# Seeing the change is not enough: whether it brought back the content of the window's start is
# known only from the commit before the cutoff.
deeper="${E2E_TMP}/deeper"
git clone -q --depth 4 "file://${repo}" "${deeper}"
run_in "${deeper}" check --rules rules.toml --at "${AT}" --format json
assert_exit "a shallow clone that sees the change but not the window's start fails" 1
assert_json "...saying the change was seen and what to fetch" \
  "'docs/operations.md changed in ' in f('RUN-006')['message'] and 'git fetch --shallow-since=2026-10-27' in f('RUN-006')['message']"
# The advice works: the window, and the commit before it.
git -C "${deeper}" fetch -q --shallow-since=2026-10-27 origin main
git -C "${deeper}" fetch -q --deepen=1 origin main
run_in "${deeper}" check --rules rules.toml --at "${AT}" --format json
assert_exit "deepened as the message says: passes" 0
}

# A delete and restore, or an edit and its revert, inside the window is no change: the runbook is
# byte for byte what it was before the cutoff.
scenario "changed_within_days: a change undone inside the window is no change" scenario_changed_undone
scenario_changed_undone() {
runbook_repo
git -C "${repo}" rm -q docs/runbook.md
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "remove runbook"
git -C "${repo}" checkout -q HEAD~1 -- docs/runbook.md
commit_all "${repo}" 2026-11-20T10:01:00+01:00 "restore runbook"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "deleted and restored: still stale" 1
assert_json "...naming the restore and the content it went back to" \
  "'last changed 2026-11-20' in f('RUN-006')['message'] and 'a change undone is no change' in f('RUN-006')['message']"

echo "## Escalation" >>"${repo}/docs/runbook.md"
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "runbook: escalation"
git -C "${repo}" checkout -q HEAD~1 -- docs/runbook.md
commit_all "${repo}" 2026-11-21T11:00:00+01:00 "revert: runbook: escalation"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "edited and reverted: still stale" 1

echo "## Escalation" >>"${repo}/docs/runbook.md"
commit_all "${repo}" 2026-11-22T10:00:00+01:00 "runbook: escalation, for good"
run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_exit "a real change passes" 0
}

# ---- --base: change-aware rules ------------------------------------------------------------

scenario "change-aware rules: --base judges the change since the merge base" scenario_base
scenario_base() {

repo="$(new_repo change)"
write_file "${repo}/operability.toml" <<'EOF'
schema = 1
[service]
name = "db-service"
owner = "team"
EOF
write_file "${repo}/rules.toml" <<'EOF'
[[rule]]
id = "RBK-003"
area = "rollback"
title = "Database changes can be rolled back"
severity = "error"
level = 1
when_changed = ["db/migrations/**"]
check = [ { key = "rollback.database", present = true } ]
EOF
write_file "${repo}/src/app.py" <<<"print('v1')"
commit_all "${repo}" 2026-11-01T10:00:00+01:00 "initial"
base="$(git -C "${repo}" rev-parse HEAD)"

git -C "${repo}" checkout -q -b feature
write_file "${repo}/src/app.py" <<<"print('v2')"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "code only"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_exit "a change outside when_changed skips the rule" 0
assert_json "RBK-003 is skipped and the report records base and changed paths" \
  "st('RBK-003') == 'skipped' and d['base'] == '${base}' and d['changed_paths'] == 1"

write_file "${repo}/db/migrations/001_add_column.sql" <<<"alter table t add column c int;"
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "migration"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_exit "a migration makes the rule apply and fail" 1
assert_json "RBK-003 fails" "st('RBK-003') == 'fail'"

run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_json "without --base when_changed holds (the change is unknown)" "st('RBK-003') == 'fail'"

# The merge base is used: main moving on does not widen the change.
git -C "${repo}" checkout -q main
write_file "${repo}/db/migrations/000_main_only.sql" <<<"select 1;"
commit_all "${repo}" 2026-11-04T10:00:00+01:00 "main moves on"
git -C "${repo}" checkout -q feature
git -C "${repo}" rm -q db/migrations/001_add_column.sql
commit_all "${repo}" 2026-11-05T10:00:00+01:00 "drop the migration again"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_json "the base is the merge base, not main's tip" "d['base'] == '${base}'"
assert_json "a file added then removed on the branch is no change" "st('RBK-003') == 'skipped'"

run_in "${repo}" check --rules rules.toml --base no-such-branch --at "${AT}"
assert_exit "an unknown --base is exit 2" 2
}

# ---- monorepo scoping ----------------------------------------------------------------------

# mono_repo: sets repo, a monorepo: services orders, orders/worker (nested) and search, libs/,
# and its rules.toml; one commit on main.
mono_repo() {
repo="$(new_repo mono)"
for svc in orders search; do
  write_file "${repo}/services/${svc}/operability.toml" <<EOF
schema = 1
[service]
name = "${svc}"
owner = "team-${svc}"
EOF
  write_file "${repo}/services/${svc}/src/main.go" <<<"package main"
done
write_file "${repo}/services/orders/worker/operability.toml" <<'EOF'
schema = 1
[service]
name = "orders-worker"
owner = "team-orders"
EOF
write_file "${repo}/rules.toml" <<'EOF'
[[rule]]
id = "SVC-001"
area = "service"
title = "Owner declared"
severity = "error"
level = 1
check = [ { key = "service.owner", present = true } ]
EOF
write_file "${repo}/libs/shared.go" <<<"package libs"
commit_all "${repo}" 2026-11-01T10:00:00+01:00 "initial"
}

scenario "monorepo: --base selects the changed services" scenario_mono
scenario_mono() {
mono_repo

run_in "${repo}" check --rules rules.toml --at "${AT}" --format json
assert_json "without --base every manifest is evaluated, sorted by path" \
  "[x['path'] for x in d['manifests']] == ['services/orders/operability.toml', 'services/orders/worker/operability.toml', 'services/search/operability.toml']"

git -C "${repo}" checkout -q -b change
write_file "${repo}/services/orders/worker/job.go" <<<"package worker"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "worker only"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_json "a change in a nested service selects only that service" \
  "[x['path'] for x in d['manifests']] == ['services/orders/worker/operability.toml']"

write_file "${repo}/libs/shared.go" <<<"package libs // v2"
git -C "${repo}" reset -q --hard main
write_file "${repo}/libs/shared.go" <<<"package libs // v2"
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "libs only"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_exit "a change touching no service passes" 0
assert_json "...with no manifest evaluated" "d['manifests'] == [] and d['outcome'] == 'pass'"

git -C "${repo}" rm -q services/search/operability.toml
write_file "${repo}/services/orders/src/main.go" <<<"package main // v2"
commit_all "${repo}" 2026-11-04T10:00:00+01:00 "drop search manifest, touch orders"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_exit "a deleted manifest whose service stays fails the gate" 1
assert_json "...both the touched service and the deleted manifest are judged" \
  "[x['path'] for x in d['manifests']] == ['services/orders/operability.toml', 'services/search/operability.toml']"
assert_json "...the deleted one as a failed GATE-MANIFEST that says so" \
  "any(f['rule'] == 'GATE-MANIFEST' and f['status'] == 'fail' and 'removed by the change' in f['message'] for f in d['manifests'][1]['findings'])"
}

# The change must not end a service's checks by removing its manifest: whatever takes the
# manifest's place, the gate fails, unless the whole service directory is gone.
scenario "monorepo: a manifest replaced by a symlink, a directory or a submodule fails" \
  scenario_manifest_replaced replaced
scenario "monorepo: a service that leaves with its manifest is let go" scenario_manifest_replaced left
scenario_manifest_replaced() {
mono_repo
git -C "${repo}" checkout -q -b change
case "$1" in
replaced)
  for kind in symlink directory submodule; do
    git -C "${repo}" reset -q --hard main
    git -C "${repo}" rm -q services/search/operability.toml
    case "${kind}" in
    symlink) ln -s ../orders/operability.toml "${repo}/services/search/operability.toml" ;;
    directory) write_file "${repo}/services/search/operability.toml/x" <<<"x" ;;
    submodule)
      git -C "${repo}" update-index --add --cacheinfo \
        "160000,$(git -C "${repo}" rev-parse HEAD),services/search/operability.toml"
      ;;
    esac
    if [[ "${kind}" == submodule ]]; then  # git add -A would drop the gitlink (no work tree)
      GIT_AUTHOR_DATE=2026-11-02T10:00:00+01:00 GIT_COMMITTER_DATE=2026-11-02T10:00:00+01:00 \
        git -C "${repo}" commit -q -m "search manifest becomes a submodule"
    else
      commit_all "${repo}" 2026-11-02T10:00:00+01:00 "search manifest becomes a ${kind}"
    fi
    assert_eq "the ${kind} is committed in the manifest's place" \
      "$(git -C "${repo}" ls-tree HEAD services/search/operability.toml | cut -c1-6)" \
      "$(case "${kind}" in symlink) echo 120000 ;; directory) echo 040000 ;; *) echo 160000 ;; esac)"
    run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
    assert_exit "a manifest replaced by a ${kind}: exit 1" 1
    assert_json "...GATE-MANIFEST says it is no longer a regular file (${kind})" \
      "any(f['rule'] == 'GATE-MANIFEST' and f['status'] == 'fail' and 'no longer a regular file' in f['message'] for m in d['manifests'] for f in m['findings'])"
  done
  ;;
left)
  git -C "${repo}" rm -q -r services/search
  commit_all "${repo}" 2026-11-02T10:00:00+01:00 "search is decommissioned"
  run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
  assert_exit "a service directory removed whole passes" 0
  assert_json "...with nothing to judge" "d['manifests'] == []"
  ;;
esac
}

# A root manifest is one service among others: it owns the root directory minus the nested
# services, and hides none of them.
scenario "monorepo: a root manifest does not hide nested services" scenario_rooted
scenario_rooted() {
mono_repo
rooted="$(new_repo rooted)"
for dir in . tools/cli; do
  write_file "${rooted}/${dir}/operability.toml" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
EOF
done
cp "${repo}/rules.toml" "${rooted}/rules.toml"
write_file "${rooted}/tools/cli/main.c" <<<"int main(void) { return 0; }"
write_file "${rooted}/README.md" <<<"# svc"
commit_all "${rooted}" 2026-11-01T10:00:00+01:00 "initial"
run_in "${rooted}" check --rules rules.toml --at "${AT}" --format json
assert_json "without --base, the root and the nested manifest are both judged" \
  "[x['path'] for x in d['manifests']] == ['operability.toml', 'tools/cli/operability.toml']"
git -C "${rooted}" checkout -q -b change
sed -i 's/owner = "team"/owner = ""/' "${rooted}/tools/cli/operability.toml"
write_file "${rooted}/tools/cli/main.c" <<<"int main(void) { return 1; }"
commit_all "${rooted}" 2026-11-02T10:00:00+01:00 "cli only"
run_in "${rooted}" check --rules rules.toml --base main --at "${AT}" --format json
assert_exit "a change under the nested service is judged with the root manifest present" 1
assert_json "...and selects only the nested service" \
  "[x['path'] for x in d['manifests']] == ['tools/cli/operability.toml']"
write_file "${rooted}/README.md" <<<"# svc v2"
commit_all "${rooted}" 2026-11-03T10:00:00+01:00 "readme"
run_in "${rooted}" check --rules rules.toml --base HEAD~1 --at "${AT}" --format json
assert_json "...and a change beside it selects the root manifest" \
  "[x['path'] for x in d['manifests']] == ['operability.toml']"
}

# A rewind (the revision is an ancestor of the base) has no change of its own: judged in full.
scenario "monorepo: a rewind to a failing ancestor is judged in full" scenario_rewind
scenario_rewind() {
mono_repo
sed -i 's/owner = "team-search"/owner = ""/' "${repo}/services/search/operability.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "BAD: search loses its owner"
bad="$(git -C "${repo}" rev-parse HEAD)"
sed -i 's/owner = ""/owner = "team-search"/' "${repo}/services/search/operability.toml"
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "FIX"
run_in "${repo}" check --rules rules.toml --rev "${bad}" --base main --at "${AT}" --format json
assert_exit "check --rev BAD --base FIX fails" 1
assert_json "...every manifest judged, with a note saying why" \
  "len(d['manifests']) == 3 and any('rewind' in n for n in d['notes'])"
run_in "${repo}" check --rules rules.toml --rev main --base main --at "${AT}" --format json
assert_exit "the same revision as the base is no change: passes" 0
assert_json "...with nothing judged" "d['manifests'] == []"
# An ordinary change whose target moved on keeps its scoping.
git -C "${repo}" checkout -q -b feature HEAD~1
write_file "${repo}/services/orders/src/main.go" <<<"package main // feature"
commit_all "${repo}" 2026-11-04T10:00:00+01:00 "feature"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json
assert_json "a branch behind its target keeps its scoping" \
  "[x['path'] for x in d['manifests']] == ['services/orders/operability.toml']"
}

# --worktree --base: what is not committed yet is part of the change (pre-commit use).
scenario "monorepo: --worktree --base counts uncommitted edits as the change" scenario_mono_worktree
scenario_mono_worktree() {
mono_repo
sed -i 's/owner = "team-search"/owner = ""/' "${repo}/services/search/operability.toml"
run_in "${repo}" check --rules rules.toml --worktree --base main --at "${AT}" --format json
assert_exit "an uncommitted edit is in the change with --worktree --base" 1
assert_json "...and selects its service" \
  "[x['path'] for x in d['manifests']] == ['services/search/operability.toml']"
git -C "${repo}" checkout -q -- .
}

# ---- rules from a trusted revision -----------------------------------------------------------

# trusted_repo: sets repo, a service keeping backups 3 days and its own pack in .opsgate/rules
# (BKP-002, at least 7); one commit on main.
trusted_repo() {
repo="$(new_repo trusted)"
write_file "${repo}/operability.toml" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
[backup]
retention_days = 3
EOF
write_file "${repo}/.opsgate/rules/backup.toml" <<'EOF'
[[rule]]
id = "BKP-002"
area = "backup"
title = "Backups are kept at least a week"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = 7 } ]
EOF
commit_all "${repo}" 2026-11-01T10:00:00+01:00 "initial"
}

scenario "rules from a trusted revision: GATE-RULES-CHANGED" scenario_trusted
scenario_trusted() {
trusted_repo
git -C "${repo}" checkout -q -b weaken
sed -i 's/min = 7/min = 1/' "${repo}/.opsgate/rules/backup.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "relax the rule"

run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --format json
assert_exit "rules read from the target branch still judge the change" 1
assert_json "BKP-002 fails with the base-side rule" "st('BKP-002') == 'fail'"
assert_json "GATE-RULES-CHANGED is a warning when the rules came from the base side" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'warning' and rst('GATE-RULES-CHANGED') == 'fail'"

run_in "${repo}" check --rules .opsgate/rules --base main --at "${AT}" --format json
assert_exit "rules the change rewrote, read from the work tree, fail the gate" 1
assert_json "GATE-RULES-CHANGED is an error when read from the work tree" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'error' and st('BKP-002') == 'pass'"

run_in "${repo}" check --rules HEAD:.opsgate/rules --base main --at "${AT}" --format json
assert_json "GATE-RULES-CHANGED is an error when read from the evaluated revision" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'error'"

run_in "${repo}" check --rules main:.opsgate/rules --at "${AT}" --format json
assert_json "without --base there is no change to judge" "rf('GATE-RULES-CHANGED') is None"
}

# Deleting a rule file is a rule change too (the weaker pack must not judge the change).
scenario "rules from a trusted revision: deleting a rule file is a rule change" scenario_trusted_delete
scenario_trusted_delete() {
trusted_repo
git -C "${repo}" checkout -q -b drop
git -C "${repo}" rm -q .opsgate/rules/backup.toml
write_file "${repo}/.opsgate/rules/service.toml" <<'EOF2'
[[rule]]
id = "SVC-001"
area = "service"
title = "Owner declared"
severity = "error"
level = 1
check = [ { key = "service.owner", present = true } ]
EOF2
commit_all "${repo}" 2026-11-02T11:00:00+01:00 "drop the backup rules"
run_in "${repo}" check --rules .opsgate/rules --base main --at "${AT}" --format json
assert_exit "a change that deletes a rule file fails when judged by its own rules" 1
assert_json "the deleted file is named in GATE-RULES-CHANGED" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'error' and '.opsgate/rules/backup.toml' in rf('GATE-RULES-CHANGED')['message']"
run_in "${repo}" check --rules HEAD:.opsgate/rules --base main --at "${AT}" --format json
assert_json "...also when read from the evaluated revision" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'error'"
run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --format json
assert_json "...and a warning when read from the base side, whose BKP-002 still fails" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'warning' and st('BKP-002') == 'fail'"
}

# A change that touches only the rules selects no manifest: the finding is about the run, and
# still fails it.
scenario "rules from a trusted revision: a change to the rules alone still fails" scenario_rules_only
scenario_rules_only() {
trusted_repo
git -C "${repo}" checkout -q -b weaken
sed -i 's/min = 7/min = 1/' "${repo}/.opsgate/rules/backup.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "relax the rule, nothing else"
run_in "${repo}" check --rules HEAD:.opsgate/rules --base main --at "${AT}" --format json
assert_exit "a change to the rules alone, judged by them, fails" 1
assert_json "...the finding is the run's, at the top level, counted in the summary" \
  "rst('GATE-RULES-CHANGED') == 'fail' and d['summary']['failed'] >= 1 and all(f['rule'] != 'GATE-RULES-CHANGED' for x in d['manifests'] for f in x['findings'])"
run_in "${repo}" check --rules HEAD:.opsgate/rules --base main --at "${AT}"
assert_contains "the text report shows the run's finding" "${OUT}" "GATE-RULES-CHANGED"
for format in junit sarif codequality markdown; do
  run_in "${repo}" check --rules HEAD:.opsgate/rules --base main --at "${AT}" --format "${format}"
  assert_contains "the ${format} report shows the run's finding" "${OUT}" "GATE-RULES-CHANGED"
done
# In a monorepo without a root manifest, the rules' directory belongs to no service.
mono_repo
mkdir -p "${repo}/.opsgate/rules"
cp "${repo}/rules.toml" "${repo}/.opsgate/rules/service.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "rules in the repository"
sed -i 's/present = true/present = false/' "${repo}/.opsgate/rules/service.toml"
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "turn the rule around"
run_in "${repo}" check --rules HEAD:.opsgate/rules --base HEAD~1 --at "${AT}" --format json
assert_exit "a rules-only change in a monorepo fails" 1
assert_json "...with no manifest selected" \
  "d['manifests'] == [] and rst('GATE-RULES-CHANGED') == 'fail' and d['outcome'] == 'fail'"
}

# Other spellings of the same REV:PATH name the same files: none escapes GATE-RULES-CHANGED.
scenario "rules from a trusted revision: every spelling of REV:PATH is the same pack" \
  scenario_rules_spellings
scenario_rules_spellings() {
trusted_repo
git -C "${repo}" checkout -q -b weaken
sed -i 's/min = 7/min = 1/' "${repo}/.opsgate/rules/backup.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "relax the rule"
for spelling in "HEAD:./.opsgate/rules" "HEAD:.opsgate//rules" "HEAD:/.opsgate/rules/" \
  "HEAD:.opsgate/./rules"; do
  run_in "${repo}" check --rules "${spelling}" --base main --at "${AT}" --format json
  assert_exit "--rules ${spelling}: exit 1" 1
  assert_json "--rules ${spelling}: GATE-RULES-CHANGED is an error" \
    "rf('GATE-RULES-CHANGED')['severity'] == 'error'"
done
run_in "${repo}" check --rules "HEAD:../x" --base main --at "${AT}" --format json
assert_exit "--rules HEAD:../x leaves the repository: exit 2" 2
# A symlink inside the pack's directory must not bring rules in from elsewhere in the tree.
mkdir -p "${repo}/docs/examples"
cp "${repo}/.opsgate/rules/backup.toml" "${repo}/docs/examples/backup.toml"
rm "${repo}/.opsgate/rules/backup.toml"
ln -s ../../docs/examples/backup.toml "${repo}/.opsgate/rules/backup.toml"
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "the pack's rule file is now a symlink"
run_in "${repo}" check --rules HEAD:.opsgate/rules --at "${AT}" --format json
assert_exit "a pack whose rule file is a symlink: exit 2 (it is not a rule file)" 2
run_in "${repo}" check --rules HEAD:.opsgate/rules/backup.toml --at "${AT}" --format json
assert_exit "a REV:PATH rule file that is a symlink: exit 2" 2
assert_contains "...saying so" "${ERR}" "symlink"
ln -s .opsgate/rules "${repo}/linked-rules"
commit_all "${repo}" 2026-11-04T10:00:00+01:00 "a directory symlink"
git -C "${repo}" checkout -q HEAD~1 -- .opsgate/rules 2>/dev/null || true
run_in "${repo}" check --rules HEAD:linked-rules --at "${AT}" --format json
assert_exit "a REV:PATH directory reached through a symlink: exit 2" 2
}

# A bare --rules name is an installed pack, whatever the checkout holds (CI runs inside it).
scenario "rules from a trusted revision: a committed baseline/ does not replace the installed pack" \
  scenario_rules_checkout
scenario_rules_checkout() {
trusted_repo
mkdir -p "${repo}/baseline"
write_file "${repo}/baseline/lenient.toml" <<'EOF2'
[pack]
name = "baseline"
version = "1.0.0"
[[rule]]
id = "OK-001"
area = "service"
title = "Anything goes"
severity = "info"
level = 1
check = [ { key = "schema", present = true } ]
EOF2
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "a baseline of our own"
run_in "${repo}" check --at "${AT}" --format json
assert_json "without --rules the installed baseline judges" \
  "d['rule_packs'][0]['origin'].startswith('installed ') and 'OK-001' not in ids()"
run_in "${repo}" check --rules baseline --at "${AT}" --format json
assert_json "--rules baseline is the installed pack too" \
  "d['rule_packs'][0]['origin'].startswith('installed ') and 'OK-001' not in ids()"
run_in "${repo}" check --rules ./baseline --at "${AT}" --format json
assert_json "./baseline names the directory" \
  "d['rule_packs'][0]['origin'].startswith('file ') and 'OK-001' in ids()"
rm -r "${repo}/baseline"
ln -s .opsgate/rules "${repo}/baseline"
run_in "${repo}" check --rules baseline --at "${AT}" --format json
assert_json "a symlink named baseline does not redirect the installed pack" \
  "d['rule_packs'][0]['origin'].startswith('installed ')"
run_in "${repo}" check --rules main:.opsgate/rules --at "${AT}" --format json
assert_json "a REV:PATH pack names its commit" \
  "d['rule_packs'][0]['origin'].startswith('revision main:.opsgate/rules at ')"
}

# Rules read from the base side must still load once the change lands: a rule file the change
# breaks would stop every later check (the red team's "one push to jam the gate").
scenario "rules from a trusted revision: a change that breaks a rule file fails" scenario_rules_broken
scenario_rules_broken() {
trusted_repo
git -C "${repo}" checkout -q -b jam
printf '[[rule]\nid = "broken\n' >>"${repo}/.opsgate/rules/backup.toml"
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "a rule file that does not parse"
run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --format json
assert_exit "judged by the base-side rules, the change still fails" 1
assert_json "...GATE-RULES-CHANGED is an error that says the rules do not load" \
  "rf('GATE-RULES-CHANGED')['severity'] == 'error' and 'do not load' in rf('GATE-RULES-CHANGED')['message']"
}

# ---- GATE-WAIVER-ADDED ---------------------------------------------------------------------

scenario "GATE-WAIVER-ADDED: an added or extended waiver is flagged" scenario_waiver_added
scenario_waiver_added() {
trusted_repo
git -C "${repo}" checkout -q -b waive
cat >>"${repo}/operability.toml" <<'EOF'

[[waiver]]
rule = "BKP-002"
reason = "moving to the new backup system"
expires = 2026-12-10
approved_by = "ops-lead@example.org"
EOF
commit_all "${repo}" 2026-11-03T10:00:00+01:00 "add a waiver"
run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --format json
assert_exit "an accepted waiver passes the gate (the warning does not fail it)" 0
assert_json "the added waiver is flagged as a warning" \
  "st('BKP-002') == 'waived' and f('GATE-WAIVER-ADDED')['severity'] == 'warning' and 'adds a waiver for BKP-002' in f('GATE-WAIVER-ADDED')['message']"
run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --fail-on warning
assert_exit "--fail-on warning makes an added waiver fail" 1

git -C "${repo}" checkout -q main
git -C "${repo}" merge -q --ff-only waive
git -C "${repo}" checkout -q -b extend
sed -i 's/expires = 2026-12-10/expires = 2027-01-20/' "${repo}/operability.toml"
commit_all "${repo}" 2026-11-04T10:00:00+01:00 "extend the waiver"
run_in "${repo}" check --rules main:.opsgate/rules --base main --at "${AT}" --format json
assert_json "an extended waiver is flagged with both dates" \
  "'extends the waiver for BKP-002 from 2026-12-10 to 2027-01-20' in f('GATE-WAIVER-ADDED')['message']"
}

# A manifest new at its path (added, or moved with its service) brings waivers the base never
# had there: every one counts as added, however old the file it was moved from.
scenario "GATE-WAIVER-ADDED: a moved manifest's waivers count as added" scenario_waiver_moved
scenario_waiver_moved() {
mono_repo
git -C "${repo}" checkout -q -b move
git -C "${repo}" mv services/search services/find
cat >>"${repo}/services/find/operability.toml" <<'EOF'

[[waiver]]
rule = "SVC-001"
reason = "self-approved"
expires = 2026-12-10
approved_by = "me@example.org"
EOF
commit_all "${repo}" 2026-11-02T10:00:00+01:00 "move search, waive on the way"
run_in "${repo}" check --rules rules.toml --base main --at "${AT}" --format json --fail-on warning
assert_exit "a moved service adding a waiver fails with --fail-on warning" 1
assert_json "...GATE-WAIVER-ADDED on the manifest at its new path" \
  "any(f['rule'] == 'GATE-WAIVER-ADDED' and 'adds a waiver for SVC-001' in f['message'] for x in d['manifests'] if x['path'] == 'services/find/operability.toml' for f in x['findings'])"
}

run_scenarios "$@"
