#!/usr/bin/env bash
# Changes crafted to pass a gate they should fail: each scenario is a shape a pusher controls
# (a directory where a document belongs, a partial or damaged repository, a time zone, a locked
# company rule, an emergency), run through the real binary on a real repository.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT=2026-11-26T10:00:00+01:00
setup() {
write_file "${E2E_TMP}/rules.toml" <<'TOML'
[[rule]]
id = "RUN-001"
area = "runbook"
title = "Runbook exists"
severity = "error"
level = 1
check = [ { key = "runbook.path", path_exists = true } ]

[[rule]]
id = "RUN-002"
area = "runbook"
title = "Runbook is fresh"
severity = "error"
level = 1
check = [ { key = "runbook.path", changed_within_days = 365 } ]
TOML
}

# service REPO [RUNBOOK]: a manifest whose runbook is RUNBOOK (default docs/runbook.md).
service() {
write_file "$1/operability.toml" <<EOF2
schema = 1
[service]
name = "svc"
owner = "team"
[runbook]
path = "${2:-docs/runbook.md}"
EOF2
}

# A directory (the root, ".", a folder) is no runbook, however it exists.
scenario "a directory named as a document fails path_exists" scenario_directory_document
scenario_directory_document() {
repo="$(new_repo dirs)"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
for path in "/" "." "docs" "/docs/"; do
  service "${repo}" "${path}"
  commit_all "${repo}" 2026-11-20T10:00:00+01:00 "runbook = ${path}"
  run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
  assert_exit "runbook.path = \"${path}\": exit 1" 1
  assert_json "...RUN-001 says it is a directory" \
    "st('RUN-001') == 'fail' and 'is a directory' in f('RUN-001')['message']"
done
}

# History that cannot be read is no evidence: partial clones and damaged repositories end in
# exit 2 naming the object, the likely cause and the fix.
scenario "a treeless partial clone cannot pass changed_within_days" scenario_treeless
scenario_treeless() {
src="$(new_repo src)"
service "${src}"
write_file "${src}/docs/runbook.md" <<<"# Runbook"
sed -i 's/owner = "team"/owner = "old-team"/' "${src}/operability.toml"
commit_all "${src}" 2023-03-14T10:00:00+00:00 "runbook, three years ago"
sed -i 's/owner = "old-team"/owner = "team"/' "${src}/operability.toml"
for i in 1 2 3; do
  printf '%s\n' "${i}" >"${src}/f${i}"
  commit_all "${src}" "2026-11-0${i}T10:00:00+00:00" "unrelated ${i}"
done
git -C "${src}" config uploadpack.allowFilter true
run_in "${src}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "the full repository fails RUN-002 (the runbook is three years old)" 1
git clone -q --filter=tree:0 "file://${src}" "${E2E_TMP}/treeless"
run_in "${E2E_TMP}/treeless" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "the treeless clone cannot evaluate: exit 2" 2
assert_contains "...names the partial clone" "${ERR}" "partial clone"
assert_contains "...and the fetch that fixes it" "${ERR}" "git fetch --refetch"
git clone -q --filter=blob:none "file://${src}" "${E2E_TMP}/blobless"
run_in "${E2E_TMP}/blobless" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "a blob-less clone reads history (trees are there): RUN-002 fails" 1
run_in "${E2E_TMP}/blobless" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --rev HEAD~3
assert_exit "a blob-less clone at an older revision (blobs not fetched): exit 2" 2
assert_contains "...naming the missing blob" "${ERR}" "cannot read blob"
}

scenario "a damaged repository cannot pass: missing tree, missing parent" scenario_damaged
scenario_damaged() {
repo="$(new_repo damaged)"
service "${repo}"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2023-03-14T10:00:00+00:00 "runbook, three years ago"
printf '1\n' >"${repo}/other"
commit_all "${repo}" 2026-11-01T10:00:00+00:00 "unrelated"
printf '2\n' >"${repo}/other"
commit_all "${repo}" 2026-11-02T10:00:00+00:00 "unrelated again"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "intact: RUN-002 fails" 1
tree="$(git -C "${repo}" rev-parse 'HEAD~1^{tree}')"
rm "${repo}/.git/objects/${tree:0:2}/${tree:2}"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "a missing tree in the history: exit 2, not \"changed\"" 2
assert_contains "...naming the tree" "${ERR}" "${tree}"
assert_contains "...and git fsck" "${ERR}" "git fsck"
}

