#!/usr/bin/env bash
# End-to-end: the manifest's schema as packs extend it, and as editors see it.
#   - a pack's [[key]] declarations: GATE-SCHEMA accepts and type-checks the keys, `rules test`
#     warns about keys rules read undeclared, two packs typing one key differently is exit 2;
#   - did-you-mean for a misspelt key, and the warning for a table a typo away from schema 1's;
#   - `opsgate init --rules` writes the packs' keys; `opsgate schema` prints the JSON Schema,
#     which the real taplo (npm @taplo/cli, installed by .ci/bootstrap --test-tools) uses to
#     validate the shipped examples and to report a typo or a wrong type at its line, through
#     the shipped examples/taplo.toml too.
# Without taplo the editor scenarios skip (exit 77), except under CI=true where they fail.

# Found before lib.sh replaces HOME.
TOOLS_CACHE="${OPSGATE_TOOLS_CACHE:-${XDG_CACHE_HOME:-${HOME}/.cache}/opsgate-ci}/npm-tools"
TAPLO="${TAPLO:-}"
if [[ -z "${TAPLO}" ]]; then
  for candidate in "${OPSGATE_NPM_TOOLS:-}/node_modules/.bin/taplo" "${TOOLS_CACHE}/node_modules/.bin/taplo"; do
    if [[ -x "${candidate}" ]]; then TAPLO="${candidate}"; break; fi
  done
fi

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T21:30:00+01:00"

# setup: ACME, a company pack reading two keys inside schema tables, one of them declared, plus a
# key of its own table; R, a repository whose manifest provides them.
setup() {
ACME="${E2E_TMP}/acme"
write_file "${ACME}/pack.toml" <<'EOF'
[pack]
name = "acme"
version = "2.0.0"
environments = ["production"]

[[key]]
path = "backup.encryption"
type = "string"
description = "how backups are encrypted at rest"

[[key]]
path = "security.pentest_date"
type = "date"
description = "the last penetration test"
EOF
write_file "${ACME}/rules.toml" <<'EOF'
[[rule]]
id = "ACME-001"
area = "backup"
title = "Backups are encrypted"
severity = "error"
level = 2
help = "Set backup.encryption."
check = [ { key = "backup.encryption", present = true } ]

[[rule]]
id = "ACME-002"
area = "rollback"
title = "Rollbacks are scripted"
severity = "warning"
level = 3
help = "Set rollback.script to the script that rolls back."
check = [ { key = "rollback.script", present = true } ]

[[rule]]
id = "ACME-003"
area = "security"
title = "A penetration test happened this year"
severity = "warning"
level = 4
help = "Set security.pentest_date."
check = [ { key = "security.pentest_date", max_age_days = 365 } ]
EOF
R="$(new_repo svc)"
write_manifest "${R}" 'encryption = "aes-256-gcm"' 'script = "deploy/rollback.sh"'
commit_all "${R}" "2026-10-01T12:00:00+02:00" "manifest"
}

# write_manifest REPO BACKUP_LINE ROLLBACK_LINE [EXTRA]: a small manifest; line 8 is
# BACKUP_LINE, line 10 ROLLBACK_LINE.
write_manifest() {
write_file "$1/operability.toml" <<EOF
schema = 1
[service]
name = "svc"
owner = "team"
[backup]
enabled = true
retention_days = 35
$2
[rollback]
$3
[security]
pentest_date = 2026-06-01
${4:-}
EOF
}

# --- packs extend the manifest ------------------------------------------------------------------

scenario "a pack checking a key inside a schema table does not fail every manifest providing it" scenario_issue_reproduction
scenario_issue_reproduction() {
# Issue 21: a company pack that checks backup.encryption made every manifest providing the key
# fail GATE-SCHEMA ("backup.encryption is not a key of schema 1").
write_file "${E2E_TMP}/company/rules.toml" <<'EOF'
[[rule]]
id = "CO-001"
area = "backup"
title = "Backups are encrypted"
severity = "error"
level = 2
help = "Set backup.encryption."
check = [ { key = "backup.encryption", one_of = ["aes-256-gcm"] } ]
EOF
run_in "${R}" check --rules "${BASELINE}" --rules "${E2E_TMP}/company" --at "${AT}" --format json
assert_json "no GATE-SCHEMA finding about backup.encryption" \
  "not any('backup.encryption' in x['message'] for x in m()['findings'] if x['rule'] == 'GATE-SCHEMA')"
assert_json "CO-001 passes" "st('CO-001') == 'pass'"
}

