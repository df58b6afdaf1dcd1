#!/usr/bin/env bash
# End-to-end: `opsgate check` on real git repositories (exit codes, revisions, work tree, bare
# repositories, path escapes, reports, waivers, levels, REV:PATH rule packs, monorepos, output).
#
# The verdicts use a small rule pack written into the temp dir, so they do not depend on the
# baseline's window operators.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
D2="2026-10-15T12:00:00+02:00"
D3="2026-11-02T12:00:00+01:00"

# --- fixtures -----------------------------------------------------------------------------

# setup: PACK, the e2e pack.
setup() {
PACK="${E2E_TMP}/pack"
write_file "${PACK}/pack.toml" <<'EOF'
[pack]
name = "e2e"
version = "1.0.0"
environments = ["production", "staging"]
max_waiver_days = 30
waiver_approvers = ["ops-lead@example.org", "*@ops.example.org"]
EOF
write_file "${PACK}/rules.toml" <<'EOF'
[[rule]]
id = "E2E-001"
area = "service"
title = "The service has an owner"
severity = "error"
level = 1
help = "Set service.owner."
check = [ { key = "service.owner", present = true } ]

[[rule]]
id = "E2E-002"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 2
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", type = "integer", min = 7 } ]

[[rule]]
id = "E2E-003"
area = "runbook"
title = "The runbook exists and has a Restore section"
severity = "error"
level = 2
help = "Write the runbook."
check = [ { key = "runbook.path", path_exists = true, has_sections = ["Restore"] } ]

[[rule]]
id = "E2E-004"
area = "backup"
title = "Restores were tested in the last 90 days"
severity = "error"
level = 3
help = "Rehearse a restore."
check = [ { key = "backup.last_restore_test", max_age_days = 90 } ]

[[rule]]
id = "E2E-005"
area = "monitoring"
title = "There is a dashboard"
severity = "warning"
level = 3
help = "Set monitoring.dashboard."
check = [ { key = "monitoring.dashboard", present = true } ]

[[rule]]
id = "E2E-006"
area = "service"
title = "The contact is an e-mail address"
severity = "error"
level = 1
waivable = false
help = "Set service.contact."
check = [ { key = "service.contact", matches = "[^@ ]+@[^@ ]+" } ]
EOF
}
PACK_IDS='["E2E-001","E2E-002","E2E-003","E2E-004","E2E-005","E2E-006"]'

# manifest [RETENTION] [EXTRA]: a manifest meeting every pack rule (retention 14 by default);
# EXTRA is appended verbatim (waivers, more tables).
manifest() {
  local retention="${1:-14}" extra="${2:-}"
  cat <<EOF
schema = 1

[service]
name = "pay"
owner = "team-pay"
tier = "high"
stateful = true
contact = "pay@example.org"

[backup]
enabled = true
retention_days = ${retention}
last_restore_test = 2026-10-01

[runbook]
path = "docs/runbook.md"

[monitoring]
dashboard = "https://grafana.example.org/d/pay"
${extra}
EOF
}

RUNBOOK='# Pay runbook

## Restore

Restore the latest snapshot.
'

# service_repo NAME [RETENTION]: a repository with one committed passing (or not) service.
service_repo() {
  local repo
  repo="$(new_repo "$1")"
  manifest "${2:-14}" | write_file "${repo}/operability.toml"
  printf '%s' "${RUNBOOK}" | write_file "${repo}/docs/runbook.md"
  commit_all "${repo}" "${D1}" "service"
  printf '%s\n' "${repo}"
}

# check REPO ARGS...: `opsgate check` in REPO with the e2e pack at $AT.
check() {
  local repo="$1"
  shift
  run_in "${repo}" check --rules "${PACK}" --at "${AT}" "$@"
}