# timezone = "localtime" is the runner's zone, not the service's: refused.
scenario "only IANA time zones: localtime is refused" scenario_localtime
scenario_localtime() {
repo="$(new_repo tz)"
write_file "${repo}/operability.toml" <<'EOF2'
schema = 1
[service]
name = "svc"
owner = "team"
[release_window]
timezone = "localtime"
[[release_window.allow]]
start = "00:00"
end = "00:00"
EOF2
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "always open, in whatever zone the runner has"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "timezone = localtime fails the schema" 1
assert_json "...GATE-SCHEMA names it" \
  "any(x['rule'] == 'GATE-SCHEMA' and 'not an IANA time zone' in x['message'] for x in m()['findings'])"
}

# A company pack can lock its rules: a team pack cannot override or disable them.
scenario "locked rules cannot be overridden by a later pack" scenario_locked
scenario_locked() {
repo="$(new_repo locked)"
service "${repo}"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service"
mkdir -p "${E2E_TMP}/company" "${E2E_TMP}/team"
{ printf '[pack]\nname = "company"\nlocked = true\n\n'; cat "${E2E_TMP}/rules.toml"; } \
  >"${E2E_TMP}/company/rules.toml"
printf '[[override]]\nrule = "RUN-002"\nenabled = false\n' >"${E2E_TMP}/team/rules.toml"
run_in "${repo}" check --rules "${E2E_TMP}/company" --rules "${E2E_TMP}/team" --at "${AT}"
assert_exit "disabling a locked rule: exit 2" 2
assert_contains "...naming the override's file" "${ERR}" "team/rules.toml:1:1"
assert_contains "...and the locked rule's" "${ERR}" "company/rules.toml:"
}