scenario "a company pack's keys inside schema tables pass GATE-SCHEMA" scenario_pack_keys_pass
scenario_pack_keys_pass() {
# Before packs could declare keys, backup.encryption and rollback.script each failed GATE-SCHEMA
# ("not a key of schema 1") in every manifest that provided them.
run_in "${R}" check --rules "${ACME}" --at "${AT}" --format json
assert_exit "check: exit 0" 0
assert_json "GATE-SCHEMA passes" "st('GATE-SCHEMA') == 'pass'"
assert_json "ACME-001 (a declared key) passes" "st('ACME-001') == 'pass'"
assert_json "ACME-002 (a key read undeclared) passes" "st('ACME-002') == 'pass'"
assert_json "ACME-003 (a key of the pack's own table) passes" "st('ACME-003') == 'pass'"
assert_json "no schema problem at all" \
  "[x['message'] for x in m()['findings'] if x['rule'] == 'GATE-SCHEMA' and x['status'] == 'fail'] == []"
}

scenario "a declared key of the wrong type is a GATE-SCHEMA finding at its value" scenario_declared_type
scenario_declared_type() {
write_manifest "${R}" 'encryption = 256' 'script = "deploy/rollback.sh"'
commit_all "${R}" "2026-10-02T12:00:00+02:00" "wrong type"
run_in "${R}" check --rules "${ACME}" --at "${AT}" --format json
assert_exit "check: exit 1" 1
assert_json "GATE-SCHEMA fails at 8:14" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['status'] == 'fail' and x['location']['line'] == 8 and x['location']['column'] == 14 for x in m()['findings'])"
assert_json "the message names the declared type and the pack" \
  "any(x['message'] == 'backup.encryption is 256; a string is required (declared by pack acme)' for x in m()['findings'])"
# A key read but not declared takes any value.
write_manifest "${R}" 'encryption = "aes-256-gcm"' 'script = 42'
commit_all "${R}" "2026-10-03T12:00:00+02:00" "any value"
run_in "${R}" check --rules "${ACME}" --at "${AT}" --format json
assert_json "an undeclared key read by a rule takes any value" "st('GATE-SCHEMA') == 'pass'"
}

scenario "keys no loaded pack knows stay GATE-SCHEMA findings" scenario_unknown_without_pack
scenario_unknown_without_pack() {
# The baseline alone neither declares nor reads backup.encryption: a typo must still not pass.
run_in "${R}" check --at "${AT}" --format json
assert_exit "check with the baseline only: exit 1" 1
assert_json "backup.encryption is not a key of schema 1" \
  "any(x['message'] == 'backup.encryption is not a key of schema 1 (check its spelling)' and x['location']['line'] == 8 for x in m()['findings'])"
assert_json "nor is rollback.script" \
  "any(x['message'].startswith('rollback.script is not a key of schema 1') for x in m()['findings'])"
assert_json "security, a table of the team's own, is no problem" \
  "not any('security' in x['message'] for x in m()['findings'] if x['rule'] == 'GATE-SCHEMA')"
}

scenario "two packs typing one key differently is exit 2 naming both" scenario_type_conflict
scenario_type_conflict() {
write_file "${E2E_TMP}/other/keys.toml" <<'EOF'
[pack]
name = "other"

[[rule]]
id = "OTHER-001"
area = "backup"
title = "Backups are encrypted"
severity = "warning"
level = 2
help = "Set backup.encryption."
check = [ { key = "backup.encryption", equals = true } ]

[[key]]
path = "backup.encryption"
type = "boolean"
EOF
run_in "${R}" check --rules "${ACME}" --rules "${E2E_TMP}/other" --at "${AT}"
assert_exit "exit 2" 2
assert_contains "names the second declaration's file and line:column" "${ERR}" \
  "${E2E_TMP}/other/keys.toml:14:8: backup.encryption is declared as boolean here"
assert_contains "names the first declaration's file and line:column" "${ERR}" \
  "as string at ${ACME}/pack.toml:7:8 (pack acme)"
}