# bad_pack NAME: a copy of the e2e pack in $E2E_TMP/NAME, to break.
bad_pack() {
  local dir="${E2E_TMP}/$1"
  mkdir -p "${dir}"
  cp "${PACK}"/*.toml "${dir}/"
  printf '%s\n' "${dir}"
}

# waiver_case NAME RULE EXPIRES APPROVER [REASON]: checks a manifest with one waiver.
waiver_case() {
  local name="$1" rule="$2" expires="$3" approver="$4" reason="${5-booked for next week}"
  local repo="${E2E_TMP}/waiver-${name}"
  [[ -d "${repo}" ]] || repo="$(service_repo "waiver-${name}" 3)"
  manifest 3 "
[[waiver]]
rule = \"${rule}\"
reason = \"${reason}\"
expires = ${expires}
approved_by = \"${approver}\"" | write_file "${repo}/operability.toml"
  commit_all "${repo}" "${D2}" "waiver ${name}"
  check "${repo}" --format json
}

# on_tty VAR=VALUE... -- ARGS: runs opsgate in $R with stdout on a pseudo-terminal; sets OUT.
on_tty() {
  OUT="$(cd "${R}" && python3 - "${OPSGATE}" "$@" <<'PY'
import os, pty, subprocess, sys
binary, args = sys.argv[1], sys.argv[2:]
env = dict(os.environ)
while args and args[0] != "--":
    key, _, value = args.pop(0).partition("=")
    env[key] = value
args = args[1:]
master, slave = pty.openpty()
proc = subprocess.Popen([binary] + args, stdout=slave, stderr=subprocess.DEVNULL,
                        stdin=subprocess.DEVNULL, env=env)
os.close(slave)
chunks = []
while True:
    try:
        data = os.read(master, 65536)
    except OSError:
        break
    if not data:
        break
    chunks.append(data)
proc.wait()
sys.stdout.write(b"".join(chunks).decode("utf-8", "replace"))
PY
)"
  ERR=""
}

# duplicate_pack: $E2E_TMP/pack-duplicate, a pack where E2E-002 is taken twice; prints its path.
duplicate_pack() {
local P
P="$(bad_pack pack-duplicate)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-002"
area = "backup"
title = "Another rule with a taken id"
severity = "error"
level = 1
check = [ { key = "service.name", present = true } ]
EOF
printf '%s\n' "${P}"
}

# history_repo: R, a service committed failing (retention 3, tag v1), then fixed (14).
history_repo() {
R="$(service_repo history 3)"
git -C "${R}" tag v1
manifest 14 | write_file "${R}/operability.toml"
commit_all "${R}" "${D2}" "keep backups two weeks"
}

# jobs_repo: R, 24 services of which every third keeps backups 3 days (fails).
jobs_repo() {
R="$(new_repo monorepo-jobs)"
for i in $(seq -w 1 24); do
  manifest $((10#${i} % 3 == 0 ? 3 : 14)) | sed "s/name = \"pay\"/name = \"svc-${i}\"/" |
    write_file "${R}/services/svc-${i}/operability.toml"
  printf '%s' "${RUNBOOK}" | write_file "${R}/services/svc-${i}/docs/runbook.md"
done
commit_all "${R}" "${D1}" "24 services"
}

# --- verdicts: pass and fail ----------------------------------------------------------------

scenario "a passing manifest" scenario_a_passing_manifest
scenario_a_passing_manifest() {
R="$(service_repo pass)"
check "${R}"
assert_exit "passing manifest: exit 0" 0
assert_contains "passing manifest: verdict line says PASS" "${OUT}" "PASS"

check "${R}" --format json
assert_exit "passing manifest, json: exit 0" 0
assert_json "passing manifest, json: outcome pass" "d['outcome'] == 'pass' and m()['outcome'] == 'pass'"
assert_json "passing manifest, json: every pack rule passes" \
  "all(st(r) == 'pass' for r in ${PACK_IDS})"
assert_json "passing manifest, json: level is the highest rule level (3)" "m()['level'] == 3"

run_in "${R}/docs" check --rules "${PACK}" --at "${AT}"
assert_exit "check from a sub-directory discovers the repository" 0

run_in "${E2E_TMP}" check "${R}" --rules "${PACK}" --at "${AT}"
assert_exit "check REPO from outside the repository" 0
}

scenario "a failing manifest names file, line, column and what is required" scenario_a_failing_manifest_names_file_line
scenario_a_failing_manifest_names_file_line() {
R="$(service_repo fail 3)"
check "${R}"
assert_exit "failing manifest: exit 1" 1
assert_contains "failing manifest: text names file:line:column and what is required" "${OUT}" \
  "operability.toml:12:18: backup.retention_days is 3; at least 7 is required"
assert_contains "failing manifest: verdict line says FAIL" "${OUT}" "FAIL"
check "${R}" --format json
assert_json "failing manifest, json: E2E-002 fails at 12:18" \
  "st('E2E-002') == 'fail' and f('E2E-002')['location'] == {'path': 'operability.toml', 'line': 12, 'column': 18}"
assert_json "failing manifest, json: message says what was found and required" \
  "f('E2E-002')['message'] == 'backup.retention_days is 3; at least 7 is required'"
assert_json "failing manifest, json: level 1 (level-2 rule failed)" "m()['level'] == 1"
}

# --- exit 2: could not evaluate -------------------------------------------------------------

scenario "exit 2: not a repository" scenario_exit_2_not_a_repository
scenario_exit_2_not_a_repository() {
mkdir -p "${E2E_TMP}/not-a-repo"
run_in "${E2E_TMP}/not-a-repo" check --rules "${PACK}" --at "${AT}"
assert_exit "not a repository: exit 2" 2
assert_contains "not a repository: error on stderr" "${ERR}" "error"
}

scenario "exit 2: unknown --rev, invalid --at, --format or --fail-on" scenario_exit_2_unknown_rev_invalid_at
scenario_exit_2_unknown_rev_invalid_at() {
R="$(service_repo revs)"
check "${R}" --rev no-such-branch
assert_exit "unknown --rev: exit 2" 2
assert_contains "unknown --rev: message names the revision" "${ERR}" "no-such-branch"

check "${R}" --at "yesterday"
assert_exit "invalid --at: exit 2" 2

check "${R}" --format yaml
assert_exit "unknown --format: exit 2" 2
assert_contains "unknown --format: message names the format" "${ERR}" "yaml"

check "${R}" --fail-on fatal
assert_exit "unknown --fail-on: exit 2" 2
}

scenario "exit 2: a manifest with a TOML syntax error" scenario_exit_2_a_manifest_with_a
scenario_exit_2_a_manifest_with_a() {
R="$(new_repo toml-error)"
write_file "${R}/operability.toml" <<'EOF'
schema = 1

[service]
name = "pay
owner = "team-pay"
EOF
commit_all "${R}" "${D1}" "broken toml"
check "${R}"
assert_exit "manifest TOML syntax error: exit 2" 2
assert_matches "manifest TOML syntax error: message has operability.toml:4:column" "${ERR}" \
  'operability\.toml:4:[0-9]+'
assert_not_contains "manifest TOML syntax error: nothing on stdout says PASS" "${OUT}" "PASS"
}

scenario "exit 2: an unsupported manifest schema" scenario_exit_2_an_unsupported_manifest_schema
scenario_exit_2_an_unsupported_manifest_schema() {
R="$(new_repo schema-2)"
manifest | sed 's/^schema = 1$/schema = 2/' | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "schema 2"
check "${R}"
assert_exit "unsupported manifest schema: exit 2" 2
assert_contains "unsupported manifest schema: message mentions schema" "${ERR}" "schema"
assert_contains "unsupported manifest schema: message names the file" "${ERR}" "operability.toml:1:"
}

scenario "exit 2: malformed, duplicate, empty or missing rule packs" scenario_exit_2_malformed_duplicate_empty_or
scenario_exit_2_malformed_duplicate_empty_or() {
R="$(service_repo for-bad-packs)"

P="$(bad_pack pack-syntax)"
printf '\n[[rule]]\nid = "E2E-100\n' >>"${P}/rules.toml"
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "malformed rule file: exit 2" 2
assert_matches "malformed rule file: message has rules.toml:line:column" "${ERR}" \
  'rules\.toml:57:[0-9]+'

P="$(bad_pack pack-unknown-key)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-100"
area = "service"
title = "x"
severity = "error"
level = 1
sevirity = "warning"
check = [ { key = "service.name", present = true } ]
EOF
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "unknown rule key: exit 2" 2
assert_contains "unknown rule key: message names the key" "${ERR}" "sevirity"
assert_contains "unknown rule key: message has extra.toml:7:1" "${ERR}" "extra.toml:7:1"

P="$(bad_pack pack-unknown-op)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-100"
area = "service"
title = "x"
severity = "error"
level = 1
check = [ { key = "service.name", longer_than = 3 } ]
EOF
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "unknown operator: exit 2" 2
assert_contains "unknown operator: message names the operator" "${ERR}" "longer_than"
assert_matches "unknown operator: message has extra.toml:7:column" "${ERR}" 'extra\.toml:7:[0-9]+'

P="$(bad_pack pack-bad-op-value)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-100"
area = "service"
title = "x"
severity = "error"
level = 1
check = [ { key = "backup.retention_days", min = "seven" } ]
EOF
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "bad operator value (min = \"seven\"): exit 2" 2

P="$(bad_pack pack-bad-regex)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-100"
area = "service"
title = "x"
severity = "error"
level = 1
check = [ { key = "service.name", matches = "([a-z" } ]
EOF
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "invalid matches pattern: exit 2" 2

P="$(duplicate_pack)"
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "duplicate rule id in one pack: exit 2" 2
assert_contains "duplicate rule id: message names the id" "${ERR}" "E2E-002"
run_in "${R}" check --rules "${PACK}" --rules "${PACK}/rules.toml" --at "${AT}"
assert_exit "duplicate rule id across two --rules: exit 2" 2

P="${E2E_TMP}/pack-empty"
write_file "${P}/pack.toml" <<'EOF'
[pack]
name = "empty"
EOF
run_in "${R}" check --rules "${P}" --at "${AT}"
assert_exit "empty rule set: exit 2" 2

P="$(bad_pack pack-all-disabled)"
write_file "${P}/zz-off.toml" <<'EOF'
EOF
for id in E2E-001 E2E-002 E2E-003 E2E-004 E2E-005 E2E-006; do
  printf '[[override]]\nrule = "%s"\nenabled = false\n\n' "${id}" >>"${P}/zz-off.toml"
done
run_in "${R}" check --rules "${PACK}" --rules "${P}/zz-off.toml" --at "${AT}"
assert_exit "rule set empty after overrides disable every rule: exit 2" 2

run_in "${R}" check --rules "${E2E_TMP}/no-such-pack" --at "${AT}"
assert_exit "--rules naming nothing: exit 2" 2
}

scenario "environments: --env unknown, declared, or free when no pack declares any" scenario_environments_env_unknown_declared_or_free
scenario_environments_env_unknown_declared_or_free() {
R="$(service_repo for-bad-packs)"
check "${R}" --env prodution
assert_exit "unknown --env (pack declares environments): exit 2" 2
assert_contains "unknown --env: message names it" "${ERR}" "prodution"
check "${R}" --env staging
assert_exit "declared --env staging: evaluated (exit 0)" 0
P="${E2E_TMP}/pack-no-envs"
mkdir -p "${P}"
cp "${PACK}/rules.toml" "${P}/"
run_in "${R}" check --rules "${P}" --env anything --at "${AT}"
assert_exit "any --env when no pack declares environments: evaluated (exit 0)" 0
}

# --- evaluated failures: GATE-MANIFEST and GATE-SCHEMA --------------------------------------

scenario "a missing manifest fails GATE-MANIFEST" scenario_a_missing_manifest_fails_gate_manifest
scenario_a_missing_manifest_fails_gate_manifest() {
R="$(new_repo no-manifest)"
printf 'hello\n' | write_file "${R}/README.md"
commit_all "${R}" "${D1}" "no manifest"
check "${R}" --format json
assert_exit "missing manifest: exit 1" 1
assert_json "missing manifest: GATE-MANIFEST fails" "st('GATE-MANIFEST') == 'fail'"
assert_json "missing manifest: level 0" "m()['level'] == 0"
check "${R}"
assert_contains "missing manifest: text names GATE-MANIFEST" "${OUT}" "GATE-MANIFEST"
}

scenario "schema problems fail GATE-SCHEMA, not exit 2" scenario_schema_problems_fail_gate_schema_not
scenario_schema_problems_fail_gate_schema_not() {
R="$(new_repo schema-findings)"
manifest | sed -e 's/^tier = "high"$/tier = "urgent"/' -e 's/^owner = .*$//' \
  -e 's/^retention_days = 14$/retention_days = "14"/' | write_file "${R}/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/runbook.md"
commit_all "${R}" "${D1}" "schema problems"
check "${R}" --format json
assert_exit "schema problems: exit 1, not 2" 1
assert_json "schema problems: GATE-SCHEMA fails" "st('GATE-SCHEMA') == 'fail'"
assert_json "schema problems: level 0" "m()['level'] == 0"
check "${R}"
assert_contains "schema: tier outside its enumeration at 6:8" "${OUT}" "operability.toml:6:8"
assert_contains "schema: message names the bad tier" "${OUT}" "urgent"
assert_contains "schema: retention_days of the wrong type at 12:18" "${OUT}" "operability.toml:12:18"
assert_contains "schema: the missing required key service.owner is named" "${OUT}" "service.owner"

R="$(new_repo schema-bad-date)"
manifest | sed 's/^last_restore_test = 2026-10-01$/last_restore_test = "last week"/' |
  write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "bad date"
check "${R}"
assert_exit "date key holding a string: exit 1" 1
assert_contains "date key holding a string: GATE-SCHEMA at 13:21" "${OUT}" "operability.toml:13:21"
}

# --- revisions, work tree, bare repositories ------------------------------------------------

scenario "revisions: --rev HEAD~1, a tag, a SHA, nothing checked out" scenario_revisions_rev_head_1_a_tag
scenario_revisions_rev_head_1_a_tag() {
history_repo
check "${R}"
assert_exit "--rev default HEAD: the fixed manifest passes" 0
check "${R}" --rev HEAD~1
assert_exit "--rev HEAD~1: the old manifest fails" 1
check "${R}" --rev v1
assert_exit "--rev TAG: the tagged manifest fails" 1
check "${R}" --rev "$(git -C "${R}" rev-parse HEAD~1)" --format json
assert_json "--rev SHA: report revision is that commit" \
  "d['revision'] == '$(git -C "${R}" rev-parse HEAD~1)'"
assert_eq "--rev HEAD~1 does not check anything out" "retention_days = 14" \
  "$(grep '^retention_days' "${R}/operability.toml")"
assert_eq "--rev leaves the work tree clean" "" "$(git -C "${R}" status --porcelain)"
}

# Uncommitted changes: invisible to --rev, visible to --worktree.
scenario "worktree: --worktree reads uncommitted and untracked files" scenario_worktree_worktree_reads_uncommitted_and_untracked
scenario_worktree_worktree_reads_uncommitted_and_untracked() {
history_repo
manifest 2 | write_file "${R}/operability.toml"
check "${R}"
assert_exit "uncommitted breakage is not read without --worktree" 0
check "${R}" --worktree
assert_exit "--worktree reads the uncommitted manifest" 1
check "${R}" --worktree --format json
assert_json "--worktree: the uncommitted value is reported" \
  "'is 2;' in f('E2E-002')['message']"
git -C "${R}" checkout -q -- operability.toml
rm "${R}/docs/runbook.md"
check "${R}" --worktree
assert_exit "--worktree: a file deleted from the work tree counts as missing" 1
git -C "${R}" checkout -q -- docs/runbook.md
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/new-runbook.md"
manifest 14 | sed 's#docs/runbook.md#docs/new-runbook.md#' | write_file "${R}/operability.toml"
check "${R}" --worktree
assert_exit "--worktree: an untracked file referenced by the manifest exists" 0
check "${R}"
assert_exit "without --worktree the untracked-only state is not seen" 0
}

scenario "bare repositories" scenario_bare_repositories
scenario_bare_repositories() {
history_repo
git clone -q --bare "${R}" "${E2E_TMP}/bare.git"
run_in "${E2E_TMP}" check "${E2E_TMP}/bare.git" --rules "${PACK}" --at "${AT}"
assert_exit "bare repository: HEAD evaluated (exit 0)" 0
run_in "${E2E_TMP}/bare.git" check --rules "${PACK}" --at "${AT}" --rev HEAD~1
assert_exit "bare repository (cwd): --rev HEAD~1 fails" 1
run_in "${E2E_TMP}/bare.git" check --rules "${PACK}" --at "${AT}" --worktree
assert_exit "bare repository with --worktree: exit 2 (no work tree)" 2
}

# --- path escapes -----------------------------------------------------------------------------

scenario "path escapes: dot-dot, symlinks and absolute paths stay in the repository" scenario_path_escapes_dot_dot_symlinks_and
scenario_path_escapes_dot_dot_symlinks_and() {
printf '# Outside\n\n## Restore\n' | write_file "${E2E_TMP}/outside.md"
R="$(new_repo escapes)"
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/runbook.md"
manifest | sed 's#"docs/runbook.md"#"../outside.md"#' | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "dot-dot escape"
check "${R}" --format json
assert_exit "path ../outside.md: rule fails (exit 1)" 1
assert_json "path ../outside.md: treated as missing" "st('E2E-003') == 'fail'"
check "${R}" --worktree --format json
assert_json "path ../outside.md with --worktree: treated as missing" "st('E2E-003') == 'fail'"

manifest | sed 's#"docs/runbook.md"#"docs/../../outside.md"#' | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "nested dot-dot escape"
check "${R}" --format json
assert_json "path docs/../../outside.md: treated as missing" "st('E2E-003') == 'fail'"

ln -s ../../outside.md "${R}/docs/relative-link.md"
ln -s "${E2E_TMP}/outside.md" "${R}/docs/absolute-link.md"
ln -s /etc/passwd "${R}/docs/passwd.md"
for link in relative-link absolute-link passwd; do
  manifest | sed "s#\"docs/runbook.md\"#\"docs/${link}.md\"#" | write_file "${R}/operability.toml"
  commit_all "${R}" "${D1}" "symlink ${link}"
  check "${R}" --format json
  assert_json "symlink docs/${link}.md out of the repository: missing (revision)" \
    "st('E2E-003') == 'fail'"
  assert_not_contains "symlink docs/${link}.md: nothing of the target leaks" "${OUT}" "root:"
  check "${R}" --worktree --format json
  assert_json "symlink docs/${link}.md out of the repository: missing (--worktree)" \
    "st('E2E-003') == 'fail'"
  assert_not_contains "symlink docs/${link}.md (--worktree): nothing of the target leaks" \
    "${OUT}" "root:"
done
manifest | sed 's#"docs/runbook.md"#"/etc/passwd"#' | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "absolute path"
check "${R}" --worktree --format json
assert_json "path /etc/passwd means <repo>/etc/passwd: missing" "st('E2E-003') == 'fail'"
assert_not_contains "path /etc/passwd: nothing of /etc/passwd leaks" "${OUT}" "root:"

# A symlinked directory that leaves the repository.
mkdir -p "${E2E_TMP}/outside-dir"
cp "${E2E_TMP}/outside.md" "${E2E_TMP}/outside-dir/runbook.md"
ln -s "${E2E_TMP}/outside-dir" "${R}/ext"
manifest | sed 's#"docs/runbook.md"#"ext/runbook.md"#' | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "symlinked directory"
check "${R}" --worktree --format json
assert_json "path through a symlinked directory out of the repository: missing (--worktree)" \
  "st('E2E-003') == 'fail'"
check "${R}" --format json
assert_json "path through a symlinked directory out of the repository: missing (revision)" \
  "st('E2E-003') == 'fail'"
}

# --- reports ----------------------------------------------------------------------------------

scenario "reports: --report on pass, fail and exit 2" scenario_reports_report_on_pass_fail_and
scenario_reports_report_on_pass_fail_and() {
mkdir -p "${E2E_TMP}/not-a-repo"
duplicate_pack >/dev/null
R="$(service_repo reports)"
check "${R}" --report "json=${E2E_TMP}/pass.json" --report "text=${E2E_TMP}/pass.txt"
assert_exit "--report on pass: exit 0" 0
assert_json "--report json on pass: outcome pass" "d['outcome'] == 'pass'" "${E2E_TMP}/pass.json"
assert_contains "--report text on pass: written" "$(cat "${E2E_TMP}/pass.txt" 2>/dev/null)" "PASS"
assert_not_contains "--report: stdout stays text" "${OUT}" '"outcome"'

R="$(service_repo reports-fail 3)"
check "${R}" --report "json=${E2E_TMP}/fail.json"
assert_exit "--report on fail: exit 1" 1
assert_json "--report json on fail: outcome fail, E2E-002 failed" \
  "d['outcome'] == 'fail' and st('E2E-002') == 'fail'" "${E2E_TMP}/fail.json"

check "${R}" --rev no-such-rev --report "json=${E2E_TMP}/error.json"
assert_exit "--report on exit 2 (unknown rev): exit 2" 2
assert_json "--report json on exit 2: outcome error" "d['outcome'] == 'error'" "${E2E_TMP}/error.json"
assert_json "--report json on exit 2: the message is in the report" \
  "'no-such-rev' in json.dumps(d)" "${E2E_TMP}/error.json"

run_in "${E2E_TMP}/not-a-repo" check --rules "${PACK}" --report "json=${E2E_TMP}/norepo.json"
assert_exit "--report when not a repository: exit 2" 2
assert_json "--report json when not a repository: outcome error" "d['outcome'] == 'error'" \
  "${E2E_TMP}/norepo.json"

run_in "${R}" check --rules "${E2E_TMP}/pack-duplicate" --report "json=${E2E_TMP}/dup.json"
assert_json "--report json on a rule-pack error: outcome error" "d['outcome'] == 'error'" \
  "${E2E_TMP}/dup.json"

check "${R}" --format yaml --report "json=${E2E_TMP}/badformat.json"
assert_exit "--format yaml with --report: exit 2" 2
assert_json "--report json still written when --format is unknown" "d['outcome'] == 'error'" \
  "${E2E_TMP}/badformat.json"
}

# --- the JSON report's shape ------------------------------------------------------------------

scenario "the JSON report's shape" scenario_the_json_report_s_shape
scenario_the_json_report_s_shape() {
R="$(service_repo shape)"
manifest 3 | sed 's/^dashboard = .*$//' | write_file "${R}/operability.toml"
commit_all "${R}" "${D2}" "retention 3, no dashboard"
check "${R}" --format json
assert_exit "json shape: exit 1" 1
assert_json "json: top-level keys of the contract" \
  "{'tool','revision','base','environment','evaluated_at','emergency','outcome','manifests','summary'} <= set(d)"
assert_json "json: tool is opsgate with a version" \
  "d['tool']['name'] == 'opsgate' and len(d['tool']['version']) > 0"
assert_json "json: revision is HEAD's 40-hex id" "d['revision'] == '$(git -C "${R}" rev-parse HEAD)'"
assert_json "json: base is null without --base" "d['base'] is None"
assert_json "json: environment production by default" "d['environment'] == 'production'"
assert_json "json: evaluated_at is --at in UTC" "d['evaluated_at'] == '2026-11-26T09:00:00Z'"
assert_json "json: emergency null" "d['emergency'] is None"
assert_json "json: manifest entry keys" \
  "{'path','blob','service','level','outcome','findings'} <= set(m())"
assert_json "json: manifest path, service" \
  "m()['path'] == 'operability.toml' and m()['service'] == 'pay'"
assert_json "json: blob is the manifest's blob id" \
  "m()['blob'] == '$(git -C "${R}" rev-parse HEAD:operability.toml)'"
assert_json "json: finding keys" \
  "all({'rule','status','severity','area','level','message','location','help','waiver'} <= set(x) for x in m()['findings'])"
assert_json "json: findings sorted by rule id" "ids() == sorted(ids())"
assert_json "json: every loaded rule appears exactly once" \
  "sorted(i for i in ids() if not i.startswith('GATE-')) == ${PACK_IDS}"
assert_json "json: statuses are pass/fail/waived/skipped" \
  "all(x['status'] in ('pass','fail','waived','skipped') for x in m()['findings'])"
assert_json "json: the failing error and the failing warning" \
  "st('E2E-002') == 'fail' and st('E2E-005') == 'fail' and f('E2E-005')['severity'] == 'warning'"
assert_json "json: summary counts match the findings" \
  "d['summary'] == {'passed': sum(x['status']=='pass' for x in m()['findings']), 'failed': 1, 'warnings': 1, 'info': 0, 'waived': 0, 'skipped': 0}"
assert_json "json: manifest outcome fail, level 1" "m()['outcome'] == 'fail' and m()['level'] == 1"
}

# A skipped rule: environments filter.
scenario "a rule for another environment is skipped" scenario_a_rule_for_another_environment_is
scenario_a_rule_for_another_environment_is() {
P="$(bad_pack pack-skip)"
write_file "${P}/extra.toml" <<'EOF'
[[rule]]
id = "E2E-007"
area = "service"
title = "Staging only"
severity = "error"
level = 1
environments = ["staging"]
check = [ { key = "service.nonexistent", present = true } ]
EOF
R="$(service_repo skip)"
run_in "${R}" check --rules "${P}" --at "${AT}" --format json
assert_exit "rule for another environment: exit 0" 0
assert_json "rule for another environment: skipped and counted" \
  "st('E2E-007') == 'skipped' and d['summary']['skipped'] == 1"
run_in "${R}" check --rules "${P}" --at "${AT}" --format json --env staging
assert_exit "rule for this environment applies: exit 1" 1
assert_json "--env staging: reported environment" "d['environment'] == 'staging'"
}

# --- --fail-on, levels, --min-level -----------------------------------------------------------

scenario "levels: --fail-on, levels and --min-level" scenario_levels_fail_on_levels_and_min
scenario_levels_fail_on_levels_and_min() {
R="$(service_repo levels)"
manifest | sed 's/^dashboard = .*$//' | write_file "${R}/operability.toml"
commit_all "${R}" "${D2}" "no dashboard"
check "${R}" --format json
assert_exit "failed warning below --fail-on error: exit 0" 0
assert_json "failed warning: summary.warnings 1, failed 0" \
  "d['summary']['warnings'] == 1 and d['summary']['failed'] == 0"
assert_json "failed warning still counts against the level (2)" "m()['level'] == 2"
check "${R}" --fail-on warning --format json
assert_exit "--fail-on warning: exit 1" 1
assert_json "--fail-on warning: the warning is counted as failed" \
  "d['summary']['failed'] == 1 and d['summary']['warnings'] == 0"
check "${R}" --min-level 2 --format json
assert_exit "--min-level 2 reached: exit 0" 0
assert_json "--min-level reached: no failed GATE-MIN-LEVEL" "st('GATE-MIN-LEVEL') != 'fail'"
check "${R}" --min-level 3 --format json
assert_exit "--min-level 3 not reached: exit 1" 1
assert_json "--min-level not reached: GATE-MIN-LEVEL fails" "st('GATE-MIN-LEVEL') == 'fail'"
check "${R}" --min-level 9
assert_exit "--min-level 9: exit 2" 2
}

# --- --at and max_age_days (last_restore_test = 2026-10-01, at most 90 days) ----------------

scenario "ages: --at and max_age_days" scenario_ages_at_and_max_age_days
scenario_ages_at_and_max_age_days() {
R="$(service_repo ages)"
run_in "${R}" check --rules "${PACK}" --at 2026-12-30T10:00:00+01:00
assert_exit "--at 90 days after the restore test: exit 0" 0
run_in "${R}" check --rules "${PACK}" --at 2026-12-31T10:00:00+01:00 --format json
assert_exit "--at 91 days after the restore test: exit 1" 1
assert_json "--at 91 days: E2E-004 fails" "st('E2E-004') == 'fail'"
run_in "${R}" check --rules "${PACK}" --at 2026-12-30T23:30:00-01:00
assert_exit "--at 2026-12-31T00:30Z in offset -01:00 is still day 90: exit 0" 0
run_in "${R}" check --rules "${PACK}" --at 2026-12-31T00:30:00+00:00
assert_exit "--at 2026-12-31T00:30Z in offset +00:00 is day 91: exit 1" 1
run_in "${R}" check --rules "${PACK}" --at 2026-09-20T10:00:00+02:00 --format json
assert_json "--at before the restore test date: a future date fails" "st('E2E-004') == 'fail'"
run_in "${R}" check --rules "${PACK}" --at 2026-10-01T10:00:00+02:00
assert_exit "--at on the restore test day (0 days): exit 0" 0
}

# --- waivers (retention 3 fails E2E-002; pack max_waiver_days = 30, approvers allow-listed) --

scenario "waivers: accepted, up to the limits" scenario_waivers_accepted_up_to_the_limits
scenario_waivers_accepted_up_to_the_limits() {
waiver_case accepted E2E-002 2026-12-10 ops-lead@example.org
assert_exit "accepted waiver: exit 0" 0
assert_json "accepted waiver: status waived, counted" \
  "st('E2E-002') == 'waived' and d['summary']['waived'] == 1 and d['summary']['failed'] == 0"
assert_json "accepted waiver: waiver.accepted true" "f('E2E-002')['waiver']['accepted'] is True"
check "${E2E_TMP}/waiver-accepted"
assert_contains "accepted waiver: text says waived" "${OUT}" "WAIVED"

waiver_case glob-approver E2E-002 2026-12-10 alice@ops.example.org
assert_exit "waiver approved by a glob-allowed approver: exit 0" 0

waiver_case expires-today E2E-002 2026-11-26 ops-lead@example.org
assert_exit "waiver expiring on the day of --at: accepted (exit 0)" 0

waiver_case at-max E2E-002 2026-12-26 ops-lead@example.org
assert_exit "waiver expiring exactly max_waiver_days after --at: accepted" 0
}

scenario "waivers: refused when expired, too long, unapproved, without reason or not waivable" scenario_waivers_refused_when_expired_too_long
scenario_waivers_refused_when_expired_too_long() {
waiver_case expired E2E-002 2026-11-01 ops-lead@example.org
assert_exit "expired waiver: exit 1" 1
assert_json "expired waiver: still failed, refusal 'expired on 2026-11-01'" \
  "st('E2E-002') == 'fail' and f('E2E-002')['waiver'] == {**f('E2E-002')['waiver'], 'accepted': False, 'refusal': 'expired on 2026-11-01'}"
check "${E2E_TMP}/waiver-expired"
assert_contains "expired waiver: text gives the refusal" "${OUT}" "expired on 2026-11-01"

waiver_case too-long E2E-002 2026-12-27 ops-lead@example.org
assert_exit "waiver beyond max_waiver_days: exit 1" 1
assert_json "waiver beyond max_waiver_days: refused with a reason naming the limit" \
  "f('E2E-002')['waiver']['accepted'] is False and '30' in f('E2E-002')['waiver']['refusal']"

waiver_case bad-approver E2E-002 2026-12-10 dev@example.org
assert_exit "waiver by an approver outside the allow-list: exit 1" 1
assert_json "approver outside the allow-list: refusal names the approver" \
  "f('E2E-002')['waiver']['accepted'] is False and 'dev@example.org' in f('E2E-002')['waiver']['refusal']"

waiver_case no-reason E2E-002 2026-12-10 ops-lead@example.org ""
assert_exit "waiver without a reason: exit 1" 1
assert_json "waiver without a reason: refused" "f('E2E-002')['waiver']['accepted'] is False"

R="$(new_repo waiver-not-waivable)"
manifest 14 "
[[waiver]]
rule = \"E2E-006\"
reason = \"contact coming\"
expires = 2026-12-10
approved_by = \"ops-lead@example.org\"" | sed 's/^contact = .*$/contact = "nobody"/' |
  write_file "${R}/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/runbook.md"
commit_all "${R}" "${D2}" "waive a non-waivable rule"
check "${R}" --format json
assert_exit "waiver of a non-waivable rule: exit 1" 1
assert_json "waiver of a non-waivable rule: refused" \
  "st('E2E-006') == 'fail' and f('E2E-006')['waiver']['accepted'] is False"

waiver_case unknown-rule NOPE-001 2026-12-10 ops-lead@example.org
assert_exit "waiver naming no loaded rule (and E2E-002 failing): exit 1" 1
assert_json "waiver naming no loaded rule: GATE-WAIVER failed warning" \
  "st('GATE-WAIVER') == 'fail' and f('GATE-WAIVER')['severity'] == 'warning'"
}

# --- --rules REV:PATH ---------------------------------------------------------------------------

scenario "rule packs from history: --rules REV:PATH" scenario_rule_packs_from_history_rules_rev
scenario_rule_packs_from_history_rules_rev() {
R="$(service_repo rev-rules 3)"
mkdir -p "${R}/.opsgate/rules"
cp "${PACK}"/*.toml "${R}/.opsgate/rules/"
commit_all "${R}" "${D2}" "strict rules"
printf 'touch\n' >"${R}/NOTES"
commit_all "${R}" "${D3}" "unrelated change"
sed -i 's/min = 7/min = 1/' "${R}/.opsgate/rules/rules.toml"
run_in "${R}" check --rules .opsgate/rules --at "${AT}"
assert_exit "--rules DIR: the weakened work-tree pack passes" 0
run_in "${R}" check --rules HEAD~1:.opsgate/rules --at "${AT}"
assert_exit "--rules HEAD~1:.opsgate/rules: the committed strict pack fails" 1
run_in "${R}" check --rules HEAD:.opsgate/rules --at "${AT}" --format json
assert_exit "--rules HEAD:.opsgate/rules ignores the work tree" 1
assert_json "--rules REV:PATH: E2E-002 judged with min 7" "st('E2E-002') == 'fail'"
run_in "${R}" check --rules HEAD~1:.opsgate/rules/rules.toml --at "${AT}"
assert_exit "--rules REV:FILE reads one rule file from history" 1
run_in "${R}" check --rules HEAD~2:.opsgate/rules --at "${AT}"
assert_exit "--rules REV:PATH absent at that revision: exit 2" 2
run_in "${R}" check --rules no-such-rev:.opsgate/rules --at "${AT}"
assert_exit "--rules with an unknown revision: exit 2" 2
}

# --- monorepos --------------------------------------------------------------------------------

scenario "monorepo: one report entry per manifest, --manifest, a root manifest" scenario_monorepo_one_report_entry_per_manifest
scenario_monorepo_one_report_entry_per_manifest() {
R="$(new_repo monorepo)"
manifest 3 | sed 's/name = "pay"/name = "zeta"/' | write_file "${R}/services/zeta/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/services/zeta/docs/runbook.md"
manifest 14 | sed -e 's/name = "pay"/name = "alpha"/' -e 's#"docs/runbook.md"#"/shared/runbook.md"#' |
  write_file "${R}/apps/alpha/operability.toml"
printf '%s' "${RUNBOOK}" | write_file "${R}/shared/runbook.md"
manifest 14 | sed 's/name = "pay"/name = "beta"/' | write_file "${R}/apps/beta/operability.toml"
printf 'no runbook next to beta, only at the root\n' >"${R}/README.md"
printf '%s' "${RUNBOOK}" | write_file "${R}/docs/runbook.md"
printf 'a library\n' | write_file "${R}/libs/http/README.md"
commit_all "${R}" "${D1}" "three services"
check "${R}" --format json
assert_exit "monorepo: one failing service fails the gate" 1
assert_json "monorepo: one report entry per manifest, sorted by path" \
  "[x['path'] for x in d['manifests']] == ['apps/alpha/operability.toml', 'apps/beta/operability.toml', 'services/zeta/operability.toml']"
assert_json "monorepo: service names" \
  "[x['service'] for x in d['manifests']] == ['alpha', 'beta', 'zeta']"
assert_json "monorepo: a leading / resolves from the repository root" "st('E2E-003', 0) == 'pass'"
assert_json "monorepo: paths resolve from the manifest's directory, not the root" \
  "st('E2E-003', 1) == 'fail'"
assert_json "monorepo: per-manifest outcomes" \
  "[x['outcome'] for x in d['manifests']] == ['pass', 'fail', 'fail']"
assert_json "monorepo: zeta fails on retention" "st('E2E-002', 2) == 'fail'"
assert_json "monorepo: finding locations name the manifest's path" \
  "f('E2E-002', 2)['location']['path'] == 'services/zeta/operability.toml'"
assert_json "monorepo: summary sums over manifests" \
  "d['summary']['failed'] == 2 and d['summary']['passed'] == sum(x['status'] == 'pass' for y in d['manifests'] for x in y['findings'])"
check "${R}" --manifest apps/alpha/operability.toml --format json
assert_exit "monorepo --manifest selects one passing service: exit 0" 0
assert_json "monorepo --manifest: only that manifest" \
  "[x['path'] for x in d['manifests']] == ['apps/alpha/operability.toml']"
check "${R}" --manifest services/zeta/operability.toml --manifest apps/alpha/operability.toml \
  --format json
assert_json "monorepo: repeated --manifest, reported sorted by path" \
  "[x['path'] for x in d['manifests']] == ['apps/alpha/operability.toml', 'services/zeta/operability.toml']"
check "${R}" --manifest apps/gamma/operability.toml --format json
assert_exit "monorepo --manifest naming a missing file: exit 1" 1
assert_json "monorepo --manifest naming a missing file: GATE-MANIFEST" "st('GATE-MANIFEST') == 'fail'"
manifest 14 | write_file "${R}/operability.toml"
commit_all "${R}" "${D2}" "root manifest"
check "${R}" --format json
assert_exit "root manifest present: the nested services are still judged (zeta fails)" 1
assert_json "root manifest present: it is one entry among the others" \
  "'operability.toml' in [x['path'] for x in d['manifests']] and len(d['manifests']) > 1"
}

# --- monorepos: manifests evaluated at once (--jobs) ------------------------------------------

scenario "workers: --jobs gives the same report whatever the number" scenario_workers_jobs_gives_the_same_report
scenario_workers_jobs_gives_the_same_report() {
jobs_repo
check "${R}" --format json --jobs 1
assert_exit "24 services, --jobs 1: a third of them fail" 1
printf '%s' "${OUT}" >"${E2E_TMP}/jobs-1.json"
for jobs in 2 3 7; do
  check "${R}" --format json --jobs "${jobs}"
  assert_exit "24 services, --jobs ${jobs}: the same verdict" 1
  assert_eq "24 services, --jobs ${jobs}: the same report, byte for byte" \
    "$(cat "${E2E_TMP}/jobs-1.json")" "${OUT}"
done
assert_json "24 services: every manifest, in path order" \
  "[x['service'] for x in d['manifests']] == ['svc-%02d' % i for i in range(1, 25)]"
}

# --worktree with workers: every evaluator reads the work tree, not the commit. (Workers read
# the committed manifests until 2026-11-27: an uncommitted mistake in any service but the first
# few passed.)
scenario "workers: --worktree reads the work tree" scenario_workers_worktree_reads_the_work_tree
scenario_workers_worktree_reads_the_work_tree() {
jobs_repo
for i in 05 18 23; do
  printf '\nbogus_key = 1\n' >>"${R}/services/svc-${i}/operability.toml"
done
check "${R}" --format json --jobs 1 --worktree
printf '%s' "${OUT}" >"${E2E_TMP}/worktree-1.json"
assert_json "--worktree, --jobs 1: the uncommitted keys are schema failures" \
  "sorted(m['service'] for m in d['manifests'] for f in m['findings'] if f['rule'] == 'GATE-SCHEMA' and f['status'] == 'fail') == ['svc-05', 'svc-18', 'svc-23']"
for jobs in 2 3; do
  check "${R}" --format json --jobs "${jobs}" --worktree
  assert_eq "--worktree, --jobs ${jobs}: the same report as one job, byte for byte" \
    "$(cat "${E2E_TMP}/worktree-1.json")" "${OUT}"
done
git -C "${R}" checkout -q -- services
}

# The same where the git directory is elsewhere (git clone --separate-git-dir): a worker opened
# through the git directory got its parent as work tree and found no manifest there. Enough
# services that the worker surely takes some.
scenario "workers: --worktree with --separate-git-dir" scenario_workers_worktree_with_separate_git_dir
scenario_workers_worktree_with_separate_git_dir() {
S="${E2E_TMP}/separate-work"
git init -q -b main --separate-git-dir="${E2E_TMP}/separate.git" "${S}"
for i in $(seq -w 1 160); do
  printf 'schema = 1\n[service]\nname = "s%s"\nowner = "t"\ntier = "low"\n' "${i}" |
    write_file "${S}/s${i}/operability.toml"
done
commit_all "${S}" "${D1}" "160 services"
printf '\nbogus_key = 1\n' >>"${S}/s150/operability.toml"
check "${S}" --format json --jobs 1 --worktree
printf '%s' "${OUT}" >"${E2E_TMP}/separate-1.json"
assert_json "--separate-git-dir, --worktree, --jobs 1: only the edited manifest fails its schema" \
  "[m['service'] for m in d['manifests'] for f in m['findings'] if f['rule'] in ('GATE-SCHEMA', 'GATE-MANIFEST') and f['status'] == 'fail'] == ['s150']"
check "${S}" --format json --jobs 2 --worktree
assert_eq "--separate-git-dir, --worktree, --jobs 2: the same report as one job" \
  "$(cat "${E2E_TMP}/separate-1.json")" "${OUT}"
}

# No thread to be had (an unprivileged user held to one process, so every thread creation
# fails: the workers, the history walk, the time-zone preload): the run does all the work on its
# own thread and reports the same. Needs root, a setpriv allowed to switch user and a temp dir
# that user can reach; skipped otherwise.
scenario "workers: without threads the run does the work on its own thread" scenario_workers_without_threads_the_run_does
scenario_workers_without_threads_the_run_does() {
jobs_repo
check "${R}" --format json --jobs 1
printf '%s' "${OUT}" >"${E2E_TMP}/jobs-1.json"
chmod -R a+rX "${E2E_TMP}"
if [[ "$(id -u)" == 0 ]] && command -v setpriv >/dev/null &&
  setpriv --reuid=65534 --regid=65534 --clear-groups test -r "${R}/.git/HEAD" 2>/dev/null; then
  lone="${E2E_TMP}/lone"
  mkdir -p "${lone}/home"
  cp "${OPSGATE}" "${lone}/opsgate"
  printf '[safe]\n\tdirectory = %s\n' "${R}" >"${lone}/home/.gitconfig"
  chmod -R a+rX "${lone}"
  # LeakSanitizer needs a thread of its own at exit: not under this limit (sanitizer builds).
  as_nobody() {
    HOME="${lone}/home" ASAN_OPTIONS="${ASAN_OPTIONS:+${ASAN_OPTIONS}:}detect_leaks=0" setpriv --reuid=65534 --regid=65534 --clear-groups \
      bash -c 'ulimit -u 1 && exec "$@"' bash "$@"
  }
  if as_nobody bash -c '( true )' 2>/dev/null; then
    fail_ "no threads: ulimit -u 1 does not stop a fork here" "cannot test thread failures"
  else
    pass_ "no threads: ulimit -u 1 stops a fork"
    (cd "${R}" && as_nobody "${lone}/opsgate" check --rules "${PACK}" --at "${AT}" --format json \
      --jobs 3 </dev/null >"${lone}/out" 2>"${lone}/err")
    RC=$?
    OUT="$(cat "${lone}/out")"
    ERR="$(cat "${lone}/err")"
    assert_exit "no threads, --jobs 3: the same verdict" 1
    assert_eq "no threads, --jobs 3: the same report, byte for byte" \
      "$(cat "${E2E_TMP}/jobs-1.json")" "${OUT}"
  fi
else
  skip "no-threads check (needs root, setpriv able to switch to nobody, a reachable temp dir)"
fi
}

# A manifest that cannot be read stops the run with the same error whichever worker reads it:
# the first in path order.
scenario "workers: a broken manifest gives the same error whatever the worker" scenario_workers_a_broken_manifest_gives_the
scenario_workers_a_broken_manifest_gives_the() {
jobs_repo
printf 'schema = 1\n[service\n' >"${R}/services/svc-17/operability.toml"
printf 'schema = 1\n\n[service]\nname = = 2\n' >"${R}/services/svc-20/operability.toml"
commit_all "${R}" "${D2}" "two broken manifests"
check "${R}" --jobs 1
assert_exit "broken manifest, --jobs 1: exit 2" 2
first_error="${ERR}"
assert_contains "broken manifest: the error names the first broken file and line" \
  "${first_error}" "services/svc-17/operability.toml:2"
check "${R}" --jobs 4
assert_exit "broken manifest, --jobs 4: exit 2" 2
assert_eq "broken manifest, --jobs 4: the same error as one job" "${first_error}" "${ERR}"
check "${R}" --jobs 0
assert_exit "--jobs 0 is a usage error" 2
}

# --- output: colour, NO_COLOR, --quiet --------------------------------------------------------

scenario "output: colour, NO_COLOR and --quiet" scenario_output_colour_no_color_and_quiet
scenario_output_colour_no_color_and_quiet() {
R="$(service_repo output 3)"
check "${R}"
assert_not_contains "non-tty stdout: no escape codes" "${OUT}" $'\033['
assert_contains "text report groups by area" "${OUT}" "backup"
check "${R}" --quiet
assert_exit "--quiet: exit 1" 1
assert_eq "--quiet: exactly one line" "1" "$(printf '%s\n' "${OUT}" | wc -l | tr -d ' ')"
assert_contains "--quiet: the verdict line" "${OUT}" "FAIL"
check "$(service_repo output-pass)" --quiet
assert_eq "--quiet on pass: exactly one line" "1" "$(printf '%s\n' "${OUT}" | wc -l | tr -d ' ')"

on_tty -- check --rules "${PACK}" --at "${AT}"
assert_contains "on a TTY: colour" "${OUT}" $'\033['
on_tty NO_COLOR=1 -- check --rules "${PACK}" --at "${AT}"
assert_not_contains "on a TTY with NO_COLOR: no escape codes" "${OUT}" $'\033['
on_tty -- check --rules "${PACK}" --at "${AT}" --no-color
assert_not_contains "on a TTY with --no-color: no escape codes" "${OUT}" $'\033['
}

# Exit 2 after reports were requested: the reports are still written, saying "error".
scenario "exit 2 after reports were requested: the reports say error" scenario_exit_2_after_reports_were_requested
scenario_exit_2_after_reports_were_requested() {
R="$(new_repo reports-on-error)"
write_file "${R}/operability.toml" <<<"schema = 1"
commit_all "${R}" 2026-11-20T10:00:00+01:00 "manifest"
run_in "${R}" check --report "json=${E2E_TMP}/usage.json" --min-level abc
assert_exit "a command line CLI11 refuses is exit 2" 2
assert_json "...and the requested report says error with the message" \
  "d['outcome'] == 'error' and '--min-level' in d['error']" "${E2E_TMP}/usage.json"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --report "json=${E2E_TMP}/nodir/x.json" \
  --report "json=${E2E_TMP}/written.json"
assert_exit "a report that cannot be written is exit 2" 2
assert_json "...and the reports that could be written say error, not a verdict" \
  "d['outcome'] == 'error' and 'cannot write the json report' in d['error']" "${E2E_TMP}/written.json"
run_in "${E2E_TMP}" check "${R}" --rules "${E2E_TMP}/no-such-pack" --at "${AT}" \
  --report "json=${E2E_TMP}/elsewhere.json"
assert_exit "an error for a repository named on the command line: exit 2" 2
assert_json "...its error report names that repository's revision (the status goes there)" \
  "d['outcome'] == 'error' and d['revision'] == '$(git -C "${R}" rev-parse HEAD)'" \
  "${E2E_TMP}/elsewhere.json"
}

# --worktree discovery passes over what .gitignore ignores, like git does.
scenario "worktree: discovery passes over ignored manifests" scenario_worktree_discovery_passes_over_ignored_manifests
scenario_worktree_discovery_passes_over_ignored_manifests() {
R="$(new_repo ignored-manifests)"
write_file "${R}/svc/operability.toml" <<'TOML'
schema = 1
[service]
name = "svc"
owner = "team"
TOML
mkdir -p "${R}/node_modules/dep"
cp "${R}/svc/operability.toml" "${R}/node_modules/dep/operability.toml"
echo "node_modules/" >"${R}/.gitignore"
commit_all "${R}" 2026-11-20T10:00:00+01:00 "service"
run_in "${R}" check --worktree --rules "${PACK}" --at "${AT}" --format json
assert_json "an ignored manifest in the work tree is not discovered" \
  "[x['path'] for x in d['manifests']] == ['svc/operability.toml']"
}

run_scenarios "$@"
