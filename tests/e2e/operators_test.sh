#!/usr/bin/env bash
# End-to-end: every supported operator passes on a good value and fails on a bad one, read from
# a real git revision (file modes and markdown headings from the object database) and from the
# work tree. The operators read keys of an extension table, [ops], which rules may use.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
D2="2026-10-02T12:00:00+02:00"

# rule ID KEY CHECK: appends a level-1 error rule checking ops.KEY with CHECK (TOML operators).
rule() {
  printf '[[rule]]\nid = "%s"\narea = "ops"\ntitle = "%s"\nseverity = "error"\nlevel = 1\ncheck = [ { key = "ops.%s", %s } ]\n\n' \
    "$1" "$1" "$2" "$3" >>"${PACK}/ops.toml"
}
OP_IDS="OP-PRESENT OP-ABSENT OP-TYPE OP-TYPE-DATE OP-EQUALS OP-ONE-OF OP-NOT-ONE-OF OP-MIN OP-MAX
OP-MIN-ITEMS OP-MAX-ITEMS OP-MIN-LENGTH OP-MAX-LENGTH OP-MATCHES OP-MATCHES-ARRAY OP-MAX-AGE
OP-PATH OP-ANCHOR OP-EXECUTABLE OP-SECTIONS"

HEAD_OF_MANIFEST='schema = 1

[service]
name = "ops-demo"
owner = "team-ops"
tier = "low"
stateful = false
contact = "ops@example.org"
'

# setup: PACK, a rule per operator; R, a repository whose committed manifest meets them all.
setup() {
PACK="${E2E_TMP}/pack"
mkdir -p "${PACK}"
rule OP-PRESENT dashboard 'present = true'
rule OP-ABSENT secret 'present = false'
rule OP-TYPE team_size 'type = "integer"'
rule OP-TYPE-DATE since 'type = "date"'
rule OP-EQUALS enabled 'equals = true'
rule OP-ONE-OF schedule 'one_of = ["hourly", "daily"]'
rule OP-NOT-ONE-OF schedule 'not_one_of = ["weekly", "monthly"]'
rule OP-MIN replicas 'min = 2'
rule OP-MAX max_conns 'max = 100'
rule OP-MIN-ITEMS regions 'min_items = 2'
rule OP-MAX-ITEMS zones 'max_items = 2'
rule OP-MIN-LENGTH code 'min_length = 3'
rule OP-MAX-LENGTH label 'max_length = 5'
rule OP-MATCHES email 'matches = "[a-z]+@example\\.org"'
rule OP-MATCHES-ARRAY hosts 'matches = "[a-z]+\\.internal"'
rule OP-MAX-AGE drill 'max_age_days = 30'
rule OP-PATH doc 'path_exists = true'
rule OP-ANCHOR anchor 'path_exists = true'
rule OP-EXECUTABLE script 'executable = true'
rule OP-SECTIONS runbook 'has_sections = ["Restore the database", "Rollback"]'
rule OP-MISSING never 'min = 1'
R="$(new_repo operators)"
write_file "${R}/docs/runbook.md" <<'EOF'
# Runbook

## Restore the database

Steps.

Rollback
========

Redeploy the previous release.

```sh
# Not a heading
```
EOF
write_file "${R}/docs/fenced.md" <<'EOF'
# Notes

```
## Restore the database
## Rollback
```
EOF
printf '#!/bin/sh\necho restore\n' | write_file "${R}/scripts/restore.sh"
chmod +x "${R}/scripts/restore.sh"
printf '#!/bin/sh\necho notes\n' | write_file "${R}/scripts/notes.sh"
chmod -x "${R}/scripts/notes.sh"

{
  printf '%s' "${HEAD_OF_MANIFEST}"
  cat <<'EOF'

[ops]
dashboard = "https://grafana.example.org/d/ops"
team_size = 5
since = 2020-01-01
enabled = true
schedule = "daily"
replicas = 2
max_conns = 100
regions = ["eu-west", "eu-central"]
zones = ["a", "b"]
code = "abc"
label = "short"
email = "ops@example.org"
hosts = ["db.internal", "cache.internal"]
drill = 2026-10-27
doc = "docs/runbook.md"
anchor = "docs/runbook.md#restore-the-database"
script = "scripts/restore.sh"
runbook = "docs/runbook.md"
EOF
} | write_file "${R}/operability.toml"
commit_all "${R}" "${D1}" "every operator holds"
}

