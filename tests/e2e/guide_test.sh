#!/usr/bin/env bash
# End-to-end: messages that guide, on real repositories with the real binary.
#   - did you mean: a waiver's rule id, `explain`, a command (`opsgate chek`, `rules tset`), a
#     long option (`--bsae`), an --env name (`prod`), a Markdown #anchor (with the anchors that
#     exist);
#   - a manifest written by `opsgate init` but not committed: "not committed yet", for check
#     (also with --manifest) and window; a bare repository and another revision keep "does not
#     exist";
#   - one message per error: a bad time zone (or cron, or date) of [release_window] is said once,
#     by GATE-SCHEMA, in the text and JSON reports alike, and the gate still fails;
#   - TOML syntax errors: an unterminated string is a missing closing quote with where it
#     started, in a manifest and in a rule pack, at file:line:column.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AT="2026-11-26T21:30:00+01:00"

# service_manifest NAME: the start of a manifest every scenario adds to.
service_manifest() {
  cat <<EOF
schema = 1
[service]
name = "$1"
owner = "team-payments"
tier = "critical"
stateful = true
EOF
}

# --- did you mean --------------------------------------------------------------------------

scenario "a waiver naming a misspelt rule id suggests the rule" scenario_waiver_typo
scenario_waiver_typo() {
  local r
  r="$(new_repo svc)"
  {
    service_manifest svc
    cat <<'EOF'
[[waiver]]
rule = "BKP-02"
reason = "retention raised next sprint"
expires = 2026-12-15
approved_by = "ops-lead@example.org"
[[waiver]]
rule = "BKP-909"
reason = "a rule of a pack not loaded here"
expires = 2026-12-15
approved_by = "ops-lead@example.org"
EOF
  } | write_file "${r}/operability.toml"
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest"
  run_in "${r}" check --at "${AT}" --format json
  assert_json "GATE-WAIVER suggests BKP-002, at the waiver's rule (8:8)" \
    "any(x['rule'] == 'GATE-WAIVER' and x['message'] == 'the waiver names rule BKP-02, which no loaded pack defines; did you mean BKP-002?' and x['location']['line'] == 8 and x['location']['column'] == 8 for x in m()['findings'])"
  assert_json "another number is another rule: no guess" \
    "any(x['rule'] == 'GATE-WAIVER' and x['message'] == 'the waiver names rule BKP-909, which no loaded pack defines' for x in m()['findings'])"
  run_in "${r}" check --at "${AT}"
  assert_contains "the text report says it too" "${OUT}" \
    "the waiver names rule BKP-02, which no loaded pack defines; did you mean BKP-002?"
  run_in "${r}" check --lang fr --at "${AT}" --format json
  assert_json "in French: vouliez-vous dire BKP-002" \
    "any(x['rule'] == 'GATE-WAIVER' and x['message'] == \"la dérogation désigne la règle BKP-02, qu'aucun pack chargé ne définit ; vouliez-vous dire BKP-002 ?\" for x in m()['findings'])"
}

scenario "explain with a misspelt rule id suggests the rule" scenario_explain_typo
scenario_explain_typo() {
  run_in "${E2E_TMP}" explain BKP-02
  assert_exit "exit 2" 2
  assert_contains "suggests BKP-002" "${ERR}" \
    "opsgate: error: no rule BKP-02 in the loaded packs; did you mean BKP-002?"
  run_in "${E2E_TMP}" explain GATE-SHEMA
  assert_exit "a built-in id: exit 2" 2
  assert_contains "suggests GATE-SCHEMA" "${ERR}" "did you mean GATE-SCHEMA?"
  run_in "${E2E_TMP}" explain BKP-002
  assert_exit "the right id: exit 0" 0
}