scenario "rules test warns about keys rules read undeclared" scenario_rules_test_warns
scenario_rules_test_warns() {
write_file "${ACME}/tests/ok/operability.toml" <"${R}/operability.toml"
write_file "${ACME}/tests/ok/expect.toml" <<'EOF'
at = 2026-11-26T10:00:00+01:00
[status]
ACME-001 = "pass"
ACME-002 = "pass"
GATE-SCHEMA = "pass"
EOF
run_in "${E2E_TMP}" rules test "${ACME}"
assert_exit "rules test: exit 0 (a warning does not fail the cases)" 0
assert_contains "warns at the rule's condition" "${ERR}" \
  "opsgate: warning: ${ACME}/rules.toml:17:11: ACME-002 reads rollback.script, which the pack does not declare"
assert_contains "says what to add" "${ERR}" '[[key]] path = "rollback.script", type = "...", description = "..."'
assert_not_contains "no warning for the declared key" "${ERR}" "reads backup.encryption"
run_in "${E2E_TMP}" rules test "${BASELINE}"
assert_exit "rules test baseline: exit 0" 0
assert_not_contains "the baseline declares every key it reads beyond schema 1" "${ERR}" "warning"
}

# --- did you mean ---------------------------------------------------------------------------------

scenario "a misspelt key or table gets a did-you-mean" scenario_did_you_mean
scenario_did_you_mean() {
write_file "${R}/operability.toml" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
[backup]
retension_days = 35
[monitorng]
dashboard = "https://grafana.example.org/d/svc"
[[waivers]]
rule = "BKP-004"
[acme]
anything = true
EOF
commit_all "${R}" "2026-10-04T12:00:00+02:00" "typos"
run_in "${R}" check --at "${AT}" --format json
assert_json "a key inside a schema table: did you mean, at 6:1" \
  "any(x['message'] == 'backup.retension_days is not a key of schema 1 (did you mean retention_days?)' and x['location']['line'] == 6 and x['severity'] == 'error' for x in m()['findings'])"
assert_json "[monitorng]: a warning at 7:2 with did you mean [monitoring]" \
  "any(x['message'].startswith('[monitorng] is not a table of schema 1; did you mean [monitoring]?') and x['location']['line'] == 7 and x['severity'] == 'warning' and x['status'] == 'fail' for x in m()['findings'])"
assert_json "[[waivers]]: did you mean [[waiver]]" \
  "any(x['message'].startswith('[[waivers]] is not a table of schema 1; did you mean [[waiver]]?') for x in m()['findings'])"
assert_json "[acme], far from every schema table, stays allowed" \
  "not any('acme' in x['message'] for x in m()['findings'])"
# A rule that reads the table makes it the pack's: no warning.
write_file "${E2E_TMP}/reads/rules.toml" <<'EOF'
[[rule]]
id = "MON-100"
area = "monitoring"
title = "Dashboards are listed"
severity = "info"
level = 1
help = "Set monitorng.dashboard."
check = [ { key = "monitorng.dashboard", present = true } ]
EOF
run_in "${R}" check --rules "${BASELINE}" --rules "${E2E_TMP}/reads" --at "${AT}" --format json
assert_json "a table a rule reads is no typo" \
  "not any('monitorng' in x['message'] for x in m()['findings'] if x['rule'] == 'GATE-SCHEMA')"
}

# --- init ---------------------------------------------------------------------------------------

scenario "init --rules writes the packs' keys, commented, with their descriptions" scenario_init_keys
scenario_init_keys() {
run_in "${E2E_TMP}" init --rules "${BASELINE}" --rules "${ACME}" --output -
assert_exit "init: exit 0" 0
assert_contains "backup.encryption in [backup], commented" "${OUT}" \
  '# encryption = ""  # string: how backups are encrypted at rest; declared by pack acme; checked by ACME-001 (level 2)'
assert_contains "security.pentest_date under a commented [security]" "${OUT}" \
  $'# [security]\n# pentest_date = 2026-01-01  # date: the last penetration test; declared by pack acme; checked by ACME-003 (level 4)'
printf '%s\n' "${OUT}" >"${E2E_TMP}/starter.toml"
# Uncommented, the pack's lines are a manifest the gate accepts.
sed -e 's/^# encryption = ""/encryption = "aes"/' -e 's/^# \[security\]/[security]/' \
  -e 's/^# pentest_date/pentest_date/' "${E2E_TMP}/starter.toml" >"${E2E_TMP}/filled.toml"
mkdir -p "${R}/x" && cp "${E2E_TMP}/filled.toml" "${R}/x/operability.toml"
run_in "${R}" check --worktree --rules "${BASELINE}" --rules "${ACME}" --at "${AT}" \
  --manifest x/operability.toml --format json
assert_json "the uncommented keys follow the schema" \
  "[x['message'] for x in m()['findings'] if x['rule'] == 'GATE-SCHEMA' and x['status'] == 'fail'] == []"
}

# --- opsgate schema -------------------------------------------------------------------------------

