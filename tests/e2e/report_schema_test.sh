#!/usr/bin/env bash
# End-to-end: every JSON report the real binary writes validates against the documented schema,
# docs/report.schema.json (strict: additionalProperties false on the report's objects, so a new
# key must be documented before it ships). Runs on real git repositories: a pass, a fail, a
# waived rule and a refused waiver, an emergency, an error (exit 2) with --report json=FILE, a
# monorepo, a --base run with rule and waiver changes, and a pre-receive hook's report.
#
# Needs python3-jsonschema (Debian 12: draft 2020-12 support). In CI (CI=true) it is required:
# every scenario fails without it; locally every scenario is skipped (exit 77) without it.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMA="${OPSGATE_SOURCE_DIR}/docs/report.schema.json"
AT="2026-11-26T10:00:00+01:00"
D1="2026-10-01T12:00:00+02:00"
D2="2026-10-15T12:00:00+02:00"

# setup: finds a python3 with jsonschema (SCHEMA_PYTHON); without one the scenario is skipped,
# or fails in CI.
setup() {
  SCHEMA_PYTHON=""
  local candidate
  for candidate in /usr/bin/python3 python3; do
    if "${candidate}" -c 'import jsonschema' 2>/dev/null; then
      SCHEMA_PYTHON="${candidate}"
      break
    fi
  done
  if [[ -z "${SCHEMA_PYTHON}" ]]; then
    if [[ "${CI:-}" == "true" ]]; then
      fail_ "python3-jsonschema is available" "python3-jsonschema is missing (run .ci/bootstrap)"
      finish
    fi
    skip "python3-jsonschema is missing (run .ci/bootstrap to install it)"
  fi
  VALIDATED=0
}

# assert_schema NAME FILE: FILE is a JSON document the report schema accepts.
assert_schema() {
  local name="$1" file="$2" detail
  VALIDATED=$((VALIDATED + 1))
  if detail="$("${SCHEMA_PYTHON}" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
try:
    document = json.load(open(sys.argv[2], encoding="utf-8"))
except Exception as error:
    print(f"not valid JSON: {error}")
    sys.exit(1)
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
for error in errors[:5]:
    print("/" + "/".join(map(str, error.absolute_path)), error.message[:300])
sys.exit(1 if errors else 0)' "${SCHEMA}" "${file}" 2>&1)"; then
    pass_ "${name}: the report matches docs/report.schema.json"
  else
    fail_ "${name}: the report matches docs/report.schema.json" "${detail}"
  fi
}

# check_json NAME EXIT DIR ARGS...: runs `opsgate ARGS --format json --report json=FILE` in DIR,
# expects EXIT, and validates both the stdout report and the file (they must be identical).
check_json() {
  local name="$1" expected="$2" dir="$3"
  shift 3
  local file="${E2E_TMP}/report-${VALIDATED}.json"
  run_in "${dir}" "$@" --format json --report "json=${file}"
  assert_exit "${name}: exit ${expected}" "${expected}"
  printf '%s\n' "${OUT}" >"${file}.stdout"
  assert_schema "${name} (stdout)" "${file}.stdout"
  assert_schema "${name} (--report file)" "${file}"
  LAST_REPORT="${file}"
}

# --- fixtures -------------------------------------------------------------------------------