scenario "a misspelt command or option gets the nearest one" scenario_command_typo
scenario_command_typo() {
  local r
  r="$(new_repo svc)"
  service_manifest svc | write_file "${r}/operability.toml"
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest"
  run_in "${r}" chek
  assert_exit "opsgate chek: exit 2" 2
  assert_eq "opsgate chek: did you mean check, and the commands" \
    "opsgate: error: opsgate has no command 'chek'; did you mean check? (commands: check, window, explain, rules, init, schema, hook, fleet, version)" \
    "${ERR}"
  run_in "${r}" rules tset "${BASELINE}"
  assert_exit "opsgate rules tset: exit 2" 2
  assert_contains "a nested command: did you mean test" "${ERR}" \
    "opsgate rules has no command 'tset'; did you mean test? (commands: list, packs, test)"
  run_in "${r}" hook pre-psh
  assert_contains "a hook mode: did you mean pre-push" "${ERR}" "did you mean pre-push?"
  run_in "${r}" deploy
  assert_exit "no command near: exit 2" 2
  assert_eq "no guess, the commands listed" \
    "opsgate: error: opsgate has no command 'deploy' (commands: check, window, explain, rules, init, schema, hook, fleet, version)" \
    "${ERR}"
  run_in "${r}" check --bsae main --at "${AT}"
  assert_exit "check --bsae: exit 2" 2
  assert_eq "check --bsae: did you mean --base" \
    "opsgate: error: opsgate check has no option '--bsae'; did you mean --base? (\`opsgate check --help\` lists them)" \
    "${ERR}"
  # Options with values are skipped over: only the unknown one is named.
  run_in "${r}" check --rev HEAD --format json --fail-no warning
  assert_contains "--fail-no: did you mean --fail-on" "${ERR}" "no option '--fail-no'; did you mean --fail-on?"
  # A report requested on the same command line is still written, with the same message.
  run_in "${r}" check --report "json=${E2E_TMP}/report.json" --bsae main
  assert_exit "with --report: exit 2" 2
  assert_json "the --report file says it, outcome error" \
    "d['outcome'] == 'error' and 'did you mean --base?' in d['error']" "${E2E_TMP}/report.json"
  # What CLI11 says of anything else stays.
  run_in "${r}" check --rev
  assert_exit "a missing value: exit 2" 2
  assert_contains "a missing value: CLI11's words" "${ERR}" "--rev: 1 required TEXT missing"
}

scenario "an --env typo (prod) suggests production and lists the declared environments" scenario_env_typo
scenario_env_typo() {
  local r
  r="$(new_repo svc)"
  service_manifest svc | write_file "${r}/operability.toml"
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest"
  run_in "${r}" check --env prod --at "${AT}"
  assert_exit "check --env prod: exit 2" 2
  assert_contains "check: suggests production, lists the environments" "${ERR}" \
    "opsgate: error: unknown environment 'prod' (did you mean production?): the loaded packs declare development, production, staging"
  run_in "${r}" window --env stagign --at "${AT}"
  assert_exit "window --env stagign: exit 2" 2
  assert_contains "window: a typo suggests staging" "${ERR}" "unknown environment 'stagign' (did you mean staging?)"
  run_in "${r}" check --env live --at "${AT}"
  assert_contains "nothing near: the list alone" "${ERR}" \
    "unknown environment 'live': the loaded packs declare development, production, staging"
}

scenario "a misspelt #anchor lists the anchors and suggests the nearest" scenario_anchor_typo
scenario_anchor_typo() {
  local r
  r="$(new_repo svc)"
  {
    service_manifest svc
    cat <<'EOF'
[backup]
procedure = "docs/runbook.md#restor"
[rollback]
procedure = "docs/runbook.md#deploy"
EOF
  } | write_file "${r}/operability.toml"
  write_file "${r}/docs/runbook.md" <<'EOF'
# Billing runbook
## Restore
Steps.
## Rollback
Steps.
## Escalation
Call.
EOF
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest and runbook"
  run_in "${r}" check --at "${AT}" --format json
  assert_json "BKP-003: did you mean #restore, with the anchors" \
    "f('BKP-003')['message'] == 'backup.procedure names docs/runbook.md#restor, but docs/runbook.md has no heading with that anchor; did you mean #restore? (its anchors: #billing-runbook, #restore, #rollback, #escalation)' and f('BKP-003')['status'] == 'fail'"
  assert_json "RBK-002: nothing near, the anchors alone" \
    "f('RBK-002')['message'] == 'rollback.procedure names docs/runbook.md#deploy, but docs/runbook.md has no heading with that anchor (its anchors: #billing-runbook, #restore, #rollback, #escalation)'"
  # In French, the suggestion and the list are French too, not English glued to French.
  run_in "${r}" check --lang fr --at "${AT}" --format json
  assert_json "in French: vouliez-vous dire #restore, ses ancres" \
    "f('BKP-003')['message'] == \"backup.procedure désigne docs/runbook.md#restor, mais docs/runbook.md n'a aucun titre avec cette ancre ; vouliez-vous dire #restore ? (ses ancres : #billing-runbook, #restore, #rollback, #escalation)\""
}

