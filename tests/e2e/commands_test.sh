#!/usr/bin/env bash
# End-to-end: the commands besides check: version, explain, rules list, rules test, init.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

D1="2026-10-01T12:00:00+02:00"
# setup: OUTSIDE, a directory that is not in any git repository, and PACK, a small rule pack.
setup() {
OUTSIDE="${E2E_TMP}/nowhere"
mkdir -p "${OUTSIDE}"
PACK="${E2E_TMP}/pack"
write_file "${PACK}/rules.toml" <<'EOF'
[pack]
name = "mini"
version = "0.1.0"
environments = ["production"]

[[rule]]
id = "MINI-001"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 2
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", min = 7 } ]

[[rule]]
id = "MINI-002"
area = "runbook"
title = "The runbook has a Restore section"
severity = "warning"
level = 3
help = "Write the restore steps."
check = [ { key = "runbook.path", has_sections = ["Restore"] } ]
EOF
}

# --- version ----------------------------------------------------------------------------------

scenario "version and usage errors" scenario_version_and_usage_errors
scenario_version_and_usage_errors() {
run_in "${OUTSIDE}" version
assert_exit "version: exit 0" 0
assert_matches "version: prints 'opsgate X.Y.Z'" "${OUT}" '^opsgate [0-9]+\.[0-9]+\.[0-9]+'

run_in "${OUTSIDE}" frobnicate
assert_exit "unknown command: exit 2" 2
run_in "${OUTSIDE}"
assert_exit "no command: exit 2" 2
run_in "${OUTSIDE}" check --no-such-flag
assert_exit "unknown option: exit 2" 2
}

# --- help: a command line naming a subcommand registers only that one (start-up time); the
# listings still show every subcommand, and each subcommand its options --------------------------

scenario "help lists every command and each command's options" scenario_help_lists_every_command_and_each
scenario_help_lists_every_command_and_each() {
run_in "${OUTSIDE}" --help
assert_exit "--help: exit 0" 0
for command in check window explain rules init schema hook version; do
  assert_matches "--help lists ${command}" "${OUT}" "(^|[[:space:]])${command}([[:space:]]|$)"
done
run_in "${OUTSIDE}" hook --help
assert_exit "hook --help: exit 0" 0
assert_contains "hook --help: its subcommands" "${OUT}" "pre-push"
run_in "${OUTSIDE}" check --help
assert_contains "check --help: its options" "${OUT}" "--fail-on"
}

# --- explain ----------------------------------------------------------------------------------

scenario "explain" scenario_explain
scenario_explain() {
run_in "${OUTSIDE}" explain BKP-002
assert_exit "explain BKP-002 (installed baseline): exit 0" 0
assert_contains "explain: title" "${OUT}" "Backups are kept at least a week"
assert_contains "explain: area" "${OUT}" "backup"
assert_contains "explain: severity" "${OUT}" "error"
assert_matches "explain: level 2" "${OUT}" 'level:? *2'
assert_contains "explain: help / how to fix" "${OUT}" "Set backup.retention_days to 7 or more."

run_in "${OUTSIDE}" explain BKP-002 --rules "${BASELINE}"
assert_exit "explain with --rules DIR: exit 0" 0
assert_contains "explain with --rules DIR: title" "${OUT}" "Backups are kept at least a week"

run_in "${OUTSIDE}" explain NOPE-999
assert_exit "explain of an unknown id: exit 2" 2
assert_contains "explain of an unknown id: names it" "${ERR}" "NOPE-999"
assert_eq "explain of an unknown id: nothing on stdout" "" "${OUT}"

run_in "${OUTSIDE}" explain GATE-MANIFEST
assert_exit "explain of a built-in finding (GATE-MANIFEST): exit 0" 0
}

# --- rules list -------------------------------------------------------------------------------