scenario "schema prints a draft-07 JSON Schema with the packs' keys" scenario_schema_json
scenario_schema_json() {
run_in "${E2E_TMP}" schema --rules "${BASELINE}" --rules "${ACME}"
assert_exit "schema: exit 0" 0
assert_json "draft-07" "d['\$schema'] == 'http://json-schema.org/draft-07/schema#'"
assert_json "schema 1's keys, typed and described" \
  "d['properties']['backup']['properties']['retention_days']['type'] == 'integer' and d['properties']['backup']['properties']['retention_days']['description'] == 'How long backups are kept.'"
assert_json "enumerations" \
  "d['properties']['service']['properties']['tier']['enum'] == ['critical', 'high', 'medium', 'low']"
assert_json "schema tables refuse unknown keys" "d['properties']['backup']['additionalProperties'] is False"
assert_json "a declared key with its type and description" \
  "d['properties']['backup']['properties']['encryption'] == {'type': 'string', 'description': 'How backups are encrypted at rest. (Declared by pack acme.)'}"
assert_json "a key read undeclared takes any value" \
  "'type' not in d['properties']['rollback']['properties']['script']"
assert_json "a declared date says it must be unquoted" \
  "'unquoted' in d['properties']['security']['properties']['pentest_date']['description']"
assert_json "dates of schema 1 too" \
  "'unquoted' in d['properties']['backup']['properties']['last_restore_test']['description']"
run_in "${E2E_TMP}" schema --rules "${E2E_TMP}/missing"
assert_exit "schema with a pack that does not exist: exit 2" 2
}

scenario "docs/operability.schema.json is what opsgate schema prints for the baseline" scenario_schema_committed
scenario_schema_committed() {
run_in "${E2E_TMP}" schema --rules "${BASELINE}"
assert_exit "schema: exit 0" 0
if [[ "${OUT}" == "$(cat "${OPSGATE_SOURCE_DIR}/docs/operability.schema.json")" ]]; then
  pass_ "the committed schema is current"
else
  fail_ "the committed schema is current" \
    "regenerate it: build/opsgate schema --rules rules/baseline > docs/operability.schema.json"
fi
}

# --- taplo ----------------------------------------------------------------------------------------

need_taplo() {
  if [[ -z "${TAPLO}" ]]; then
    [[ "${CI:-}" == "true" ]] && { fail_ "taplo" "taplo is missing (run .ci/bootstrap --test-tools)"; finish; }
    skip "taplo (npm @taplo/cli) not installed: run .ci/bootstrap --test-tools"
  fi
}

# taplo_lint SCHEMA_OR_CONFIG FILES...: runs taplo lint; RC, OUT, ERR as run_in sets them.
# SCHEMA_OR_CONFIG is "--schema URL" or "-c CONFIG".
taplo_lint() {
  local how="$1" what="$2"
  shift 2
  "${TAPLO}" lint --colors never --no-auto-config "${how}" "${what}" "$@" \
    >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr" </dev/null
  RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"
  ERR="$(cat "${E2E_TMP}/.stderr")"
}

# taplo_in DIR [FILES...]: runs taplo lint in DIR with the configuration it finds there.
taplo_in() {
  local dir="$1"
  shift
  (cd "${dir}" && "${TAPLO}" lint --colors never "$@" \
    >"${E2E_TMP}/.stdout" 2>"${E2E_TMP}/.stderr" </dev/null)
  RC=$?
  OUT="$(cat "${E2E_TMP}/.stdout")"
  ERR="$(cat "${E2E_TMP}/.stderr")"
}

# assert_taplo_error NAME FILE LINE TEXT: taplo reported an error containing TEXT located at
# FILE:LINE (its errors repeat on every key of a table; one of them must be the key's line).
assert_taplo_error() {
  local name="$1" file="$2" line="$3" text="$4" detail
  if detail="$("${PYTHON}" -I -S -c '
import re, sys
output, file, line, text = sys.argv[1:5]
found = []
message = None
for row in output.splitlines():
    if row.startswith("error: "):
        message = row[len("error: "):]
    where = re.search(r"\u250c\u2500 (.*):(\d+):(\d+)$", row)
    if where and message is not None:
        found.append((message, where.group(1), int(where.group(2))))
        message = None
hits = [f for f in found if text in f[0] and f[1] == file]
if any(f[2] == int(line) for f in hits):
    sys.exit(0)
print(f"no error containing {text!r} at {file}:{line}; taplo reported {found}")
sys.exit(1)' "${ERR}${OUT}" "${file}" "${line}" "${text}" 2>&1)"; then
    pass_ "${name}"
  else
    fail_ "${name}" "${detail}"
  fi
}