# --- not committed yet ----------------------------------------------------------------------

scenario "init then check without committing: not committed yet" scenario_uncommitted
scenario_uncommitted() {
  local r
  r="$(new_repo svc)"
  write_file "${r}/README.md" <<<"svc"
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "first"
  run_in "${r}" init
  assert_exit "init: exit 0" 0
  run_in "${r}" check --at "${AT}"
  assert_exit "check: exit 1 (GATE-MANIFEST fails)" 1
  assert_contains "says not committed yet" "${OUT}" \
    "operability.toml is in the work tree but not committed yet: commit it, or use --worktree"
  assert_not_contains "not 'run opsgate init' again" "${OUT}" "does not exist"
  run_in "${r}" check --at "${AT}" --format json
  assert_json "JSON: the same message, GATE-MANIFEST failed" \
    "f('GATE-MANIFEST')['status'] == 'fail' and f('GATE-MANIFEST')['message'] == 'operability.toml is in the work tree but not committed yet: commit it, or use --worktree' and 'opsgate init' not in f('GATE-MANIFEST')['help']"
  run_in "${r}" check --worktree --at "${AT}" --format json
  assert_json "--worktree reads it: no GATE-MANIFEST" "f('GATE-MANIFEST') is None"
  run_in "${r}" window --at "${AT}"
  assert_exit "window: exit 1" 1
  assert_contains "window says it too" "${OUT}" "operability.toml is in the work tree but not committed yet"

  # --manifest PATH, explicit.
  mkdir -p "${r}/services/orders"
  cp "${r}/operability.toml" "${r}/services/orders/operability.toml"
  run_in "${r}" check --manifest services/orders/operability.toml --at "${AT}"
  assert_contains "--manifest: not committed yet" "${OUT}" \
    "services/orders/operability.toml is in the work tree but not committed yet"

  # Committed on HEAD but missing at an older revision: that revision lacks it, nothing more.
  commit_all "${r}" "2026-10-02T12:00:00+02:00" "manifests"
  run_in "${r}" check --rev HEAD~1 --at "${AT}"
  assert_contains "an older revision: does not exist" "${OUT}" "operability.toml does not exist in revision"
  assert_not_contains "an older revision: not 'not committed'" "${OUT}" "not committed yet"

  # A bare repository has no work tree: the old words.
  git clone -q --bare "${r}" "${E2E_TMP}/bare.git"
  git -C "${E2E_TMP}/bare.git" update-ref refs/heads/main "$(git -C "${r}" rev-parse HEAD~1)"
  run_in "${E2E_TMP}/bare.git" check --at "${AT}"
  assert_exit "bare: exit 1" 1
  assert_contains "bare: does not exist in revision" "${OUT}" "operability.toml does not exist in revision"
}

# --- one message per error ------------------------------------------------------------------