scenario "rules list" scenario_rules_list
scenario_rules_list() {
mapfile -t BASELINE_IDS < <(sed -n 's/^id = "\([A-Z0-9-]*\)"$/\1/p' "${BASELINE}"/*.toml | sort)
run_in "${OUTSIDE}" rules list
assert_exit "rules list: exit 0" 0
missing=""
for id in "${BASELINE_IDS[@]}"; do
  [[ "${OUT}" == *"${id}"* ]] || missing+=" ${id}"
done
assert_eq "rules list: every baseline rule id (${#BASELINE_IDS[@]}) is listed" "" "${missing}"
assert_contains "rules list: titles" "${OUT}" "Stateful services are backed up"

run_in "${OUTSIDE}" rules list --rules "${PACK}"
assert_exit "rules list --rules DIR: exit 0" 0
assert_contains "rules list --rules DIR: the pack's rules" "${OUT}" "MINI-002"
assert_not_contains "rules list --rules DIR: only that pack" "${OUT}" "BKP-002"
}

# --- rules test -------------------------------------------------------------------------------

scenario "rules test" scenario_rules_test
scenario_rules_test() {
CASE="${PACK}/tests/short-retention"
write_file "${CASE}/operability.toml" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
tier = "low"
stateful = true
[backup]
retention_days = 3
[runbook]
path = "docs/runbook.md"
EOF
printf '# Runbook\n\n## Restore\n\nSteps.\n' | write_file "${CASE}/docs/runbook.md"
write_file "${CASE}/expect.toml" <<'EOF'
at = 2026-11-26T10:00:00+01:00
[status]
MINI-001 = "fail"
MINI-002 = "pass"
EOF
run_in "${OUTSIDE}" rules test "${PACK}"
assert_exit "rules test, expectations met: exit 0" 0
assert_contains "rules test: names the case" "${OUT}" "short-retention"

run_in "${OUTSIDE}" rules test "${BASELINE}"
assert_exit "rules test on the baseline's own cases: exit 0" 0

cp -r "${PACK}" "${E2E_TMP}/pack-mismatch"
sed -i 's/^MINI-001 = "fail"$/MINI-001 = "pass"/' "${E2E_TMP}/pack-mismatch/tests/short-retention/expect.toml"
run_in "${OUTSIDE}" rules test "${E2E_TMP}/pack-mismatch"
assert_exit "rules test, a mismatch: exit 1" 1
assert_contains "rules test, a mismatch: names the rule" "${OUT}" "MINI-001"
assert_contains "rules test, a mismatch: expected vs got" "${OUT}" "expected pass, got fail"

cp -r "${PACK}" "${E2E_TMP}/pack-bad-expect"
printf 'at = 2026-11-26T10:00:00+01:00\n[status]\nMINI-001 = "fail\n' \
  >"${E2E_TMP}/pack-bad-expect/tests/short-retention/expect.toml"
run_in "${OUTSIDE}" rules test "${E2E_TMP}/pack-bad-expect"
assert_exit "rules test, malformed expect.toml: exit 2" 2
assert_matches "rules test, malformed expect.toml: file:line:column" "${ERR}" \
  'expect\.toml:3:[0-9]+'

cp -r "${PACK}" "${E2E_TMP}/pack-bad-status"
sed -i 's/^MINI-001 = "fail"$/MINI-001 = "broken"/' \
  "${E2E_TMP}/pack-bad-status/tests/short-retention/expect.toml"
run_in "${OUTSIDE}" rules test "${E2E_TMP}/pack-bad-status"
assert_exit "rules test, an unknown status value: exit 2" 2

cp -r "${PACK}" "${E2E_TMP}/pack-unknown-rule"
printf 'NOPE-001 = "pass"\n' >>"${E2E_TMP}/pack-unknown-rule/tests/short-retention/expect.toml"
run_in "${OUTSIDE}" rules test "${E2E_TMP}/pack-unknown-rule"
assert_exit "rules test, expectation for a rule that is not loaded: exit 2" 2

run_in "${OUTSIDE}" rules test "${E2E_TMP}/no-such-pack"
assert_exit "rules test on a missing directory: exit 2" 2
}

# --- init -------------------------------------------------------------------------------------

scenario "init writes a starter that checks, and never overwrites" scenario_init_writes_a_starter_that_checks
scenario_init_writes_a_starter_that_checks() {
R="$(new_repo starter-svc)"
run_in "${R}" init
assert_exit "init: exit 0" 0
assert_eq "init: wrote operability.toml at the repository root" "yes" \
  "$([[ -f "${R}/operability.toml" ]] && echo yes || echo no)"
STARTER="$(cat "${R}/operability.toml" 2>/dev/null)"
assert_contains "init: starter declares schema 1" "${STARTER}" "schema = 1"
assert_matches "init: starter is commented" "${STARTER}" '(^|'$'\n'')#'
assert_contains "init: service named after the directory" "${STARTER}" 'name = "starter-svc"'
python3 - "${R}/operability.toml" <<'PY' >/dev/null 2>&1
import sys, tomllib
tomllib.load(open(sys.argv[1], "rb"))
PY
assert_eq "init: the starter is valid TOML (python tomllib)" "0" "$?"

run_in "${R}" check --worktree --at 2026-11-26T21:30:00+01:00 --format json
assert_exit "check --worktree on the starter: evaluated, exit 1 (not 2)" 1
assert_json "check on the starter: it follows schema 1 (GATE-SCHEMA passes)" \
  "st('GATE-SCHEMA') == 'pass'"
assert_json "check on the starter: the service rules pass" \
  "all(st(r) == 'pass' for r in ['SVC-001', 'SVC-002', 'SVC-003', 'SVC-004'])"

printf '# my edits\n' >>"${R}/operability.toml"
BEFORE="$(cat "${R}/operability.toml")"
run_in "${R}" init
assert_exit "init over an existing manifest: exit 2" 2
assert_eq "init over an existing manifest: file unchanged" "${BEFORE}" "$(cat "${R}/operability.toml")"
assert_contains "init over an existing manifest: says why" "${ERR}" "exists"
}

scenario "init --output and --name" scenario_init_output_and_name
scenario_init_output_and_name() {
R="$(new_repo print-only)"
run_in "${R}" init --output -
assert_exit "init --output -: exit 0" 0
assert_contains "init --output -: prints the starter" "${OUT}" "schema = 1"
assert_eq "init --output -: writes no file" "no" \
  "$([[ -e "${R}/operability.toml" ]] && echo yes || echo no)"

run_in "${R}" init --output "${E2E_TMP}/elsewhere.toml" --name billing
assert_exit "init --output FILE --name: exit 0" 0
assert_contains "init --name: service name" "$(cat "${E2E_TMP}/elsewhere.toml" 2>/dev/null)" \
  'name = "billing"'
}

scenario "init from a sub-directory and in a bare repository" scenario_init_from_a_sub_directory_and
scenario_init_from_a_sub_directory_and() {
R="$(new_repo sub-init)"
mkdir -p "${R}/deep/dir"
run_in "${R}/deep/dir" init
assert_exit "init from a sub-directory: exit 0" 0
assert_eq "init from a sub-directory: writes at the repository root" "yes" \
  "$([[ -f "${R}/operability.toml" ]] && echo yes || echo no)"

git clone -q --bare "${R}" "${E2E_TMP}/bare.git" 2>/dev/null || git init -q --bare "${E2E_TMP}/bare.git"
run_in "${E2E_TMP}" init "${E2E_TMP}/bare.git"
assert_exit "init in a bare repository without --output: exit 2" 2
}

# A starter committed and checked from the revision, not the work tree.
scenario "a committed starter is checked at HEAD" scenario_a_committed_starter_is_checked_at_head
scenario_a_committed_starter_is_checked_at_head() {
R="$(new_repo starter-commit)"
run_in "${R}" init
commit_all "${R}" "${D1}" "starter"
run_in "${R}" check --at 2026-11-26T21:30:00+01:00 --format json
assert_exit "committed starter: evaluated at HEAD, exit 1" 1
assert_json "committed starter: report names HEAD" \
  "d['revision'] == '$(git -C "${R}" rev-parse HEAD)' and m()['path'] == 'operability.toml'"
}

run_scenarios "$@"