scenario "taplo: the shipped examples follow the generated schema" scenario_taplo_examples
scenario_taplo_examples() {
need_taplo
run_in "${E2E_TMP}" schema --rules "${BASELINE}"
printf '%s\n' "${OUT}" >"${E2E_TMP}/operability.schema.json"
local -a manifests
mapfile -t manifests < <(find "${OPSGATE_SOURCE_DIR}/examples" -name operability.toml | sort)
assert_eq "four example manifests" "4" "${#manifests[@]}"
taplo_lint --schema "file://${E2E_TMP}/operability.schema.json" "${manifests[@]}"
assert_exit "taplo lint: every example is valid" 0
}

scenario "taplo: a typo and a wrong type are reported at their line" scenario_taplo_typo
scenario_taplo_typo() {
need_taplo
run_in "${E2E_TMP}" schema --rules "${BASELINE}" --rules "${ACME}"
printf '%s\n' "${OUT}" >"${E2E_TMP}/operability.schema.json"
local manifest="${E2E_TMP}/typo/operability.toml"
write_file "${manifest}" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
tier = "gold"
[backup]
enabled = true
retension_days = 35
encryption = 256
EOF
taplo_lint --schema "file://${E2E_TMP}/operability.schema.json" "${manifest}"
assert_exit "taplo lint: exit 1" 1
assert_taplo_error "the typo at line 8" "${manifest}" 8 "'retension_days' was unexpected"
assert_taplo_error "the enumeration at line 5" "${manifest}" 5 '"gold" is not one of'
assert_taplo_error "the pack's declared type at line 9" "${manifest}" 9 '256 is not of type "string"'
# The gate says the same at the same lines.
R2="$(new_repo typo-repo)"
cp "${manifest}" "${R2}/operability.toml"
commit_all "${R2}" "2026-10-01T12:00:00+02:00" "typo"
run_in "${R2}" check --rules "${BASELINE}" --rules "${ACME}" --at "${AT}" --format json
assert_json "the gate: the typo at line 8" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['location']['line'] == 8 and 'did you mean retention_days?' in x['message'] for x in m()['findings'])"
assert_json "the gate: the declared type at line 9" \
  "any(x['rule'] == 'GATE-SCHEMA' and x['location']['line'] == 9 and 'a string is required' in x['message'] for x in m()['findings'])"
}

scenario "taplo: the shipped taplo.toml applies the schema to operability.toml" scenario_taplo_config
scenario_taplo_config() {
need_taplo
# A repository set up as examples/taplo.toml says: the file at its root, the schema of its packs
# in .opsgate/, the examples as its services. taplo finds the configuration itself, as editors do.
local root="${E2E_TMP}/repo"
mkdir -p "${root}/.opsgate"
cp "${OPSGATE_SOURCE_DIR}/examples/taplo.toml" "${root}/taplo.toml"
cp -r "${OPSGATE_SOURCE_DIR}/examples" "${root}/services"
run_in "${E2E_TMP}" schema --rules "${BASELINE}"
printf '%s\n' "${OUT}" >"${root}/.opsgate/operability.schema.json"
taplo_in "${root}"
assert_exit "taplo lint in the repository: every example is valid" 0
assert_contains "taplo lint: it read the configuration" "${ERR}" "found configuration file"
local manifest="${root}/services/broken/operability.toml"
write_file "${manifest}" <<'EOF'
schema = 1
[service]
name = "svc"
owner = "team"
[rollback]
last_tested = "2026-10-20"
max_duration_minutes = "15"
EOF
taplo_in "${root}" services/broken/operability.toml
assert_exit "taplo lint of a broken manifest: exit 1" 1
assert_taplo_error "a quoted number at line 7" "${manifest}" 7 '"15" is not of type "integer"'
# Another file name is not a manifest: the rule leaves it alone.
cp "${manifest}" "${root}/services/broken/other.toml"
taplo_in "${root}" services/broken/other.toml
assert_exit "taplo lint other.toml: exit 0" 0
# The committed baseline schema is the same file.
cp "${OPSGATE_SOURCE_DIR}/docs/operability.schema.json" "${root}/.opsgate/operability.schema.json"
taplo_in "${root}" services/broken/operability.toml
assert_taplo_error "docs/operability.schema.json: the same error" "${manifest}" 7 \
  '"15" is not of type "integer"'
}

run_scenarios "$@"