# make_pack: the rule pack every run uses, at $PACK.
make_pack() {
  PACK="${E2E_TMP}/pack"
  write_file "${PACK}/pack.toml" <<'EOF'
[pack]
name = "e2e-schema"
version = "1.2.3"
environments = ["production", "staging"]
max_waiver_days = 60
waiver_approvers = ["*@example.org"]
EOF
  write_file "${PACK}/rules.toml" <<'EOF'
[[rule]]
id = "SCH-001"
area = "backup"
title = "Backups are kept a week"
severity = "error"
level = 1
help = "Set backup.retention_days to 7 or more."
check = [ { key = "backup.retention_days", type = "integer", min = 7 } ]

[[rule]]
id = "SCH-002"
area = "monitoring"
title = "There is a dashboard"
severity = "warning"
level = 2
check = [ { key = "monitoring.dashboard", present = true } ]

[[rule]]
id = "SCH-003"
area = "backup"
title = "Backups go off-site"
severity = "error"
level = 2
help = "Copy backups off-site."
check = [ { key = "backup.offsite", equals = true } ]

[[rule]]
id = "SCH-004"
area = "service"
title = "Critical services name a contact"
severity = "info"
level = 3
tiers = ["critical"]
check = [ { key = "service.contact", present = true } ]

[[rule]]
id = "SCH-005"
area = "runbook"
title = "The runbook exists and has a Restore section"
severity = "error"
level = 2
environments = ["production"]
check = [ { key = "runbook.path", path_exists = true, has_sections = ["Restore"] } ]

[[rule]]
id = "SCH-006"
area = "release_window"
title = "Releases happen inside an open window"
severity = "error"
level = 3
waivable = false
check = [ { key = "release_window", window_open = true } ]

[[rule]]
id = "SCH-007"
area = "rollback"
title = "Migrations say how they roll back"
severity = "error"
level = 3
when_changed = ["migrations/**"]
check = [ { key = "rollback.database", one_of = ["backward-compatible", "reversible"] } ]
EOF
}

# manifest NAME RETENTION [EXTRA]: a manifest; EXTRA is appended (waivers, typos).
manifest() {
  cat <<EOF
schema = 1

[service]
name = "$1"
owner = "team-$1"
tier = "high"

[backup]
enabled = true
retention_days = $2
offsite = false

[monitoring]
dashboard = "https://grafana.example.org/d/$1"

[runbook]
path = "docs/runbook.md"

[rollback]
database = "reversible"

[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:30"
${3:-}
EOF
}

RUNBOOK='# Runbook

## Restore

Restore the latest dump.
'

WAIVER_OK="$(
  cat <<'EOF2'
[[waiver]]
rule = "SCH-003"
reason = "off-site copy booked for Q1"
approved_by = "ops@example.org"
expires = 2026-12-15
EOF2
)"
WAIVERS="${WAIVER_OK}
$(
  cat <<'EOF2'

[[waiver]]
rule = "SCH-001"
reason = "retention raised next sprint"
approved_by = "ops@example.org"
expires = 2026-11-01

[[waiver]]
rule = "SCH-999"
reason = "a rule nobody defines"
approved_by = "ops@example.org"
expires = 2026-12-01
EOF2
)"

# single_service: the repository $REPO (one service, "pay"): a first commit whose SCH-003 fails
# (offsite = false), then a second that waives it.
single_service() {
  REPO="$(new_repo single)"
  manifest pay 14 | write_file "${REPO}/operability.toml"
  printf '%s' "${RUNBOOK}" | write_file "${REPO}/docs/runbook.md"
  commit_all "${REPO}" "${D1}" "pay"
  manifest pay 14 "${WAIVER_OK}" | write_file "${REPO}/operability.toml"
  commit_all "${REPO}" "${D2}" "waive SCH-003"
}

# break_single_service: a commit on $REPO with refused and unknown waivers, a misspelt key (in
# the allow window) and no runbook.
break_single_service() {
  manifest pay 3 "retension = 1
${WAIVERS}" | write_file "${REPO}/operability.toml"
  git -C "${REPO}" rm -q docs/runbook.md
  commit_all "${REPO}" "${D2}" "break it"
}

# monorepo: the repository $MONO, three services under services/ and a copy of the pack in
# .opsgate-rules, one commit on main.
monorepo() {
  MONO="$(new_repo mono)"
  local svc
  for svc in pay ledger search; do
    manifest "${svc}" 14 | write_file "${MONO}/services/${svc}/operability.toml"
    printf '%s' "${RUNBOOK}" | write_file "${MONO}/services/${svc}/docs/runbook.md"
  done
  cp -r "${PACK}" "${MONO}/.opsgate-rules"
  commit_all "${MONO}" "${D1}" "three services"
}

# --- scenarios ------------------------------------------------------------------------------

# The schema itself must be a valid schema of the draft it declares.
scenario "schema: the schema is a valid JSON Schema" scenario_schema_is_valid
scenario_schema_is_valid() {
  local detail
  if detail="$("${SCHEMA_PYTHON}" -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.validators.validator_for(schema).check_schema(schema)' "${SCHEMA}" 2>&1)"; then
    pass_ "docs/report.schema.json is a valid JSON Schema"
  else
    fail_ "docs/report.schema.json is a valid JSON Schema" "${detail}"
  fi
}