# --emergency waives a closed window, not a window that is too long.
scenario "emergency: waives the closed window, not the rest of the rule" scenario_emergency
scenario_emergency() {
repo="$(new_repo emergency)"
write_file "${repo}/operability.toml" <<'EOF2'
schema = 1
[service]
name = "svc"
owner = "team"
[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["sat"]
start = "08:00"
end = "20:00"
EOF2
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "a twelve-hour Saturday window"
write_file "${E2E_TMP}/window.toml" <<'TOML'
[[rule]]
id = "WIN-9"
area = "release_window"
title = "Short, open window"
severity = "error"
level = 1
check = [ { key = "release_window", window_max_hours = 4, window_open = true } ]
TOML
run_in "${repo}" check --rules "${E2E_TMP}/window.toml" --at "${AT}" --emergency "INC-1" \
  --format json
assert_exit "an emergency does not waive a window longer than allowed" 1
assert_json "...WIN-9 still fails on the length" \
  "st('WIN-9') == 'fail' and 'at most 4h' in f('WIN-9')['message']"
GITLAB_USER_LOGIN=alice run_in "${repo}" check --rules "${E2E_TMP}/window.toml" --at "${AT}" \
  --emergency "INC-1" --format json
assert_json "...and records who asked" "d['emergency_requested_by'] == 'alice'"
}

# Reports inside the work tree are never written through a symlink the change committed.
scenario "reports: a path that is a symlink inside the work tree is refused" scenario_report_symlink
scenario_report_symlink() {
repo="$(new_repo reports)"
service "${repo}"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
printf 'precious\n' >"${E2E_TMP}/victim"
ln -s "${E2E_TMP}/victim" "${repo}/summary.md"
mkdir -p "${E2E_TMP}/outside"
ln -s "${E2E_TMP}/outside" "${repo}/opsgate-report"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "committed symlinks"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --report markdown=summary.md
assert_exit "a report file that is a symlink: exit 2" 2
assert_eq "...the file it points to is untouched" "precious" "$(cat "${E2E_TMP}/victim")"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" \
  --report markdown=opsgate-report/summary.md
assert_exit "a report directory that is a symlink: exit 2" 2
assert_eq "...nothing written through it" "" "$(ls "${E2E_TMP}/outside")"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" \
  --report "json=${E2E_TMP}/artifacts.json"
assert_exit "a report outside the work tree is written as before" 0
assert_json "...and is the report" "d['outcome'] == 'pass'" "${E2E_TMP}/artifacts.json"
}

# Found by the red team: a manifest planted inside another service's directory takes over
# nothing; the manifest that owned the change's paths at the base is judged too.
scenario "a decoy manifest inside a service's directory does not hide it" scenario_decoy
scenario_decoy() {
repo="$(new_repo decoy)"
service "${repo}/services/a"
write_file "${repo}/services/a/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service a"
git -C "${repo}" checkout -q -b decoy
git -C "${repo}" rm -q services/a/docs/runbook.md
service "${repo}/services/a/docs" "decoy.md"
write_file "${repo}/services/a/docs/decoy.md" <<<"# Decoy"
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "break a, plant a passing manifest beside"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --base main --at "${AT}" --format json
assert_exit "the broken service is still judged: exit 1" 1
assert_json "...both manifests are in the report" \
  "[x['path'] for x in d['manifests']] == ['services/a/docs/operability.toml', 'services/a/operability.toml']"
}

# A file a manifest names outside its own service directory selects the manifest when the
# change touches it: by a root path, through a symlink, in another service's directory.
scenario "a change to a file a service names outside its directory judges that service" scenario_referenced_outside
scenario_referenced_outside() {
repo="$(new_repo refs)"
sed -n '/RUN-001/,/^$/p' "${E2E_TMP}/rules.toml" | sed '1i [[rule]]' >"${E2E_TMP}/exists.toml"
service "${repo}/services/a" "/shared/runbook.md"
service "${repo}/services/b" "docs/runbook.md"
ln -s ../../shared/b-docs "${repo}/services/b/docs"
service "${repo}/services/c" "../a/docs/c-runbook.md"
service "${repo}/services/d" "docs/runbook.md"
write_file "${repo}/services/d/docs/runbook.md" <<<"# D"
write_file "${repo}/shared/runbook.md" <<<"# Shared"
write_file "${repo}/shared/b-docs/runbook.md" <<<"# B"
write_file "${repo}/services/a/docs/c-runbook.md" <<<"# C"
write_file "${repo}/shared/unrelated.md" <<<"# Unrelated"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "four services"
run_in "${repo}" check --rules "${E2E_TMP}/exists.toml" --at "${AT}"
assert_exit "every service passes at the base" 0
git -C "${repo}" checkout -q -b change
git -C "${repo}" rm -q shared/runbook.md shared/b-docs/runbook.md services/a/docs/c-runbook.md
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "delete the runbooks a, b and c name"
run_in "${repo}" check --rules "${E2E_TMP}/exists.toml" --base main --at "${AT}" --format json
assert_exit "the services whose runbooks went are judged: exit 1" 1
assert_json "...a (root path), b (symlink) and c (another service's directory), not d" \
  "[x['path'] for x in d['manifests']] == ['services/a/operability.toml', 'services/b/operability.toml', 'services/c/operability.toml']"
assert_json "...each fails RUN-001" \
  "all(any(f['rule'] == 'RUN-001' and f['status'] == 'fail' for f in m['findings']) for m in d['manifests'])"
git -C "${repo}" checkout -q main
git -C "${repo}" checkout -q -b unrelated
printf 'more\n' >>"${repo}/shared/unrelated.md"
commit_all "${repo}" 2026-11-21T10:00:00+01:00 "a file nobody names"
run_in "${repo}" check --rules "${E2E_TMP}/exists.toml" --base main --at "${AT}" --format json
assert_exit "a shared file no manifest names selects nothing: exit 0" 0
assert_json "...no manifest" "d['manifests'] == []"
}

# changed_within_days through a symlink asks the history of the file the link leads to.
scenario "changed_within_days follows a symlink to the file's own history" scenario_fresh_through_link
scenario_fresh_through_link() {
repo="$(new_repo freshlink)"
service "${repo}/services/b" "docs/runbook.md"
ln -s ../../shared/b-docs "${repo}/services/b/docs"
write_file "${repo}/shared/b-docs/runbook.md" <<<"# B"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "b's runbook behind a link"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "a fresh runbook behind a link passes" 0
assert_json "...RUN-002 names the commit" \
  "st('RUN-002') == 'pass' and 'last changed 2026-11-20' in f('RUN-002')['message']"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at 2028-01-10T10:00:00+01:00 --format json
assert_exit "the same runbook a year later is stale" 1
assert_json "...RUN-002 says since when" "st('RUN-002') == 'fail' and 'unchanged since' in f('RUN-002')['message']"
}

# when_changed sees a change through a symlink under the service: migrations -> ../../db/pay.
scenario "when_changed sees changes through a symlink under the service" scenario_when_changed_link
scenario_when_changed_link() {
write_file "${E2E_TMP}/migrations.toml" <<'TOML'
[[rule]]
id = "MIG-001"
area = "rollback"
title = "A change with migrations says how it rolls back"
severity = "error"
level = 1
when_changed = ["migrations/**"]
check = [ { key = "rollback.database", one_of = ["backward-compatible", "reversible"] } ]
TOML
for shape in dir link; do
  repo="$(new_repo "mig-${shape}")"
  service "${repo}/services/pay"
  if [[ ${shape} == link ]]; then
    mkdir -p "${repo}/db/pay"
    ln -s ../../db/pay "${repo}/services/pay/migrations"
    dir="${repo}/db/pay"
  else
    dir="${repo}/services/pay/migrations"
  fi
  write_file "${dir}/001.sql" <<<"create table a(x int);"
  commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service and a first migration"
  write_file "${dir}/002.sql" <<<"drop table a;"
  printf '[rollback]\ndatabase = "irreversible"\n' >>"${repo}/services/pay/operability.toml"
  commit_all "${repo}" 2026-11-21T10:00:00+01:00 "an irreversible migration"
  run_in "${repo}" check --rules "${E2E_TMP}/migrations.toml" --base HEAD~1 --at "${AT}" --format json
  assert_exit "migrations as a ${shape}: the rule applies and fails (exit 1)" 1
  assert_json "...MIG-001 fails" "st('MIG-001') == 'fail'"
done
}

# A short name that a pushed tag also answers to is refused, not resolved by git's precedence.
scenario "an ambiguous revision name (a tag named origin/main) is refused" scenario_ambiguous
scenario_ambiguous() {
repo="$(new_repo ambiguous)"
service "${repo}"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2026-11-20T10:00:00+01:00 "service"
git -C "${repo}" update-ref refs/remotes/origin/main HEAD
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --base origin/main --at "${AT}"
assert_exit "origin/main alone resolves" 0
git -C "${repo}" tag origin/main HEAD
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --base origin/main --at "${AT}"
assert_exit "with a tag of the same name: exit 2" 2
assert_contains "...naming both refs" "${ERR}" "refs/tags/origin/main, refs/remotes/origin/main"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --base refs/remotes/origin/main --at "${AT}"
assert_exit "the full ref name resolves" 0
}

# A commit dated in the future is no evidence of freshness.
scenario "changed_within_days: a commit dated in the future does not count" scenario_future_commit
scenario_future_commit() {
repo="$(new_repo future)"
service "${repo}"
write_file "${repo}/docs/runbook.md" <<<"# Runbook"
commit_all "${repo}" 2099-01-01T10:00:00+00:00 "from the future"
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}" --format json
assert_exit "exit 1" 1
assert_json "...RUN-002 says why" \
  "st('RUN-002') == 'fail' and 'from the future' in f('RUN-002')['message']"
}

# A "tree bomb" (every level's entries point at the same subtree) is refused, not walked.
scenario "a tree bomb is refused, not walked" scenario_tree_bomb
scenario_tree_bomb() {
repo="$(new_repo bomb)"
"${PYTHON}" - "${repo}" "${OPSGATE_SOURCE_DIR}/tests/bench" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import hostile
objects = hostile.Objects(sys.argv[1])
tree = objects.tree([("100644", "operability.toml", objects.write("blob", hostile.MANIFEST))])
for _ in range(7):
    tree = objects.tree([("40000", f"d{i}", tree) for i in range(10)])
objects.set_ref("refs/heads/main", objects.commit(tree, [], "ten million manifests"))
PY
run_in "${repo}" check --rules "${E2E_TMP}/rules.toml" --at "${AT}"
assert_exit "exit 2" 2
assert_matches "...saying why" "${ERR}" "opsgate (does not walk it|judges at most)"
}

run_scenarios "$@"