# commit_bad_values: commits a manifest on which every operator fails.
commit_bad_values() {
{
  printf '%s' "${HEAD_OF_MANIFEST}"
  cat <<'EOF'

[ops]
dashboard = ""
secret = "hunter2"
team_size = "5"
since = "2020-01-01"
enabled = false
schedule = "weekly"
replicas = 1
max_conns = 500
regions = ["eu-west"]
zones = ["a", "b", "c"]
code = "ab"
label = "toolong"
email = "ops@example.org.evil.net"
hosts = ["db.internal", "cache.external"]
drill = 2026-10-26
doc = "docs/nope.md"
anchor = "docs/runbook.md#not-a-heading"
script = "scripts/notes.sh"
runbook = "docs/fenced.md"
EOF
} | write_file "${R}/operability.toml"
commit_all "${R}" "${D2}" "every operator fails"
}

# expect_all STATUS LABEL: every OP rule of the last JSON run has STATUS.
expect_all() {
  local rule
  for rule in ${OP_IDS}; do
    assert_json "$2: ${rule} $1" "st('${rule}') == '$1'"
  done
}

scenario "every operator holds on good values" scenario_every_operator_holds_on_good_values
scenario_every_operator_holds_on_good_values() {
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json
assert_exit "good values at the revision: exit 1 (only OP-MISSING fails)" 1
expect_all pass "good values (revision)"
assert_json "absent key fails every operator but present = false: OP-MISSING fails as missing" \
  "st('OP-MISSING') == 'fail' and 'missing' in f('OP-MISSING')['message']"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json --worktree
expect_all pass "good values (--worktree)"
}

scenario "every operator fails on bad values" scenario_every_operator_fails_on_bad_values
scenario_every_operator_fails_on_bad_values() {
commit_bad_values
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json
assert_exit "bad values at the revision: exit 1" 1
expect_all fail "bad values (revision)"
assert_json "matches is a full match (a matching prefix is not enough)" \
  "st('OP-MATCHES') == 'fail'"
assert_json "max_age_days: 31 days is too old for 30" "'31' in f('OP-MAX-AGE')['message']"
assert_json "a failing finding points at the key's line" \
  "f('OP-MAX')['location']['line'] == 18"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json --worktree
expect_all fail "bad values (--worktree)"
}

# The executable bit: committed off, set in the work tree only.
scenario "the executable bit comes from the revision, or the disk with --worktree" scenario_the_executable_bit_comes_from_the
scenario_the_executable_bit_comes_from_the() {
commit_bad_values
chmod +x "${R}/scripts/notes.sh"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json
assert_json "executable: the bit is read from the revision, not the disk" \
  "st('OP-EXECUTABLE') == 'fail'"
run_in "${R}" check --rules "${PACK}" --at "${AT}" --format json --worktree
assert_json "executable: --worktree reads the bit from the disk" "st('OP-EXECUTABLE') == 'pass'"
}

# Operators whose support lands in later issues must fail loudly, never pass silently.
scenario "operators not supported yet fail loudly" scenario_operators_not_supported_yet_fail_loudly
scenario_operators_not_supported_yet_fail_loudly() {
commit_bad_values
chmod +x "${R}/scripts/notes.sh"
P2="${E2E_TMP}/pack-pending"
mkdir -p "${P2}"
write_file "${P2}/pending.toml" <<'EOF'
[[rule]]
id = "PEND-001"
area = "release_window"
title = "Off-hours releases"
severity = "error"
level = 1
check = [ { key = "release_window", windows_outside = { days = ["mon"], start = "08:00", end = "19:00" } } ]

[[rule]]
id = "PEND-002"
area = "release_window"
title = "Short windows"
severity = "error"
level = 1
check = [ { key = "release_window", window_max_hours = 4 } ]

[[rule]]
id = "PEND-003"
area = "release_window"
title = "Window open"
severity = "error"
level = 1
check = [ { key = "release_window", window_open = true } ]

[[rule]]
id = "PEND-004"
area = "runbook"
title = "Runbook changed this year"
severity = "error"
level = 1
check = [ { key = "ops.runbook", changed_within_days = 365 } ]
EOF
run_in "${R}" check --rules "${P2}" --at "${AT}" --format json
assert_exit "window/history operators on a manifest without windows: evaluated, not exit 2" 1
assert_json "no rule passes while saying its operator is not supported" \
  "[x['rule'] for x in m()['findings'] if 'not supported' in x['message'] and x['status'] != 'fail'] == []"
}

run_scenarios "$@"