scenario "schema: a passing single service" scenario_passing_single_service
scenario_passing_single_service() {
  make_pack
  single_service
  check_json "pass with a waived rule, inside the window" 0 "${REPO}" \
    check --rules "${PACK}" --at "2026-11-26T21:00:00+01:00"
  assert_json "pass: outcome pass, one waived finding" \
    "d['outcome'] == 'pass' and st('SCH-003') == 'waived' and f('SCH-003')['waiver']['accepted']" \
    "${LAST_REPORT}"
}

scenario "schema: failing, waived and refused waivers" scenario_failing_waived_and_refused_waivers
scenario_failing_waived_and_refused_waivers() {
  make_pack
  single_service
  check_json "fail: outside the window, warnings failing" 1 "${REPO}" \
    check --rules "${PACK}" --at "${AT}" --fail-on warning --min-level 5 --verbose
  assert_json "fail: GATE-MIN-LEVEL and the window rule fail" \
    "d['outcome'] == 'fail' and st('GATE-MIN-LEVEL') == 'fail' and st('SCH-006') == 'fail'" \
    "${LAST_REPORT}"

  break_single_service
  check_json "fail: refused waivers, GATE-WAIVER, GATE-SCHEMA" 1 "${REPO}" \
    check --rules "${PACK}" --at "${AT}"
  assert_json "fail: a refused waiver carries its refusal" \
    "f('SCH-001')['waiver']['accepted'] is False and f('SCH-001')['waiver']['refusal'].startswith('expired')" \
    "${LAST_REPORT}"
  assert_json "fail: GATE-WAIVER and GATE-SCHEMA findings" \
    "st('GATE-WAIVER') == 'fail' and st('GATE-SCHEMA') == 'fail'" "${LAST_REPORT}"
  check_json "staging: production-only rules skipped" 1 "${REPO}" \
    check --rules "${PACK}" --at "${AT}" --env staging
  check_json "worktree run" 1 "${REPO}" check --rules "${PACK}" --at "${AT}" --worktree
}

scenario "schema: an emergency change" scenario_emergency_change
scenario_emergency_change() {
  make_pack
  single_service
  check_json "emergency: the window rule waived with a reason" 0 "${REPO}" \
    check --rules "${PACK}" --at "${AT}" --emergency "INC-42 payment outage"
  assert_json "emergency: recorded at the top and in the waiver" \
    "d['emergency'] == 'INC-42 payment outage' and f('SCH-006')['waiver']['reason'].startswith('emergency change')" \
    "${LAST_REPORT}"
}

# No manifest at all: GATE-MANIFEST, a null blob.
scenario "schema: a repository without a manifest" scenario_repository_without_manifest
scenario_repository_without_manifest() {
  make_pack
  local empty
  empty="$(new_repo empty)"
  printf 'nothing here\n' | write_file "${empty}/README.md"
  commit_all "${empty}" "${D1}" "no manifest"
  check_json "fail: no manifest (GATE-MANIFEST)" 1 "${empty}" check --rules "${PACK}" --at "${AT}"
  assert_json "fail: the missing manifest has a null blob" \
    "m()['blob'] is None and st('GATE-MANIFEST') == 'fail'" "${LAST_REPORT}"
}