scenario "a bad time zone is reported once, and still fails the gate" scenario_time_zone_once
scenario_time_zone_once() {
  local r
  r="$(new_repo svc)"
  {
    service_manifest svc
    cat <<'EOF'
[release_window]
timezone = "Europe/Pariss"
[[release_window.allow]]
days = ["mon", "tue", "wed", "thu"]
start = "20:00"
end = "23:30"
EOF
  } | write_file "${r}/operability.toml"
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest"
  local problem='release_window.timezone is "Europe/Pariss", which is not an IANA time zone'
  # The deploy stage applies WIN-003 too: three window rules read the table.
  run_in "${r}" check --stage deploy --at "${AT}"
  assert_exit "text: exit 1" 1
  assert_eq "text: the problem said once" 1 "$(grep -c -F "${problem}" <<<"${OUT}")"
  assert_contains "text: at its line:column" "${OUT}" "operability.toml:8:12: ${problem}"
  assert_contains "text: the rules point at it" "${OUT}" \
    "release_window is invalid; GATE-SCHEMA says why at operability.toml:8:12"
  run_in "${r}" check --stage deploy --at "${AT}" --format json
  assert_exit "JSON: exit 1" 1
  assert_json "JSON: one finding says it, GATE-SCHEMA's, failed" \
    "[x['rule'] for x in m()['findings'] if 'Europe/Pariss' in x['message']] == ['GATE-SCHEMA'] and st('GATE-SCHEMA') == 'fail' and d['outcome'] == 'fail'"
  assert_json "JSON: WIN-001, WIN-002 and WIN-003 fail, pointing at it" \
    "all(st(i) == 'fail' and f(i)['message'] == 'release_window is invalid; GATE-SCHEMA says why at operability.toml:8:12' for i in ('WIN-001', 'WIN-002', 'WIN-003'))"
  # A cron out of range, the same way.
  {
    service_manifest svc
    cat <<'EOF'
[release_window]
timezone = "Europe/Paris"
[[release_window.allow]]
cron = "0 25 * * *"
duration = "2h"
EOF
  } | write_file "${r}/operability.toml"
  commit_all "${r}" "2026-10-02T12:00:00+02:00" "cron"
  run_in "${r}" check --stage deploy --at "${AT}"
  assert_eq "cron: said once" 1 "$(grep -c -F 'hour 25 is out of range' <<<"${OUT}")"
}

# --- TOML syntax errors ---------------------------------------------------------------------

scenario "an unterminated string: missing closing quote, where it started" scenario_unterminated
scenario_unterminated() {
  local r
  r="$(new_repo svc)"
  write_file "${r}/operability.toml" <<'EOF'
schema = 1
[service]
name = "billing
owner = "team-payments"
EOF
  commit_all "${r}" "2026-10-01T12:00:00+02:00" "manifest"
  run_in "${r}" check --at "${AT}"
  assert_exit "manifest: exit 2" 2
  assert_eq "manifest: missing closing quote at file:line:column" \
    'opsgate: error: operability.toml:3:16: missing closing quote " (the string started at 3:8)' \
    "${ERR}"
  assert_not_contains "not toml++'s control characters" "${ERR}" "control characters"
  # A rule pack goes through the same parser.
  write_file "${E2E_TMP}/pack/rules.toml" <<'EOF'
[[rule]]
id = "X-001"
title = 'Backups are kept
EOF
  run_in "${r}" check --rules "${E2E_TMP}/pack" --at "${AT}"
  assert_exit "rule pack: exit 2" 2
  assert_contains "rule pack: missing closing quote at file:line:column" "${ERR}" \
    "${E2E_TMP}/pack/rules.toml:3:26: missing closing quote ' (the string started at 3:9)"
  # An unclosed array says where it opened.
  write_file "${r}/operability.toml" <<'EOF'
schema = 1
[service]
name = "billing"
owner = "team-payments"
[monitoring]
alert_rules = ["monitoring/alerts.yaml"
EOF
  commit_all "${r}" "2026-10-02T12:00:00+02:00" "array"
  run_in "${r}" check --at "${AT}"
  assert_exit "array: exit 2" 2
  assert_contains "array: missing closing ']' and where it opened" "${ERR}" \
    "missing closing ']' (the array started at 6:15)"
}

run_scenarios "$@"