# Errors (exit 2): the reports are still written.
scenario "schema: an error run still writes a valid report" scenario_error_run_writes_valid_report
scenario_error_run_writes_valid_report() {
  make_pack
  single_service
  break_single_service
  check_json "error: unknown revision" 2 "${REPO}" check --rules "${PACK}" --rev no-such-rev
  assert_json "error: outcome error with the message" \
    "d['outcome'] == 'error' and d['manifests'] == [] and 'no-such-rev' in d['error']" \
    "${LAST_REPORT}"
  check_json "error: unknown --env" 2 "${REPO}" check --rules "${PACK}" --env prod
  check_json "error: malformed rule pack" 2 "${REPO}" check --rules "${REPO}/operability.toml"

  local broken
  broken="$(new_repo broken)"
  printf 'schema = 1\n[service\nname = "x"\n' | write_file "${broken}/operability.toml"
  commit_all "${broken}" "${D1}" "not TOML"
  check_json "error: manifest that is not TOML" 2 "${broken}" check --rules "${PACK}" --at "${AT}"
  printf 'schema = 2\n' | write_file "${broken}/operability.toml"
  commit_all "${broken}" "${D1}" "schema 2"
  check_json "error: unsupported schema" 2 "${broken}" check --rules "${PACK}" --at "${AT}"

  # A command line CLI11 refuses still writes its --report file.
  run_in "${REPO}" check --no-such-option --report "json=${E2E_TMP}/usage.json"
  assert_exit "error: unknown option is exit 2" 2
  assert_schema "error: unknown option (--report file)" "${E2E_TMP}/usage.json"
}

scenario "schema: a monorepo" scenario_monorepo
scenario_monorepo() {
  make_pack
  monorepo
  check_json "monorepo: every service" 1 "${MONO}" check --rules "${PACK}" --at "${AT}" --jobs 2
  assert_json "monorepo: three manifests sorted by path" \
    "[x['path'] for x in d['manifests']] == sorted(x['path'] for x in d['manifests']) and len(d['manifests']) == 3" \
    "${LAST_REPORT}"
}

# A branch that adds a migration and a waiver to one service and edits the trusted rules.
scenario "schema: a --base run" scenario_base_run
scenario_base_run() {
  make_pack
  monorepo
  git -C "${MONO}" checkout -q -b change
  manifest pay 3 "${WAIVER_OK}" | write_file "${MONO}/services/pay/operability.toml"
  printf -- '-- up\n' | write_file "${MONO}/services/pay/migrations/001.sql"
  printf '\n# edited\n' >>"${MONO}/.opsgate-rules/rules.toml"
  commit_all "${MONO}" "${D2}" "pay: migration, waiver, rules edited"
  check_json "--base: one service, waiver added, rules changed" 1 "${MONO}" \
    check --rules .opsgate-rules --base main --at "${AT}"
  assert_json "--base: base and changed_paths recorded, GATE-RULES-CHANGED and GATE-WAIVER-ADDED" \
    "d['base'] is not None and d['changed_paths'] == 3 and len(d['manifests']) == 1 and rst('GATE-RULES-CHANGED') == 'fail' and st('GATE-WAIVER-ADDED') == 'fail' and st('SCH-007') != 'skipped'" \
    "${LAST_REPORT}"
  check_json "--base with rules from the base side" 1 "${MONO}" \
    check --rules main:.opsgate-rules --base main --at "${AT}"
  printf 'Services of the shop.\n' | write_file "${MONO}/README.md"
  commit_all "${MONO}" "${D2}" "a change outside every service"
  check_json "--base: a change that selects no manifest" 0 "${MONO}" \
    check --rules "${PACK}" --base HEAD~1 --at "${AT}"
  assert_json "--base: no manifest selected" "d['manifests'] == [] and d['outcome'] == 'pass'" \
    "${LAST_REPORT}"
}

# A server-side hook's report: the monorepo's main pushed to a bare repository whose
# pre-receive hook runs opsgate.
scenario "schema: a pre-receive hook's report" scenario_pre_receive_hook_report
scenario_pre_receive_hook_report() {
  make_pack
  monorepo
  local server="${E2E_TMP}/server.git" hook_report="${E2E_TMP}/hook-report.json"
  git init -q --bare -b main "${server}"
  {
    printf '#!/bin/sh\nexec %q hook pre-receive' "${OPSGATE}"
    printf ' %q' --rules "${PACK}" --at "${AT}" --no-color --report "json=${hook_report}"
    printf '\n'
  } >"${server}/hooks/pre-receive"
  chmod +x "${server}/hooks/pre-receive"
  git -C "${MONO}" push -q "${server}" main >/dev/null 2>&1
  RC=$?
  assert_exit "pre-receive: the first push (a new ref) is refused" 1
  assert_schema "pre-receive: new ref" "${hook_report}"
  assert_json "pre-receive: the report has notes" "len(d['notes']) >= 1" "${hook_report}"
}

run_scenarios "$@"
